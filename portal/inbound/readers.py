"""Where the poller reads the company's mailbox: an IMAP server (INBOUND_IMAP_URL), or on the embedded
default a maildir under var/ (INBOUND_MAILDIR), read with the standard library's mailbox module.

Both give each waiting email as its original bytes with the time it reached the mailbox, and move emails
to the processed folder (INBOUND_PROCESSED_FOLDER), a batch at a time, when the poller says so. Nothing here deletes mail: the
processed folder keeps it.

Decision: IMAPClient rather than imap-tools. imap-tools fetches "BODY[] UID FLAGS RFC822.SIZE" and hands
back a re-parsed email.message, so neither the original bytes (which we store) nor INTERNALDATE (the time
the server received the email, from which every deadline counts) come out of it without hand-written
protocol code; IMAPClient fetches both as asked and parses the response itself.
"""

import mailbox
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from imapclient import IMAPClient

FETCH_BATCH = 50  # emails per FETCH command: bounded memory however large the backlog


@dataclass
class Waiting:
    """One email waiting in the mailbox."""

    raw: bytes
    received_at: datetime | None
    token: object  # what the reader needs to move it: an IMAP UID, a maildir key


@dataclass(frozen=True)
class ImapAddress:
    tls: bool
    host: str
    port: int
    username: str
    password: str
    folder: str

    @classmethod
    def from_url(cls, url):
        """imaps://user:password@host:993/INBOX (TLS) or imap://user:password@host:143/INBOX (plain,
        STARTTLS when offered). The user and password are URL-encoded: portal%40example.co.uk."""
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise ImproperlyConfigured(
                "INBOUND_IMAP_URL must look like imaps://user:password@host:993/INBOX (the user URL-encoded)."
            )
        tls = parts.scheme == "imaps"
        return cls(
            tls=tls,
            host=parts.hostname,
            port=parts.port or (993 if tls else 143),
            username=unquote(parts.username),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
        )

    def __str__(self):  # never the password: this is what logs and the stored emails' source show
        return f"{'imaps' if self.tls else 'imap'}://{self.username}@{self.host}:{self.port}/{self.folder}"


class ImapReader:
    def __init__(self, address, *, processed_folder, timeout):
        self.address = address
        self.processed_folder = processed_folder
        self.timeout = timeout
        self.client = None

    @property
    def source(self):
        return str(self.address)

    def __enter__(self):
        address = self.address
        client = IMAPClient(address.host, port=address.port, ssl=address.tls, timeout=self.timeout)
        try:
            # A plain connection is upgraded whenever the server offers it; certificates are checked as
            # for any TLS connection (SSL_CERT_FILE names a private CA's certificate).
            if not address.tls and client.has_capability("STARTTLS"):
                client.starttls(ssl.create_default_context())
            client.login(address.username, address.password)
            client.normalise_times = False  # INTERNALDATE with its zone, not naive local time
            if not client.folder_exists(self.processed_folder):
                client.create_folder(self.processed_folder)
            client.select_folder(address.folder)
        except Exception:
            client.shutdown()
            raise
        self.client = client
        return self

    def __exit__(self, *exc):
        try:
            self.client.logout()
        except Exception:
            self.client.shutdown()

    def waiting(self, limit):
        uids = sorted(self.client.search(["NOT", "DELETED"]))[:limit]
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            fetched = self.client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"])
            for uid in batch:
                data = fetched.get(uid)
                if not data or b"BODY[]" not in data:
                    continue  # moved or expunged by someone else meanwhile
                received = data.get(b"INTERNALDATE")
                if isinstance(received, datetime) and received.tzinfo is not None:
                    received = received.astimezone(UTC)
                else:
                    received = None
                yield Waiting(raw=bytes(data[b"BODY[]"]), received_at=received, token=uid)

    def move(self, items):
        uids = [item.token for item in items]
        if self.client.has_capability("MOVE"):
            self.client.move(uids, self.processed_folder)
            return
        # Without MOVE: copy, then remove the originals from the inbox only (the copies are kept).
        self.client.copy(uids, self.processed_folder)
        self.client.delete_messages(uids)
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge(uids)
        else:
            self.client.expunge()


class MaildirReader:
    """The embedded default's mailbox: a maildir (new/, cur/, tmp/) whose processed emails go to its
    sub-folder .Processed. Drop an .eml file into new/ and the next pass reads it."""

    def __init__(self, path, *, processed_folder):
        self.path = Path(path)
        self.processed_folder = processed_folder

    @property
    def source(self):
        return f"maildir:{self.path}"

    def __enter__(self):
        for folder in ("new", "cur", "tmp"):  # someone may have made only new/ to drop a file into
            (self.path / folder).mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(self.path, factory=None, create=True)
        self.done = self.box.add_folder(self.processed_folder)
        return self

    def __exit__(self, *exc):
        return None

    def waiting(self, limit):
        for key in sorted(self.box.keys())[:limit]:
            try:
                raw = self.box.get_bytes(key)
                delivered = self.box.get_message(key).get_date()  # the file's time: when it was delivered
            except (KeyError, FileNotFoundError):
                continue  # taken by another poller meanwhile
            yield Waiting(raw=raw, received_at=datetime.fromtimestamp(delivered, tz=UTC), token=key)

    def move(self, items):
        for item in items:
            self.done.add(item.raw)
            self.box.discard(item.token)


def from_settings():
    """The reader the settings name: IMAP when INBOUND_IMAP_URL is set, else the maildir."""
    if settings.INBOUND_IMAP_URL:
        return ImapReader(
            ImapAddress.from_url(settings.INBOUND_IMAP_URL),
            processed_folder=settings.INBOUND_PROCESSED_FOLDER,
            timeout=settings.INBOUND_IMAP_TIMEOUT,
        )
    return MaildirReader(settings.INBOUND_MAILDIR, processed_folder=settings.INBOUND_PROCESSED_FOLDER)
