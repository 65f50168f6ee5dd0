"""One function per message about a complaint: its kind, subject and templates. The kind is the template's
name: kind "complaint_ack" is templates/emails/complaints/complaint_ack.txt and .html, and (for a customer
who gets letters) templates/letters/complaints/complaint_ack.html.

Every function is called inside the transaction of the change it reports, so the message is saved with it
or not at all. Staff are told through portal/customer_messages.py's rule (the complaint's owner, else
customer services) or, for the alert job, the whole of customer services.
"""

from accounts.groups import CUSTOMER_SERVICES
from complaints.models import Channel, ReplyBy
from complaints.selectors import adr_scheme_current
from portal import customer_messages, outbox
from portal.workflow import Refused

# The kinds of this module's messages in words, for the outbox and the print queue.
outbox.name_kinds(
    {
        "complaint_ack": "Complaint acknowledgement",
        "complaint_status": "Complaint: status update",
        "complaint_reply": "Complaint: our reply",
        "complaint_deadlock": "Complaint: deadlock letter",
        "complaint_adr": "Complaint: ADR scheme letter",
        "complaint_ack_alert": "Alert: acknowledgement due",
        "complaint_customer_message": "Complaint: customer's message received",
        "complaint_reopened": "Complaint reopened",
    }
)


def _by_post(complaint):
    # Code: acknowledge "by letter or email"; by letter when they have no email, asked for letters,
    # or wrote to us by letter.
    customer = complaint.customer
    return not customer.email or complaint.reply_by == ReplyBy.LETTER or complaint.channel == Channel.LETTER


def _to_customer(
    complaint, *, kind, subject, context=None, due_at=None, by_post=None, attachments=(), answering=None, now
):
    """Email or write to the customer, as the complaint's rules say (`by_post` when staff chose), with the
    complaint's reference in the subject."""
    try:
        return outbox.send_to_customer(
            complaint.customer,
            kind=kind,
            template=f"complaints/{kind}",
            subject=f"{subject} ({complaint.reference})",
            context={"complaint": complaint, **(context or {})},
            concerning=complaint,
            due_at=due_at,
            by_post=_by_post(complaint) if by_post is None else by_post,
            attachments=attachments,
            answering=answering,
            now=now,
        )
    except outbox.Unreachable as error:  # neither an email nor a postal address: staff must find one first
        raise Refused(f"We cannot write to this customer: {error} Add their email or postal address.") from None


def complaint_ack(complaint, *, email=None, now):
    """Code: "We will acknowledge all complaints received by letter, or e-mail within 24 working hours".
    A complaint that came by email is acknowledged in reply to it (`email`), so it threads in their mail."""
    return _to_customer(
        complaint,
        kind="complaint_ack",
        subject="We have received your complaint",
        context={"scheme": adr_scheme_current()},
        due_at=complaint.ack_due_at,
        answering=email,
        now=now,
    )


def complaint_status(complaint, *, note, now):
    return _to_customer(
        complaint,
        kind="complaint_status",
        subject=f"Your complaint is {complaint.get_status_display().lower()}",
        context={"note": note},
        now=now,
    )


def complaint_reply(complaint, *, reply, now):
    return _to_customer(
        complaint, kind="complaint_reply", subject="A reply about your complaint", context={"reply": reply}, now=now
    )


def complaint_deadlock(complaint, *, scheme, by_email, by_post, now):
    """Our final position, naming the ADR scheme: emailed with the letter as a PDF, posted, or both.
    Returns the messages, the email first."""
    subject = "Our final position on your complaint"
    context = {"scheme": scheme, "final_position": complaint.deadlock_position}
    sent = []
    if by_email:
        letter = outbox.letter_html_for(
            complaint.customer,
            "complaints/complaint_deadlock",
            context={"complaint": complaint, **context},
            subject=f"{subject} ({complaint.reference})",
            now=now,
        )
        sent.append(
            _to_customer(
                complaint,
                kind="complaint_deadlock",
                subject=subject,
                context=context,
                by_post=False,
                now=now,
                attachments=[outbox.Attachment(filename=f"deadlock-letter-{complaint.reference}.pdf", html=letter)],
            )
        )
    if by_post:
        sent.append(
            _to_customer(complaint, kind="complaint_deadlock", subject=subject, context=context, by_post=True, now=now)
        )
    return sent


def complaint_adr(complaint, *, now):
    """Code: "if more than three months has passed since you first made your complaint, please contact the
    ADR scheme directly"."""
    return _to_customer(
        complaint,
        kind="complaint_adr",
        subject="You may now take your complaint to the ADR scheme",
        context={"scheme": adr_scheme_current()},
        now=now,
    )


def complaint_ack_alert(*, overdue, at_risk, hours, now):
    """Customer services: the complaints whose acknowledgement is newly overdue or at risk."""
    return outbox.email_staff(
        group=CUSTOMER_SERVICES,
        kind="complaint_ack_alert",
        template="complaints/complaint_ack_alert",
        subject=f"Complaints to acknowledge: {len(overdue)} overdue, {len(at_risk)} at risk",
        context={"overdue": overdue, "at_risk": at_risk, "hours": hours},
        now=now,
    )


def _who(complaint):
    customer = complaint.customer
    return f"{customer.full_name} ({customer.username})"


def _to_staff(complaint, event, *, kind, subject, now):
    return customer_messages.alert(
        case=complaint,
        owner=complaint.owner,
        group=CUSTOMER_SERVICES,
        kind=kind,
        template=f"complaints/{kind}",
        subject=subject,
        context={"complaint": complaint, "event": event},
        now=now,
    )


def complaint_customer_message(complaint, event, *, now):
    """The customer added a message to their complaint (in the portal, or by email or letter)."""
    return _to_staff(
        complaint,
        event,
        kind="complaint_customer_message",
        now=now,
        subject=f"Customer replied on complaint {complaint.reference}: {_who(complaint)}",
    )


def complaint_reopened(complaint, event, *, now):
    """The customer reopened their resolved complaint: it is not resolved for them."""
    return _to_staff(
        complaint,
        event,
        kind="complaint_reopened",
        now=now,
        subject=f"Complaint {complaint.reference} reopened by the customer: {_who(complaint)}",
    )
