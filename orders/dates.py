"""Contract dates: the end of a minimum term, and the date a cancelled service is withdrawn.

Working days come from portal/office_hours.py, the only module that knows the business calendar.
"""

from orders.models import WithdrawalReason
from portal.office_hours import add_working_days, london


def withdrawal_date(*, received_at, minimum_term_end, notice_working_days, recorded_at=None, lead_working_days=0,
                    requested_date=None):
    """When a cancelled service is withdrawn, and which rule set it: (date, WithdrawalReason).

    Code (Account Cancellations): "we aim to advise you of the time period from us receiving your
    cancellation request to the time at which the service is withdrawn". It is the latest of:
    - our notice (CANCELLATION_NOTICE_WORKING_DAYS, at least 1): that many working days after the later of
      the London day the request was received and the day it is recorded, which is the day the customer is
      told the date. Never the same day: the cease job runs hourly and withdraws a service as soon as its
      date comes, and the customer is told they may withdraw the request "at any time before" that date,
      so a same-day date would cease the service at once and make that promise false. Counting from the day
      it is recorded gives a letter keyed in late the same time to change one's mind;
    - the end of the minimum contract period;
    - for services that "require us to work with special industry processes (such as ADSL)", the
      process's lead time in working days after the day received, bank holidays skipped;
    - the date the customer asked for.
    Ties go to the first rule in that list.
    """
    received = london(received_at).date()
    told = max(received, london(recorded_at).date()) if recorded_at else received
    candidates = [(add_working_days(told, max(notice_working_days, 1)), WithdrawalReason.NOTICE),
                  (minimum_term_end, WithdrawalReason.MINIMUM_TERM)]
    if lead_working_days:
        # "N working days after the request was received": counted from the London date it arrived, so a
        # request sent in the evening costs the customer no extra day (bank holidays and weekends skipped).
        candidates.append((add_working_days(received, lead_working_days), WithdrawalReason.INDUSTRY_PROCESS))
    if requested_date:
        candidates.append((requested_date, WithdrawalReason.REQUESTED))
    latest = max(day for day, _ in candidates)
    return next((day, reason) for day, reason in candidates if day == latest)


def notice_text(notice_working_days):
    """How the notice reads to a customer: 'the next working day', '2 working days'."""
    if notice_working_days <= 1:
        return "the next working day"
    return f"{notice_working_days} working days"
