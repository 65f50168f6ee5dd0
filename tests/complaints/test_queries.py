"""The complaints pages cost the same number of queries however many rows they show (no N+1)."""

from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import AdrScheme, Channel, Status
from tests.complaints.helpers import open_complaint
from tests.factories import CustomerFactory
from tests.helpers import queries_for_get


def make_complaints(customer, count, *, sam):
    """A mix of complaints: some acknowledged by hand, some owned, some recorded by staff.

    on_commit callbacks do not run here: the acknowledgements stay queued, nothing is rendered.
    """
    made = []
    for i in range(count):
        kwargs = {"channel": Channel.PHONE, "recorded_by": sam} if i % 3 == 1 else {}
        complaint = open_complaint(customer, **kwargs)
        if i % 2:
            services.complaint_acknowledge_by_hand(complaint=complaint, by=sam)
        if i % 4 == 3:
            services.complaint_assign(complaint=complaint, owner=sam, by=sam)
        made.append(complaint)
    return made


def test_the_customer_list_costs_the_same_with_1_and_50_complaints(client, alice, sam):
    client.force_login(alice)
    make_complaints(alice, 1, sam=sam)
    one = queries_for_get(client, reverse("complaints:complaint_list"))

    made = make_complaints(alice, 49, sam=sam)
    fifty = queries_for_get(client, reverse("complaints:complaint_list"))
    response = client.get(reverse("complaints:complaint_list"))

    assert made[-1].reference in response.content.decode()
    assert response.content.decode().count("/complaints/") >= 50
    assert fifty == one


def test_the_staff_changelist_costs_the_same_with_1_and_50_complaints(client, sam):
    client.force_login(sam)
    make_complaints(CustomerFactory(), 1, sam=sam)
    url = reverse("admin:complaints_complaint_changelist")
    one = queries_for_get(client, url)

    for _ in range(49):  # each from a different customer
        made = make_complaints(CustomerFactory(), 1, sam=sam)
    fifty = queries_for_get(client, url)
    response = client.get(url)

    assert made[0].reference in response.content.decode()
    assert "50 complaints" in response.content.decode()
    assert fifty == one


def test_the_complaint_page_costs_the_same_with_1_and_30_events(client, alice, sam):
    complaint = open_complaint(alice)
    client.force_login(alice)
    url = reverse("complaints:complaint_detail", args=[complaint.pk])
    one = queries_for_get(client, url)

    services.complaint_acknowledge_by_hand(complaint=complaint, by=sam)
    services.complaint_set_status(complaint=complaint, to=Status.INVESTIGATING, by=sam)
    for i in range(9):
        services.complaint_add_customer_message(
            complaint=complaint, customer=alice, text=f"Message {i} from Alice.", received_at=timezone.now()
        )
        services.complaint_reply(complaint=complaint, by=sam, text=f"Reply {i} from Sam.")
        services.complaint_add_note(complaint=complaint, by=sam, text=f"Note {i}.")
    assert complaint.events.count() >= 30
    thirty = queries_for_get(client, url)
    response = client.get(url)

    assert "Reply 8 from Sam." in response.content.decode()
    assert "Taking your complaint further: " + AdrScheme.objects.get(is_current=True).name in response.content.decode()
    assert thirty == one
    assert one == 3  # the session, the customer, the complaint with its timeline and the ADR scheme it names


def test_the_staff_complaint_page_costs_the_same_with_few_and_many_events(client, alice, sam):
    complaint = open_complaint(alice)
    client.force_login(sam)
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    one = queries_for_get(client, url)

    for i in range(15):
        services.complaint_add_customer_message(
            complaint=complaint, customer=alice, text=f"Message {i} from Alice.", received_at=timezone.now()
        )
        services.complaint_add_note(complaint=complaint, by=sam, text=f"Note {i}.")
    thirty = queries_for_get(client, url)
    response = client.get(url)

    assert "Note 14." in response.content.decode()
    assert thirty == one
