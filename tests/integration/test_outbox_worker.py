"""The outbox across processes: a real worker on Redis and PostgreSQL sends what the portal saved."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Correspondence, CustomerType, PendingRegistration, User
from portal import outbox
from portal.models import OutboxMessage, Status
from portal.tasks import outbox_requeue
from tests.worker import broker_unreachable

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _register(username="dora", email="dora@example.co.uk"):
    return account_services.customer_register(
        username=username,
        password="a-Strong-pass-99",
        full_name="Dora Davies",
        email=email,
        address="5 Mill Lane\nMaidstone",
        postcode="ME15 6AA",
        customer_type=CustomerType.RESIDENTIAL,
        correspondence=Correspondence.EMAIL,
        marketing_opt_in=False,
    )


def test_a_real_worker_delivers_the_welcome_email(celery_worker, real_broker):
    customer = _register()

    [email] = celery_worker.wait_for_emails(1)

    assert email["To"] == "Dora Davies <dora@example.co.uk>"
    assert email["Subject"] == "Welcome to 121 Communications"
    assert "Your account username is dora" in email.get_body(preferencelist=("plain",)).get_content()
    message = OutboxMessage.objects.get(customer=customer)
    celery_worker.wait_until(
        lambda: OutboxMessage.objects.get(pk=message.pk).status == Status.SENT,
        what="the welcome email to be recorded as sent",
    )
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 1
    assert email["X-Portal-Message"] == str(message.pk)


def test_a_duplicated_task_sends_nothing_twice(celery_worker, real_broker):
    before = celery_worker.tasks_done("portal.tasks.outbox_send")
    customer = _register(username="eve", email="eve@example.co.uk")
    message = OutboxMessage.objects.get(customer=customer)

    # The broker redelivers, or a periodic job queues it again while the first task runs.
    outbox.enqueue(message.pk)
    outbox.enqueue(message.pk)
    celery_worker.wait_for_tasks("portal.tasks.outbox_send", before + 3)

    sent = [e for e in celery_worker.emails() if e["X-Portal-Message"] == str(message.pk)]
    assert len(sent) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)


def test_with_the_broker_down_the_newcomer_still_succeeds_and_the_email_goes_once_it_is_back(
    celery_worker, real_broker, client, settings
):
    with broker_unreachable():
        response = client.post(
            reverse("accounts:register"),
            {
                "username": "frank",
                "full_name": "Frank Fisher",
                "email": "frank@example.co.uk",
                "phone": "",
                "customer_type": "residential",
                "company_name": "",
                "address": "9 Bank Street\nMaidstone",
                "postcode": "ME14 1SS",
                "correspondence": "email",
                "password1": "a-Strong-pass-99",
                "password2": "a-Strong-pass-99",
            },
            follow=True,
        )

        # The newcomer is told to check their email, and nothing they gave us is lost.
        assert "We have sent an email to <strong>frank@example.co.uk</strong>" in response.content.decode()
        assert PendingRegistration.objects.get().username == "frank"
        message = OutboxMessage.objects.get(to_email="frank@example.co.uk")
        assert message.status == Status.QUEUED
        # The periodic job cannot reach the broker either: the message just keeps waiting.
        settings.OUTBOX_REQUEUE_AFTER_SECONDS = 0
        outbox_requeue()
        message.refresh_from_db()
        assert message.status == Status.QUEUED

    assert not [e for e in celery_worker.emails() if e["To"].addresses[0].username == "frank"]
    before = celery_worker.tasks_done("portal.tasks.outbox_send")

    # The broker is back. The periodic job runs (twice, as two beats might) and the worker sends once.
    outbox_requeue()
    outbox_requeue()
    celery_worker.wait_for_tasks("portal.tasks.outbox_send", before + 2)

    sent = [e for e in celery_worker.emails() if e["To"].addresses[0].username == "frank"]
    assert len(sent) == 1
    assert sent[0]["Subject"] == "Finish creating your 121 Communications account"
    message.refresh_from_db()
    assert message.status == Status.SENT and message.sent_at <= timezone.now()
    # The worker made the link as it sent: it finishes the registration.
    body = sent[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+(/account/register/finish/\S+/)", body).group(1)
    client.post(link, {"password": "a-Strong-pass-99"})
    assert User.objects.get(username="frank").email == "frank@example.co.uk"
