"""A real SMTP server for the fault-injection tests (aiosmtpd), run as a process of its own.

    python smtp_sink.py --port 2525 --log accepted.jsonl --orders DIR

Every message it accepts is one JSON line in the log (its Message-ID, the outbox row it came from,
recipient, subject and the time of acceptance), written and flushed to disk before the server answers
250, as a real mail server queues a message before it says so.

Orders: a file DIR/kill-before or DIR/kill-after, taken (deleted) by the next message to arrive, makes
the server SIGKILL the process sending it: before accepting the message, or just after (the message is
recorded as accepted, and the sender dies before it reads the 250).

SIGTERM stops it as a mail server is stopped: new transactions are turned away with a 421 and the
messages being received are answered, then it closes.
"""

import argparse
import json
import os
import signal
import threading
import time
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller


def _sockets_of_peer(port):
    """Inodes of the TCP sockets whose local port is `port` (the sender's end of the connection)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def kill_sender(peer_port):
    """SIGKILL the process at the other end of a connection: the one holding the socket with that port."""
    wanted = {f"socket:[{inode}]" for inode in _sockets_of_peer(peer_port)}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid():
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in wanted:
                    os.kill(int(pid), signal.SIGKILL)
                    return int(pid)
            except OSError:
                continue
    return None


class Sink:
    def __init__(self, log, orders):
        self.log, self.orders = Path(log), Path(orders)
        self.closing = False

    def _take(self):
        for order in ("kill-before", "kill-after"):
            try:
                (self.orders / order).unlink()
            except FileNotFoundError:
                continue
            return order
        return None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.closing:
            return "421 4.3.2 Service shutting down"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # No await in here: once a message is recorded, its 250 is written before anything else runs.
        if self.closing:
            return "421 4.3.2 Service shutting down"
        order = self._take()
        if order == "kill-before":
            kill_sender(session.peer[1])
            return "451 4.3.0 Not accepted"
        message = message_from_bytes(envelope.content)
        record = {
            "message_id": message["Message-ID"],
            "portal_message": message["X-Portal-Message"],
            "to": envelope.rcpt_tos,
            "subject": message["Subject"],
            "accepted_at": time.time(),
        }
        with self.log.open("a") as log:
            log.write(json.dumps(record) + "\n")
            log.flush()
            os.fsync(log.fileno())
        if order == "kill-after":
            kill_sender(session.peer[1])
        return "250 2.0.0 Ok: queued"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--orders", required=True)
    args = parser.parse_args()
    sink = Sink(args.log, args.orders)
    controller = Controller(sink, hostname="127.0.0.1", port=args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    controller.start()
    print("ready", flush=True)
    stop.wait()
    sink.closing = True
    time.sleep(0.5)  # the messages being received are answered
    controller.stop()


if __name__ == "__main__":
    main()
