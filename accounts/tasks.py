import logging

from celery import shared_task

from accounts import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def registrations_expire():
    """Selection: registrations still waiting for confirmation whose link no longer works (older than
    REGISTRATION_LINK_DAYS). They are deleted, as the privacy policy says."""
    deleted = services.registrations_expire()
    if deleted:
        logger.info("Registrations: %s unconfirmed deleted", deleted)
    return deleted
