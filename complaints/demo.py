from datetime import timedelta

from complaints import services
from complaints.models import Category, Channel, ReplyBy
from portal.demo import demo_step


@demo_step
def complaints(customers, staff, now):
    alice = customers["alice"]
    billing = services.complaint_open(
        customer=alice,
        category=Category.BILLING,
        now=now,
        received_at=now - timedelta(hours=2),
        what_happened="My last invoice charged the FTTC set-up fee twice.",
        desired_outcome="Refund the second set-up fee.",
    )
    # She has written again since: customer services see it waiting for an answer in the admin.
    services.complaint_add_customer_message(
        complaint=billing,
        customer=alice,
        received_at=now - timedelta(hours=1),
        now=now,
        text="I have found the second charge on my bank statement too. When will it be refunded?",
    )
    services.complaint_open(
        customer=customers["carolsbakery"],
        category=Category.FAULT_HANDLING,
        channel=Channel.PHONE,
        reply_by=ReplyBy.LETTER,
        received_at=now - timedelta(days=1),
        recorded_by=staff["sam"],
        now=now,
        what_happened="The engineer did not arrive for the booked morning visit.",
    )
