"""The reminder ladder from the first reminder to suspension and back, on a moving clock.

Alice's invoice of £60.00 was due on Friday 15 January 2027. With the default ladder she is reminded at 7
and 14 days, given a final notice at 21 days naming a date 7 days on, and suspended only after that date.
"""

import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from billing.models import InvoiceEvent, Suspension, SuspensionStatus
from billing.services import dunning
from billing.services.payments import payment_record
from billing.tasks_dunning import reminder_ladder
from orders.models import ServiceStatus
from portal import clock
from portal.models import Channel
from tests.billing.ladder_helpers import days_late, holds, messages, move_clock, service_events, statuses
from tests.billing.ledger_helpers import issued_invoice
from tests.helpers import emails_to, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def at(monkeypatch):
    return lambda moment: move_clock(monkeypatch, moment)


@pytest.fixture
def invoice(alice):
    return issued_invoice(alice, "60.00", issue_date=date(2027, 1, 1))


@pytest.fixture
def services(alice):
    return holds(alice, "fttc", "pstn")


def run(at, moment, on_commit):
    at(moment)
    with on_commit():
        return reminder_ladder()


def ladder_kinds(invoice):
    return list(
        InvoiceEvent.objects.filter(invoice=invoice, kind__in=dunning.LADDER_KINDS)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )


def pay(customer, amount, invoice):
    return payment_record(
        customer=customer,
        method="transfer",
        received_on=clock.today(),
        amount=amount,
        reference=invoice.number,
        allocations=[(invoice, amount)],
    )


def test_the_ladder_from_first_reminder_to_suspension_and_back_on_payment(
    client, alice, ann, invoice, services, at, on_commit
):
    assert run(at, days_late(6), on_commit) == {}
    assert not emails_to("alice@example.co.uk")

    assert run(at, days_late(7), on_commit) == {"reminder_1": 1}
    [first] = emails_to("alice@example.co.uk")
    assert first.subject == f"Reminder: invoice {invoice.number} is overdue (£60.00 to pay)"
    body = first.body
    assert "This is a first reminder about invoice" in body and "Still to pay: £60.00." in body
    assert "due for payment on Friday 15 January 2027" in body
    # How to pay, quoting the invoice number (Code, Billing), with the bank details on the invoice.
    assert "sort code 30-94-57, account number 12345678" in body
    assert f"with {invoice.number} as the reference" in body
    assert "cheque payable to 121 Communications Ltd" in body

    assert run(at, days_late(14), on_commit) == {"reminder_2": 1}
    assert emails_to("alice@example.co.uk")[-1].subject.startswith("Reminder:")
    assert "This is a second reminder" in emails_to("alice@example.co.uk")[-1].body

    assert run(at, days_late(21), on_commit) == {"final_notice": 1}
    notice = emails_to("alice@example.co.uk")[-1]
    assert notice.subject == f"Final notice: invoice {invoice.number}, please pay by Friday 12 February 2027"
    assert "If it is still unpaid after that date, we will suspend your services" in notice.body
    assert "Please pay by Friday 12 February 2027." in notice.body
    assert ladder_kinds(invoice) == ["reminder_1", "reminder_2", "final_notice"]

    # Not on the date the notice named, however late in the day.
    assert run(at, days_late(28, hour=23), on_commit) == {}
    assert not Suspension.objects.exists()

    # The day after: proposed, for staff to confirm; nothing is suspended yet.
    assert run(at, days_late(29), on_commit) == {"proposed": 1, "suspended": 0}
    suspension = Suspension.objects.get()
    assert (suspension.status, suspension.suspend_on) == (SuspensionStatus.PROPOSED, date(2027, 2, 12))
    assert statuses(services) == [ServiceStatus.ACTIVE, ServiceStatus.ACTIVE]

    # Accounts staff confirm it in the admin.
    client.force_login(ann)
    change = reverse("admin:billing_suspension_change", args=[suspension.pk])
    assert "Confirm: suspend the services" in visible_text(client.get(change))
    with on_commit():
        response = client.post(
            reverse("admin:billing_suspension_action", args=[suspension.pk, "confirm"]), {"confirm": "on"}, follow=True
        )
    assert "Confirm: suspend the services: done." in visible_text(response)
    assert statuses(services) == [ServiceStatus.SUSPENDED, ServiceStatus.SUSPENDED]
    for service in services:
        assert service_events(service, "suspended") == [
            f"Service suspended: invoice {invoice.number} unpaid after its final notice."
        ]
    suspended = emails_to("alice@example.co.uk")[-1]
    assert suspended.subject == f"Your services are suspended: invoice {invoice.number} is unpaid"
    assert "FTTC" in suspended.body and "£60.00 of it is still unpaid" in suspended.body
    event = invoice.events.get(kind="suspended")
    assert event.by == ann and "Services suspended for non-payment" in event.text

    # A part payment leaves the invoice overdue: the services stay suspended.
    with on_commit():
        pay(alice, "20.00", invoice)
    assert statuses(services) == [ServiceStatus.SUSPENDED, ServiceStatus.SUSPENDED]
    assert not messages("services_restored", alice)

    # Paid in full: restored at once, with an event on each service and on the invoice, and she is told.
    with on_commit():
        pay(alice, "40.00", invoice)
    assert statuses(services) == [ServiceStatus.ACTIVE, ServiceStatus.ACTIVE]
    for service in services:
        assert service_events(service, "resumed") == ["Service restored: the account is paid."]
    restored = emails_to("alice@example.co.uk")[-1]
    assert restored.subject == "Your services are restored"
    assert "Thank you for your payment. Nothing is overdue on your account now" in restored.body
    suspension.refresh_from_db()
    assert suspension.status == SuspensionStatus.RESTORED
    assert invoice.events.filter(kind="restored").exists()

    # Nothing more happens to a paid invoice.
    assert run(at, days_late(40), on_commit) == {}


def test_running_the_job_twice_sends_each_step_once(alice, invoice, services, at, on_commit):
    run(at, days_late(7), on_commit)
    run(at, days_late(7, hour=11), on_commit)
    run(at, days_late(8), on_commit)
    assert len(emails_to("alice@example.co.uk")) == 1
    assert ladder_kinds(invoice) == ["reminder_1"]


def test_a_pass_looks_only_at_invoices_with_something_to_do(alice, bob, invoice, services, at, on_commit):
    """Hourly passes between the steps select nothing, so a pass costs what it sends, not what is overdue;
    an unpaid invoice on an account with nothing left to suspend is not looked at again every hour."""
    bobs = issued_invoice(bob, "25.00", issue_date=date(2027, 1, 1))  # Bob holds no service

    def selected(moment):
        at(moment)
        now = clock.now()
        reminders = set(dunning.invoices_for_reminders(now=now).values_list("pk", flat=True))
        return reminders, set(dunning.invoices_for_suspension(now=now).values_list("pk", flat=True))

    assert selected(days_late(6)) == (set(), set())
    assert selected(days_late(7)) == ({invoice.pk, bobs.pk}, set())
    run(at, days_late(7), on_commit)
    assert selected(days_late(7, hour=23)) == selected(days_late(13)) == (set(), set())
    assert selected(days_late(14)) == ({invoice.pk, bobs.pk}, set())
    run(at, days_late(21), on_commit)  # the job came late: the final notice only
    assert ladder_kinds(invoice) == ladder_kinds(bobs) == ["reminder_1", "final_notice"]
    assert selected(days_late(22)) == selected(days_late(28, hour=23)) == (set(), set())
    # The day after the date the notices named: Alice's services may be suspended; Bob has none.
    assert selected(days_late(29)) == (set(), {invoice.pk})
    run(at, days_late(29), on_commit)
    assert selected(days_late(30)) == selected(days_late(90)) == (set(), set())


def test_a_job_that_comes_late_sends_only_the_step_now_due(alice, invoice, services, at, on_commit):
    """Three weeks without a run: one final notice, not three letters in a morning."""
    assert run(at, days_late(22), on_commit) == {"final_notice": 1}
    assert ladder_kinds(invoice) == ["final_notice"]
    assert run(at, days_late(23), on_commit) == {}


def test_a_step_is_never_sent_twice_even_by_a_second_call(alice, invoice, services, at):
    at(days_late(7))
    assert dunning.ladder_advance(invoice_id=invoice.pk) == "reminder_1"
    assert dunning.ladder_advance(invoice_id=invoice.pk) is None
    assert dunning.send_step(invoice=invoice, kind="reminder_1") is None
    assert len(messages("payment_reminder", alice)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_one_reminder(alice, invoice, services, monkeypatch):
    """Two threads, two database connections, the same invoice at the same moment (PostgreSQL)."""
    assert connection.vendor == "postgresql"
    move_clock(monkeypatch, days_late(7))
    barrier = threading.Barrier(2)
    results = []

    def worker():
        from django.db import connection as own

        try:
            barrier.wait()
            results.append(dunning.ladder_run())
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results, key=len) == [{}, {"reminder_1": 1}]
    assert len(messages("payment_reminder", alice)) == 1
    assert ladder_kinds(invoice) == ["reminder_1"]


def test_auto_suspend_suspends_after_the_date_without_staff(alice, invoice, services, at, on_commit, settings):
    settings.BILLING = {**settings.BILLING, "AUTO_SUSPEND": True}
    run(at, days_late(21), on_commit)
    assert run(at, days_late(28), on_commit) == {}
    assert statuses(services) == [ServiceStatus.ACTIVE, ServiceStatus.ACTIVE]

    assert run(at, days_late(29), on_commit) == {"proposed": 1, "suspended": 1}
    assert statuses(services) == [ServiceStatus.SUSPENDED, ServiceStatus.SUSPENDED]
    assert Suspension.objects.get().suspended_by is None
    assert emails_to("alice@example.co.uk")[-1].subject.startswith("Your services are suspended")


def test_the_date_a_notice_named_holds_even_if_the_setting_shrinks(alice, invoice, services, at, on_commit, settings):
    run(at, days_late(21), on_commit)  # names Friday 12 February 2027
    settings.BILLING = {**settings.BILLING, "SUSPEND_AFTER_DAYS": 1}
    assert run(at, days_late(25), on_commit) == {}
    assert run(at, days_late(29), on_commit) == {"proposed": 1, "suspended": 0}


def test_letters_for_a_customer_who_takes_letters(carol, at, on_commit):
    invoice = issued_invoice(carol, "120.00", issue_date=date(2027, 1, 1))
    holds(carol, "isdn2")
    run(at, days_late(7), on_commit)
    run(at, days_late(21), on_commit)
    reminder, notice = messages("payment_reminder", carol) + messages("final_notice", carol)
    assert reminder.channel == notice.channel == Channel.LETTER
    assert "3 High Street" in notice.postal_address
    assert invoice.number in notice.body_html and "£120.00" in notice.body_html
    assert "Friday 12 February 2027" in notice.body_html
    assert "sort code 30-94-57" in notice.body_html
    assert invoice.events.get(kind="final_notice").text.startswith("Final notice sent by letter for £120.00")


def test_staff_must_tick_to_confirm_and_cannot_confirm_twice(client, ann, alice, invoice, services, at, on_commit):
    run(at, days_late(21), on_commit)
    run(at, days_late(29), on_commit)
    suspension = Suspension.objects.get()
    client.force_login(ann)
    url = reverse("admin:billing_suspension_action", args=[suspension.pk, "confirm"])
    assert "Tick the box to suspend the services." in visible_text(client.post(url, {"csrfmiddlewaretoken": "-"}))
    with on_commit():
        client.post(url, {"confirm": "on"})
    response = client.post(url, {"confirm": "on"}, follow=True)
    assert "does not apply" in visible_text(response)
    assert len(messages("services_suspended", alice)) == 1


def test_staff_may_decide_not_to_suspend(client, ann, alice, invoice, services, at, on_commit):
    run(at, days_late(21), on_commit)
    run(at, days_late(29), on_commit)
    suspension = Suspension.objects.get()
    client.force_login(ann)
    url = reverse("admin:billing_suspension_action", args=[suspension.pk, "cancel"])
    assert "Say why." in visible_text(client.post(url, {"reason": "  "}))
    client.post(url, {"reason": "Customer rang: paying on Friday"})
    suspension.refresh_from_db()
    assert suspension.status == SuspensionStatus.CANCELLED
    assert statuses(services) == [ServiceStatus.ACTIVE, ServiceStatus.ACTIVE]
    # Not proposed again for this invoice.
    assert run(at, days_late(35), on_commit) == {}


def test_customer_services_and_engineers_cannot_confirm_a_suspension(
    client, sam, eric, alice, invoice, services, at, on_commit
):
    run(at, days_late(21), on_commit)
    run(at, days_late(29), on_commit)
    suspension = Suspension.objects.get()
    url = reverse("admin:billing_suspension_action", args=[suspension.pk, "confirm"])
    for who in (sam, eric):
        client.force_login(who)
        assert client.post(url, {"confirm": "on"}).status_code in (403, 404)
    assert statuses(services) == [ServiceStatus.ACTIVE, ServiceStatus.ACTIVE]


def test_the_policy_page_shows_every_step_of_the_ladder(client, ann, settings):
    settings.BILLING = {**settings.BILLING, "REMINDER_DAYS": (5, 12), "FINAL_NOTICE_DAYS": 20}
    client.force_login(ann)
    page = visible_text(client.get(reverse("portal:policy")))
    assert "Reminders and suspension" in page
    assert "First reminder 5 days after the due date BILLING_REMINDER_DAYS" in page
    assert "Second reminder 12 days after the due date" in page
    assert "Final notice, naming the suspension date 20 days after the due date BILLING_FINAL_NOTICE_DAYS" in page
    assert "7 days after the final notice" in page
    assert "Suspension confirmed by Accounts staff, in the admin BILLING_AUTO_SUSPEND" in page


def test_the_demo_step_does_nothing_without_invoices(alice, carol, ann, at):
    from billing.demo_ledger import ledger_demo

    ledger_demo({"alice": alice, "carolsbakery": carol}, {"ann": ann}, at(days_late(7)))
    assert not InvoiceEvent.objects.exists()


def test_the_demo_step_pays_one_part_pays_one_and_reminds_one(alice, carol, ann, at, on_commit):
    from billing.demo_ledger import ledger_demo
    from billing.models import InvoiceStatus

    overdue = issued_invoice(alice, "60.00", issue_date=date(2027, 1, 1))
    paid = issued_invoice(alice, "30.00", issue_date=date(2027, 2, 1))
    part = issued_invoice(carol, "80.00", issue_date=date(2027, 1, 28))
    with on_commit():
        ledger_demo({"alice": alice, "carolsbakery": carol}, {"ann": ann}, at(days_late(20)))
    for invoice in (overdue, paid, part):
        invoice.refresh_from_db()
    assert ladder_kinds(overdue) == ["reminder_1"] and overdue.status == InvoiceStatus.OPEN
    assert paid.status == InvoiceStatus.PAID
    assert (part.status, part.outstanding) == (InvoiceStatus.OPEN, part.total / 2)
