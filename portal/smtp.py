"""The mail backend the outbox sends through in production (EMAIL_HOST set): Django's SMTP backend, telling
the outbox the two moments that decide whether a message can be lost or doubled.

- `handing_over(email_message)` runs once the connection is open, just before the message goes to the
  server. It may raise to stop the send (the outbox does when its claim on the row is no longer held).
- `accepted(email_message, reply)` runs as soon as the server has answered the end of the message with
  its 250 ("queued as ..."), before the connection is closed: the row is marked sent then, so a worker
  that dies while saying goodbye to the server leaves nothing to send again.

Without the callbacks (a plain `send_mail`) it behaves as Django's backend does.
"""

import smtplib

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address


class _RepliesKept:
    """Keeps the server's answer to the message's data, which smtplib's sendmail() does not return."""

    data_reply = None

    def data(self, msg):
        self.data_reply = None
        code, reply = super().data(msg)
        self.data_reply = (code, reply)
        return code, reply


class _SMTP(_RepliesKept, smtplib.SMTP):
    pass


class _SMTP_SSL(_RepliesKept, smtplib.SMTP_SSL):
    pass


def reply_text(code, reply):
    return f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}".strip()


class OutboxSMTPBackend(smtp.EmailBackend):
    reports_handover = True  # the outbox leaves the two moments to this backend

    def __init__(self, *args, handing_over=None, accepted=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.handing_over = handing_over
        self.accepted = accepted

    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def _send(self, email_message):
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in email_message.recipients()]
        message = email_message.message().as_bytes(linesep="\r\n")
        if self.handing_over:
            self.handing_over(email_message)
        try:
            self.connection.sendmail(from_email, recipients, message)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        if self.accepted:
            self.accepted(email_message, reply_text(*(getattr(self.connection, "data_reply", None) or (250, ""))))
        return True
