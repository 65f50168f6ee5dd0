"""One pass over the company's mailbox: store each waiting email, then move it, then sort it.

Store first, move second: the email's bytes and its row are committed (portal/inbound/storing.py) before
the email is moved to the processed folder on the server, so a poller killed at any point loses nothing;
one killed between the two leaves the email in the inbox, and the next pass finds it already stored (its
dedupe key) and only moves it. Sorting is guarded by the row's status, so it happens once, whichever pass
gets there. One bad email is flagged and the pass goes on: nothing here stops at a message.
"""

import logging
from collections import Counter

from django.conf import settings

from portal import clock
from portal.inbound import readers
from portal.inbound.sorting import sort, sort_waiting
from portal.inbound.storing import store

logger = logging.getLogger(__name__)


def fetch_mail(*, reader=None, limit=None, now=None):
    """Read what waits in the mailbox (at most `limit`, default INBOUND_FETCH_LIMIT). Returns counts:
    fetched, stored (new records), already stored, moved, left (not moved: tried again next pass),
    failed (not stored: left on the server), and one count per status the sorted emails reached.

    Emails are taken in batches: each email of a batch is stored (its own transaction, committed), then the
    batch is moved with one command, then each is sorted. Raises only when the mailbox itself cannot be
    reached (the periodic job logs it and runs again)."""
    counts = Counter()
    counts["sorted earlier leftovers"] = sort_waiting(now=now)
    reader = reader or readers.from_settings()
    with reader:
        batch = []
        for item in reader.waiting(limit or settings.INBOUND_FETCH_LIMIT):
            counts["fetched"] += 1
            try:
                message, created = store(item.raw, received_at=item.received_at, source=reader.source, now=now)
            except Exception:
                counts["failed"] += 1
                logger.exception("An email in %s could not be stored; it stays there for the next pass", reader.source)
                continue
            counts["stored" if created else "already stored"] += 1
            batch.append((item, message))
            if len(batch) >= readers.FETCH_BATCH:
                _move_and_sort(reader, batch, counts, now)
                batch = []
        _move_and_sort(reader, batch, counts, now)
    if counts["fetched"]:
        logger.info("Mailbox %s: %s", reader.source, ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v))
    return counts


def _move_and_sort(reader, batch, counts, now):
    if not batch:
        return
    try:
        reader.move([item for item, _ in batch])
    except Exception:
        counts["left"] += len(batch)
        logger.exception("%s email(s) are stored but could not be moved; the next pass moves them", len(batch))
    else:
        counts["moved"] += len(batch)
    for _, message in batch:
        status = sort(message.pk, now=now or clock.now())
        if status:
            counts[status] += 1
