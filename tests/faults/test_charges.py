"""Code (Fault Repair): "We reserve the right to charge for any abortive work or visit arising from faults
over which we have no control." A chargeable visit outcome makes exactly one pending charge, at the
amount the customer was shown before accepting; billing takes pending charges; a waived one never."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from faults import services
from faults.models import ChargeStatus, EventKind, Location, Outcome, SlotStatus, Status, VisitCharge
from faults.selectors import charges_to_invoice
from portal.workflow import Refused
from tests.faults.helpers import AFTER_VISIT, booked, investigating, offer, report
from tests.helpers import emails_to, ldn, visible_text

pytestmark = pytest.mark.django_db

OUTCOMES = [
    (Outcome.NO_FAULT_FOUND, Status.INVESTIGATING, Location.UNKNOWN),
    (Outcome.NO_ACCESS, Status.INVESTIGATING, Location.UNKNOWN),
    (Outcome.CUSTOMER_EQUIPMENT, Status.NOT_OUR_FAULT, Location.CUSTOMER_EQUIPMENT),
]


@pytest.mark.parametrize("outcome, status, location", OUTCOMES, ids=[o for o, *_ in OUTCOMES])
def test_each_chargeable_outcome_makes_exactly_one_pending_charge_of_the_policy_amount(
    alice, eric, on_commit, outcome, status, location
):
    fault, visit = booked(alice, eric)

    with on_commit():
        _, charge = services.visit_record_outcome(visit=visit, outcome=outcome, by=eric, now=AFTER_VISIT)

    [only] = VisitCharge.objects.all()
    assert only == charge
    assert (charge.amount, charge.vat_rate, charge.status) == (Decimal("85.00"), Decimal("0.200"), ChargeStatus.PENDING)
    assert (charge.customer, charge.fault, charge.visit) == (alice, fault, visit)
    fault.refresh_from_db()
    assert (fault.status, fault.location) == (status, location)
    assert [m.subject for m in emails_to("alice@example.co.uk")[-2:]] == [
        f"What the engineer's visit found ({fault.reference})",
        f"A charge for the engineer's visit ({fault.reference})",
    ]
    assert "Charge: £85.00 + VAT (£102.00 inc. VAT)" in emails_to("alice@example.co.uk")[-1].body
    assert fault.events.filter(kind=EventKind.OUTCOME).count() == 1
    assert fault.events.get(kind=EventKind.CHARGE).text == (
        "A charge of £85.00 + VAT (£102.00 inc. VAT) for the visit will be on your next invoice."
    )


def test_a_visit_that_fixed_the_fault_is_never_charged(alice, eric):
    fault, visit = booked(alice, eric)

    _, charge = services.visit_record_outcome(
        visit=visit, outcome=Outcome.FIXED, by=eric, now=AFTER_VISIT, notes="Replaced the faulty master socket."
    )

    assert charge is None
    assert not VisitCharge.objects.exists()
    fault.refresh_from_db()
    assert (fault.status, fault.resolved_at) == (Status.RESOLVED, AFTER_VISIT)


def test_the_outcome_of_a_visit_is_recorded_once(alice, eric):
    fault, visit = booked(alice, eric)
    services.visit_record_outcome(visit=visit, outcome=Outcome.NO_ACCESS, by=eric, now=AFTER_VISIT)

    with pytest.raises(Refused, match="already recorded: no access to the premises"):
        services.visit_record_outcome(visit=visit, outcome=Outcome.CUSTOMER_EQUIPMENT, by=eric, now=AFTER_VISIT)

    visit.refresh_from_db()
    assert visit.outcome == Outcome.NO_ACCESS
    assert VisitCharge.objects.count() == 1
    assert fault.events.filter(kind=EventKind.OUTCOME).count() == 1


def test_the_database_refuses_a_second_charge_for_the_same_visit(alice, eric):
    _, visit = booked(alice, eric)
    _, charge = services.visit_record_outcome(visit=visit, outcome=Outcome.NO_FAULT_FOUND, by=eric, now=AFTER_VISIT)

    with pytest.raises(IntegrityError), transaction.atomic():
        VisitCharge.objects.create(
            visit=visit,
            customer=alice,
            fault=charge.fault,
            amount=Decimal("85.00"),
            vat_rate=Decimal("0.20"),
            description="A second charge",
        )

    assert VisitCharge.objects.count() == 1


def test_an_outcome_cannot_be_recorded_before_the_visit_has_started(alice, eric):
    _, visit = booked(alice, eric)  # Tuesday 1 December, afternoon

    with pytest.raises(Refused, match="has not started yet"):
        services.visit_record_outcome(visit=visit, outcome=Outcome.NO_ACCESS, by=eric, now=ldn(2026, 12, 1, 12, 59))

    assert not VisitCharge.objects.exists()


def test_billing_takes_pending_charges_and_a_waived_charge_never_reaches_an_invoice(alice, eric, sam, on_commit):
    _, first = booked(alice, eric)
    _, kept = services.visit_record_outcome(visit=first, outcome=Outcome.NO_ACCESS, by=eric, now=AFTER_VISIT)
    second_fault = report(alice, at=ldn(2026, 12, 2, 10, 0))
    investigating(second_fault, eric, at=ldn(2026, 12, 2, 10, 5))
    [slot] = offer(second_fault, eric, at=ldn(2026, 12, 2, 10, 5), slots=[(date(2026, 12, 3), "morning")])
    services.visit_slot_accept(
        slot=slot, customer=alice, charge_understood=True, amount_shown="85.00", now=ldn(2026, 12, 2, 11, 0)
    )
    _, waived = services.visit_record_outcome(
        visit=slot, outcome=Outcome.NO_FAULT_FOUND, by=eric, now=ldn(2026, 12, 3, 12, 0)
    )
    assert list(charges_to_invoice(customer=alice)) == [kept, waived]

    with on_commit():
        services.visit_charge_waive(
            charge=waived, by=sam, reason="The fault came back the next day: it was ours.", now=ldn(2026, 12, 4, 10, 0)
        )

    assert list(charges_to_invoice(customer=alice)) == [kept]
    with pytest.raises(Refused, match="This charge was waived: it never goes on an invoice."):
        services.visit_charge_mark_invoiced(charge=waived, invoice_reference="INV-000042")
    waived.refresh_from_db()
    assert (waived.status, waived.invoice_reference) == (ChargeStatus.WAIVED, "")
    assert emails_to("alice@example.co.uk")[-1].subject == f"We have waived the charge ({second_fault.reference})"
    assert "The fault came back the next day: it was ours." in emails_to("alice@example.co.uk")[-1].body

    services.visit_charge_mark_invoiced(charge=kept, invoice_reference="INV-000042", now=ldn(2026, 12, 31, 9, 0))
    assert list(charges_to_invoice(customer=alice)) == []
    with pytest.raises(Refused, match="already on invoice INV-000042"):
        services.visit_charge_mark_invoiced(charge=kept, invoice_reference="INV-000043")


def test_a_waiver_needs_a_reason_and_only_a_pending_charge_can_be_waived(alice, eric, sam):
    _, visit = booked(alice, eric)
    _, charge = services.visit_record_outcome(visit=visit, outcome=Outcome.NO_ACCESS, by=eric, now=AFTER_VISIT)

    with pytest.raises(Refused, match="Give the reason"):
        services.visit_charge_waive(charge=charge, by=sam, reason="  ")
    services.visit_charge_mark_invoiced(charge=charge, invoice_reference="INV-000007")
    with pytest.raises(Refused, match="Only a pending charge can be waived; this one is invoiced"):
        services.visit_charge_waive(charge=charge, by=sam, reason="Goodwill")


def test_the_amount_shown_before_accepting_is_the_amount_charged(client, alice, eric, settings, clock_at):
    settings.PORTAL_POLICY = {**settings.PORTAL_POLICY, "ABORTIVE_VISIT_CHARGE": Decimal("90.00")}
    fault = report(alice, at=ldn(2026, 11, 28, 22, 30))
    investigating(fault, eric, at=ldn(2026, 11, 30, 9, 5))
    [slot] = offer(fault, eric, at=ldn(2026, 11, 30, 9, 10), slots=[(date(2026, 12, 1), "afternoon")])
    clock_at(ldn(2026, 11, 30, 9, 30))
    client.force_login(alice)

    page = client.get(reverse("faults:fault_detail", args=[fault.pk]))
    assert "we may charge £90.00 + VAT (£108.00 inc. VAT) for the visit" in visible_text(page)
    client.post(
        reverse("faults:slot_accept", args=[fault.pk, slot.pk]),
        {"charge_understood": "on", "amount_shown": page.context["charge_amount"]},
    )
    slot.refresh_from_db()
    assert slot.charge_warning_shown_amount == Decimal("90.00")

    # The policy changes after she accepted: she is charged what she was shown.
    settings.PORTAL_POLICY = {**settings.PORTAL_POLICY, "ABORTIVE_VISIT_CHARGE": Decimal("95.00")}
    _, charge = services.visit_record_outcome(visit=slot, outcome=Outcome.CUSTOMER_EQUIPMENT, by=eric, now=AFTER_VISIT)
    assert charge.amount == slot.charge_warning_shown_amount == Decimal("90.00")

    clock_at(AFTER_VISIT)
    page = visible_text(client.get(reverse("faults:fault_detail", args=[fault.pk])))
    assert "Outcome: Fault in customer equipment" in page
    assert "Charge for this visit: £90.00 + VAT (£108.00 inc. VAT): Pending: on your next invoice" in page


def test_an_acceptance_against_an_amount_that_has_since_changed_is_refused(alice, eric):
    fault = report(alice, at=ldn(2026, 11, 28, 22, 30))
    investigating(fault, eric, at=ldn(2026, 11, 30, 9, 5))
    [slot] = offer(fault, eric, at=ldn(2026, 11, 30, 9, 10), slots=[(date(2026, 12, 1), "afternoon")])

    with pytest.raises(Refused, match="has changed since you opened this page"):
        services.visit_slot_accept(
            slot=slot, customer=alice, charge_understood=True, amount_shown="80.00", now=ldn(2026, 11, 30, 9, 30)
        )

    slot.refresh_from_db()
    assert slot.status == SlotStatus.OFFERED
