"""Rows carried as JSON in another record's query come back as the ORM would have loaded them."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from faults.models import Fault, FaultCheck, FaultEvent
from orders.models import Cancellation, CancellationStatus, Service, ServiceStatus
from portal.embedded import OUTER, fetch, one_row, row_from, rows, rows_from, timeline_from, timeline_rows
from tests.faults.helpers import make_service, report
from tests.helpers import ldn

pytestmark = pytest.mark.django_db


def values(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def types(instance):
    return {name: type(value) for name, value in values(instance).items()}


def test_one_row_gives_back_every_field_with_its_type(alice):
    service = make_service(alice)
    Service.objects.filter(pk=service.pk).update(monthly_price=Decimal("26.50"))
    cancellation = Cancellation.objects.create(
        service=service,
        channel="portal",
        received_at=timezone.now(),
        quoted_username=alice.username,
        withdrawal_date=date(2027, 1, 5),
        withdrawal_reason="minimum_term",
        service_status_before=ServiceStatus.ACTIVE,
        recorded_by=alice,
    )
    active = one_row(Cancellation, f"service_id = {OUTER} AND status = %s", CancellationStatus.ACTIVE, outer=Service)
    # The service again, through its cancellation: a Decimal, dates and a foreign key of another model.
    with_service = one_row(Cancellation, f"service_id = {OUTER}", outer=Service, related=("service",))
    read = Service.objects.annotate(cancellation_row=active, with_service=with_service).get(pk=service.pk)

    embedded_cancellation = row_from(Cancellation, read.cancellation_row)
    embedded_service = row_from(Cancellation, read.with_service, related=("service",)).service

    loaded_cancellation = Cancellation.objects.get(pk=cancellation.pk)
    loaded_service = Service.objects.get(pk=service.pk)
    assert values(embedded_cancellation) == values(loaded_cancellation)
    assert types(embedded_cancellation) == types(loaded_cancellation)
    assert values(embedded_service) == values(loaded_service)
    assert types(embedded_service) == types(loaded_service)
    assert embedded_service.monthly_price == Decimal("26.50") and str(embedded_service.monthly_price) == "26.50"
    assert isinstance(embedded_cancellation.received_at, datetime) and embedded_cancellation.received_at.tzinfo
    assert embedded_cancellation.withdrawn_at is None  # a NULL stays None
    assert embedded_cancellation.get_withdrawal_reason_display() == loaded_cancellation.get_withdrawal_reason_display()
    assert embedded_cancellation._state.adding is False  # saved rows, as the ORM's own


def test_one_row_of_nothing_is_none(alice):
    service = make_service(alice)
    active = one_row(Cancellation, f"service_id = {OUTER} AND status = %s", CancellationStatus.ACTIVE, outer=Service)

    read = Service.objects.annotate(cancellation_row=active).get(pk=service.pk)

    assert row_from(Cancellation, read.cancellation_row) is None


def test_rows_give_back_every_row_in_order_and_none_for_no_rows(alice):
    fault = report(alice, at=ldn(2026, 11, 23, 10, 0))
    quiet = report(alice, at=ldn(2026, 11, 23, 11, 0))
    FaultCheck.objects.filter(fault=quiet).delete()
    checks = rows(FaultCheck, f"fault_id = {OUTER}", outer=Fault)

    read = {f.pk: f for f in Fault.objects.annotate(check_rows=checks).filter(pk__in=[fault.pk, quiet.pk])}
    embedded = rows_from(FaultCheck, read[fault.pk].check_rows, order_by=("position",))

    loaded = list(FaultCheck.objects.filter(fault=fault).order_by("position"))
    assert len(loaded) >= 3
    assert [values(c) for c in embedded] == [values(c) for c in loaded]
    assert rows_from(FaultCheck, read[quiet.pk].check_rows, order_by=("position",)) == []


def test_a_timeline_comes_oldest_first_with_who_made_each_step_and_no_staff_notes(alice, eric):
    fault = report(alice, at=ldn(2026, 11, 23, 10, 0))
    FaultEvent.objects.bulk_create(
        [
            FaultEvent(fault=fault, kind="reply", text="From the engineer.", by=eric, at=ldn(2026, 11, 23, 12, 0)),
            FaultEvent(
                fault=fault, kind="note", text="Staff only.", by=eric, internal=True, at=ldn(2026, 11, 23, 13, 0)
            ),
            FaultEvent(fault=fault, kind="alert", text="Automatic.", at=ldn(2026, 11, 23, 11, 0)),
        ]
    )

    read = Fault.objects.annotate(event_rows=timeline_rows(FaultEvent, "fault", Fault)).get(pk=fault.pk)
    timeline = timeline_from(FaultEvent, read.event_rows)

    loaded = list(FaultEvent.objects.filter(fault=fault, internal=False).select_related("by").order_by("at", "id"))
    assert [values(e) for e in timeline] == [values(e) for e in loaded]
    assert "Staff only." not in [e.text for e in timeline]
    assert [e.text for e in timeline][-2:] == ["Automatic.", "From the engineer."]
    by = {e.text: e.by for e in timeline}
    assert by["Automatic."] is None
    assert isinstance(by["From the engineer."], User) and values(by["From the engineer."]) == values(eric)


def test_fetch_asks_for_lists_no_record_carries_in_one_query_with_rows_two_steps_away(
    alice, bob, django_assert_num_queries
):
    mine = [report(alice, at=ldn(2026, 11, 23, 9 + n, 0)) for n in range(3)]
    report(bob, at=ldn(2026, 11, 23, 10, 30))

    with django_assert_num_queries(1):
        carried = fetch(
            faults=rows(Fault, "customer_id = %s", alice.pk, related=("service__product",)),
            none=rows(Fault, "customer_id = %s", alice.pk + bob.pk + 1000),
        )
        faults = rows_from(
            Fault, carried["faults"], order_by=("reported_at", "id"), related=("service__product",), newest_first=True
        )
        labels = [f.service.product.name for f in faults]  # no query to reach them

    assert [f.pk for f in faults] == [f.pk for f in reversed(mine)]
    assert labels == [f.service.product.name for f in reversed(mine)]
    assert rows_from(Fault, carried["none"], order_by=("id",)) == []
