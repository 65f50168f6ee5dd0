"""Run the whole portal on one machine: web server, Celery worker and Celery beat together.

`make run` calls this after migrating and loading demo data. Ctrl-C stops all three.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand

from portal import demo


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and the Celery beat scheduler; Ctrl-C stops them all."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("PORTAL_ADDR", "127.0.0.1:8000"))

    def handle(self, *args, addr, **options):
        # Ctrl-C, a closed terminal or a plain `kill` all stop the three processes together.
        def stop(signum, frame):
            raise KeyboardInterrupt

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        python = sys.executable
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        commands = {
            "worker": [python, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [python, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO",
                     "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
            "web": [python, "manage.py", "runserver", "--noreload", addr],
        }
        children = {}
        try:
            for name, command in commands.items():
                children[name] = subprocess.Popen(command, start_new_session=True)
            host = addr if ":" in addr else f"127.0.0.1:{addr}"
            self._wait_until_serving(f"http://{host}/", children["web"])
            logins = "\n".join(f"    {username:<14} {who}" for username, who in demo.logins())
            self.stdout.write(self.style.SUCCESS(
                f"\nThe portal is at http://{host}/  (staff admin: http://{host}/admin/)\n"
                f"Demo logins, password {demo.PASSWORD}:\n{logins}\n"
                f"Worker and scheduler on {settings.CELERY_BROKER_URL}; "
                f"emails are written to {getattr(settings, 'EMAIL_FILE_PATH', settings.EMAIL_BACKEND)}\n"
                "Press Ctrl-C to stop the web server, worker and scheduler.\n"
            ))
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping the portal...")
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()  # the worker's main process shuts its pool down warmly itself
            deadline = time.monotonic() + 15
            for child in children.values():
                try:
                    child.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
            self.stdout.write("Stopped.")

    @staticmethod
    def _wait_until_serving(url, web, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and web.poll() is None:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                return
            except OSError:
                time.sleep(0.3)
