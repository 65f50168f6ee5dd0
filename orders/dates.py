"""Contract dates: the end of a minimum term, and the date a cancelled service is withdrawn.

Working days come from portal/office_hours.py, the only module that knows the business calendar.
"""

from orders.models import WithdrawalReason
from portal.office_hours import add_working_days, london, next_opening


def withdrawal_date(*, received_at, minimum_term_end, lead_working_days=0, requested_date=None):
    """When a cancelled service is withdrawn, and which rule set it: (date, WithdrawalReason).

    Code (Account Cancellations): "we aim to advise you of the time period from us receiving your
    cancellation request to the time at which the service is withdrawn". It is the latest of:
    - the day the request was received (London date): a service is never withdrawn before it is asked;
    - the end of the minimum contract period;
    - for services that "require us to work with special industry processes (such as ADSL)", the
      process's lead time in working days, bank holidays skipped;
    - the date the customer asked for.
    Ties go to the first rule in that list.
    """
    candidates = [(london(received_at).date(), WithdrawalReason.RECEIVED),
                  (minimum_term_end, WithdrawalReason.MINIMUM_TERM)]
    if lead_working_days:
        # Staff start the industry process in office hours, so a request that arrives in the evening, at a
        # weekend or on a bank holiday counts from the next opening (DESIGN: "A clock that starts outside
        # office hours starts at the next opening").
        starts = london(next_opening(received_at)).date()
        candidates.append((add_working_days(starts, lead_working_days), WithdrawalReason.INDUSTRY_PROCESS))
    if requested_date:
        candidates.append((requested_date, WithdrawalReason.REQUESTED))
    latest = max(day for day, _ in candidates)
    return next((day, reason) for day, reason in candidates if day == latest)
