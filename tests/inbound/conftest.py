"""A real IMAP server for the mailbox tests: Debian's Dovecot (dovecot-imapd), started once for the run on a
loopback port with a throwaway mailbox of its own (tests/inbound/dovecot.py), emptied before each test.
Messages go in over IMAP (APPEND, with the arrival time the test chooses as INTERNALDATE); the poller then
reads them as it reads the company's mailbox. No Dovecot is a failure, never a skip."""

import pytest

from tests.inbound.dovecot import Dovecot, DovecotMissing
from tests.orders.conftest import alices_fttc, fttc, products  # noqa: F401  (the catalogue and Alice's line)


@pytest.fixture(scope="session")
def dovecot():
    try:
        server = Dovecot().start()
    except (DovecotMissing, RuntimeError) as problem:
        pytest.fail(str(problem))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailbox(dovecot, settings):
    """The company's mailbox on Dovecot, empty, and the portal pointed at it (INBOUND_IMAP_URL)."""
    settings.INBOUND_IMAP_URL = dovecot.url
    dovecot.empty()
    return dovecot


@pytest.fixture(autouse=True)
def _kept_files(settings, tmp_path):
    """The raw emails go to this test's own folder (the storage API's MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path / "media"
