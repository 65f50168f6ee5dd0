"""Demo data: Alice reported a broadband fault yesterday evening, went through the checks, and engineers
are investigating; they offered her two visit times. Made through the services, so it has its timeline
and its messages. Needs the broadband service the orders demo step gives Alice; skipped without it."""

from datetime import time, timedelta

from faults import selectors, services
from faults.checks import checks_for
from faults.models import Status
from portal.demo import demo_step
from portal.office_hours import add_working_days, london, london_time


@demo_step
def faults_demo(customers, staff, now):
    alice, eric = customers["alice"], staff["eric"]
    service = selectors.services_for_fault_report(customer=alice).filter(product__family="broadband").first()
    if service is None:
        return  # the orders demo step has not run (or gave Alice no broadband): nothing to report on
    today = london(now).date()
    reported_at = london_time(today - timedelta(days=1), time(19, 40))
    answers = ["Yes"] * len(checks_for(service))  # router restarted, filters fitted, at the master socket, all devices
    fault = services.fault_report(
        customer=alice,
        service=service,
        answers=answers,
        reported_at=reported_at,
        now=reported_at,
        description="The broadband drops every few minutes since yesterday afternoon; the router's broadband "
        "light flashes orange. The phone line sounds fine.",
    )
    investigating_at = max(reported_at, now - timedelta(hours=1))
    services.fault_set_status(
        fault=fault,
        to=Status.INVESTIGATING,
        by=eric,
        now=investigating_at,
        note="We are testing your line from the exchange.",
    )
    first, second = add_working_days(today, 1), add_working_days(today, 2)
    services.visit_slots_offer(fault=fault, slots=[(first, "morning"), (second, "afternoon")], by=eric, now=now)
