"""Contract dates: the end of a minimum term, and the date a cancelled service is withdrawn.

Working days come from portal/office_hours.py, the only module that knows the business calendar.
"""

from orders.models import WithdrawalReason
from portal.office_hours import add_working_days, london


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
        # "N working days after the request was received": counted from the London date it arrived, so a
        # request sent in the evening costs the customer no extra day (bank holidays and weekends skipped).
        received = london(received_at).date()
        candidates.append((add_working_days(received, lead_working_days), WithdrawalReason.INDUSTRY_PROCESS))
    if requested_date:
        candidates.append((requested_date, WithdrawalReason.REQUESTED))
    latest = max(day for day, _ in candidates)
    return next((day, reason) for day, reason in candidates if day == latest)
