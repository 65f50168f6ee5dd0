"""Store first: an email's original bytes and its row, in one transaction, before anything else.

The row is the mark that the message is taken: the poller moves a message on the server only after this
has committed (portal/inbound/poller.py), so a poller killed in between leaves the message where it was,
and the next pass finds the row by its dedupe key and makes no second one.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from portal import clock
from portal.inbound.parsing import dedupe_key, parse
from portal.models import InboundAttachment, InboundMessage, InboundStatus


def _raw_name(key, received_at):
    return f"inbound/{received_at:%Y/%m}/{key}.eml"


def store(raw, *, received_at=None, source="", now=None):
    """Keep one email. Returns (message, created): the existing record when this email was stored before.

    `received_at` is when it reached the mailbox (IMAP INTERNALDATE, a maildir file's delivery time); with
    none, or one in the future (a server clock ahead of ours), the time we store it. An email that cannot
    be read at all is kept as it is and flagged for staff."""
    now = now or clock.now()
    received_at = min(received_at or now, now)
    parsed = parse(raw)
    key = dedupe_key(raw, parsed.message_id)
    existing = InboundMessage.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return existing, False
    limit = settings.INBOUND_MAX_ATTACHMENT_BYTES
    notes = list(parsed.problems)
    refused = [a for a in parsed.attachments if a.size > limit]
    if refused:
        notes.append(
            f"{len(refused)} attachment(s) over the {limit:,}-byte limit refused: "
            + ", ".join(a.filename or a.content_type for a in refused)
            + ". The email itself is kept whole."
        )
    if parsed.unreadable:
        notes.insert(0, parsed.unreadable)
    name = _raw_name(key, received_at)
    try:
        with transaction.atomic():
            if not default_storage.exists(name):  # left by an earlier attempt whose transaction rolled back
                name = default_storage.save(name, ContentFile(raw))
            message = InboundMessage.objects.create(
                dedupe_key=key,
                raw=name,
                size=len(raw),
                source=source[:200],
                message_id=parsed.message_id,
                in_reply_to=" ".join(parsed.in_reply_to),
                references=" ".join(parsed.references),
                from_address=parsed.from_address,
                from_name=parsed.from_name,
                to=parsed.to,
                subject=parsed.subject,
                sent_at=parsed.sent_at,
                received_at=received_at,
                stored_at=now,
                text=parsed.text,
                text_from_html=parsed.text_from_html,
                robot_reason=parsed.robot_reason[:200],
                note="\n".join(notes),
                status=InboundStatus.FLAGGED if parsed.unreadable else InboundStatus.NEW,
            )
            InboundAttachment.objects.bulk_create(
                InboundAttachment(
                    message=message,
                    position=position,
                    filename=a.filename,
                    content_type=a.content_type,
                    size=a.size,
                    refused=a.size > limit,
                )
                for position, a in enumerate(parsed.attachments, start=1)
            )
    except IntegrityError:
        # Another poller stored the same email a moment ago: that record is the one.
        return InboundMessage.objects.get(dedupe_key=key), False
    return message, True
