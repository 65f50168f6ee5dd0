from datetime import timedelta

from complaints import services
from complaints.models import Category, Channel, ReplyBy
from portal.demo import demo_step


@demo_step
def complaints(customers, staff, now):
    alice = customers["alice"]
    services.complaint_open(
        customer=alice, category=Category.BILLING, now=now, received_at=now - timedelta(hours=2),
        what_happened="My last invoice charged the FTTC set-up fee twice.",
        desired_outcome="Refund the second set-up fee.",
    )
    services.complaint_open(
        customer=customers["carolsbakery"], category=Category.FAULT_HANDLING, channel=Channel.PHONE,
        reply_by=ReplyBy.LETTER, received_at=now - timedelta(days=1), recorded_by=staff["sam"], now=now,
        what_happened="The engineer did not arrive for the booked morning visit.",
    )
