"""A throwaway Dovecot IMAP server on a loopback port, for the mailbox tests and bench/inbound.py.

Its own config, folders and password file, in a folder of its own that Dovecot's unprivileged processes
can read; mail is kept as user `mail` (uid 8), since Dovecot refuses to run mail processes as root."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from imapclient import IMAPClient

USER = "portal@example.test"  # the company's mailbox login: "@" and all, URL-encoded in INBOUND_IMAP_URL
PASSWORD = "mailbox secret"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{base}/mail/%u
first_valid_uid = 8
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
{imaps}}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={base}/mail/%u
}}
"""


class DovecotMissing(RuntimeError):
    pass


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TLS = """ssl = yes
ssl_cert = <{base}/cert.pem
ssl_key = <{base}/key.pem"""

IMAPS = """  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
"""


class Dovecot:
    """`tls=True`: with a certificate for 127.0.0.1 of its own (`cert`), offering STARTTLS on the plain port
    and implicit TLS on `tls_port`."""

    def __init__(self, *, tls=False):
        self.binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not os.path.exists(self.binary):
            raise DovecotMissing("Dovecot is not installed: `apt-get install dovecot-imapd` (.ci/run does).")
        self.base = Path(tempfile.mkdtemp(prefix="portal-dovecot-"))
        self.base.chmod(0o755)  # tempfile's 0700 would keep Dovecot's own processes out
        self.port = _free_port()
        self.tls_port = _free_port() if tls else None
        self.cert = self.base / "cert.pem" if tls else None
        self.process = None

    @property
    def url(self):
        return f"imap://{quote(USER, safe='')}:{quote(PASSWORD, safe='')}@127.0.0.1:{self.port}/INBOX"

    def start(self):
        (self.base / "mail").mkdir()
        (self.base / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        if self.cert:
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
                + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(self.base / "key.pem")]
                + ["-out", str(self.cert)],
                check=True,
                capture_output=True,
            )
        (self.base / "dovecot.conf").write_text(
            CONFIG.format(
                base=self.base,
                port=self.port,
                ssl=TLS.format(base=self.base) if self.cert else "ssl = no",
                imaps=IMAPS.format(port=self.tls_port) if self.cert else "",
            )
        )
        shutil.chown(self.base / "mail", "mail", "mail")
        # In the foreground (-F), as our own child, so it stops with us.
        self.output = (self.base / "dovecot.out").open("w")
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.base / "dovecot.conf")], stdout=self.output, stderr=self.output
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("Dovecot did not start:\n" + self.log()) from None
                time.sleep(0.05)

    def log(self):
        return "".join(p.read_text() for p in (self.base / "dovecot.out", self.base / "dovecot.log") if p.exists())

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.output.close()
        shutil.rmtree(self.base, ignore_errors=True)

    def client(self, folder="INBOX"):
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        if folder:
            client.select_folder(folder)
        return client

    def append(self, raw, *, at=None, folder="INBOX"):
        client = self.client(folder=None)
        try:
            client.append(folder, raw, msg_time=at)
        finally:
            client.logout()

    def count(self, folder="INBOX"):
        client = self.client(folder=None)
        try:
            if not client.folder_exists(folder):
                return 0
            return client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"]
        finally:
            client.logout()

    def empty(self):
        client = self.client(folder=None)
        try:
            for folder in ("INBOX", "Processed"):
                if client.folder_exists(folder):
                    client.select_folder(folder)
                    uids = client.search()
                    if uids:
                        client.delete_messages(uids)
                        client.expunge()
        finally:
            client.logout()
