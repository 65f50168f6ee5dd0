"""A request that fails because the database went away (PostgreSQL restarting) gets a plain 503 page in
the portal's design: nothing was saved, try again, with what was typed ready to send again. Never the
bare 500, for customers and staff alike. A real restart under load: tests/integration/test_faults.py."""

import re
from html import unescape
from unittest import mock

from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.urls import reverse

from complaints.models import Complaint
from portal.admin import OutboxMessageAdmin
from tests.helpers import shows, visible_text

GONE = OperationalError("server closed the connection unexpectedly\n\tThis probably means the server terminated")

COMPLAINT = {
    "category": "billing",
    "service": "",
    "what_happened": "I was billed twice for October & November <b>again</b>.",
    "desired_outcome": "A refund of the second payment.",
    "reply_by": "email",
}


def hidden_fields(response):
    """The fields of the page's "Send it again" form, as the browser would send them."""
    form = re.search(
        r'<form method="post" action="([^"]*)"[^>]*id="send-again">(.*?)</form>', response.content.decode(), re.S
    )
    fields = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form.group(2))
    return unescape(form.group(1)), [(name, unescape(value)) for name, value in fields]


def test_a_complaint_sent_while_the_database_is_gone_is_not_lost_and_the_customer_is_told(client, alice):
    client.force_login(alice)
    url = reverse("complaints:complaint_create")

    with mock.patch("complaints.services.complaint_open", side_effect=GONE):
        response = client.post(url, COMPLAINT)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert shows(response, "Please try again in a minute")
    assert shows(response, "nothing was saved")
    assert shows(response, "Back to the home page")
    assert not Complaint.objects.exists()
    # What she typed is on the page, ready to send again as it was.
    action, fields = hidden_fields(response)
    assert action == url
    assert ("what_happened", COMPLAINT["what_happened"]) in fields
    assert "<b>again</b>" not in response.content.decode()  # kept as text, never as markup

    again = client.post(action, dict(fields), follow=True)

    assert again.status_code == 200
    assert Complaint.objects.get().what_happened == COMPLAINT["what_happened"]


def test_a_password_is_never_written_into_the_page(client, alice):
    with mock.patch("accounts.backends.UsernameOrEmailBackend.authenticate", side_effect=GONE):
        response = client.post(reverse("accounts:login"), {"username": "alice", "password": "s3cret-Pass-99"})

    assert response.status_code == 503
    assert "s3cret-Pass-99" not in response.content.decode()
    assert shows(response, "Passwords are not kept")
    assert ("username", "alice") in hidden_fields(response)[1]


def test_a_failure_after_the_view_gets_the_same_page(client, alice):
    """The session is saved after the view, in the same database: that failing is the same story."""
    from tests.faults.helpers import make_service

    service = make_service(alice, "fttc")
    client.force_login(alice)
    client.raise_request_exception = False

    with mock.patch.object(SessionStore, "save", side_effect=GONE):
        response = client.post(reverse("faults:fault_report", args=[service.pk]), {"step": 0, "answer": "yes"})

    assert response.status_code == 503
    assert shows(response, "nothing was saved")
    assert ("answer", "yes") in hidden_fields(response)[1]


def test_staff_get_the_page_too_with_the_way_back_to_the_admin(client, sam):
    client.force_login(sam)

    with mock.patch.object(OutboxMessageAdmin, "get_queryset", side_effect=InterfaceError("connection already closed")):
        response = client.get(reverse("admin:portal_outboxmessage_changelist"))

    assert response.status_code == 503
    assert shows(response, "Our system could not answer just now")
    assert shows(response, "Back to the staff admin")
    assert "Send it again" not in visible_text(response)


def test_any_other_failure_is_not_dressed_up_as_the_database(client, alice):
    client.force_login(alice)
    client.raise_request_exception = False

    with mock.patch("complaints.services.complaint_open", side_effect=ValueError("a bug")):
        response = client.post(reverse("complaints:complaint_create"), COMPLAINT)

    assert response.status_code == 500
    assert "Please try again in a minute" not in response.content.decode()


def test_the_page_comes_even_when_the_visitor_could_not_be_read(client, alice):
    """The database goes away before the logged-in customer is read: the page (its menu included) must not
    ask the database again for who is visiting."""
    client.force_login(alice)
    client.raise_request_exception = False

    with mock.patch("django.contrib.auth.get_user", side_effect=GONE):
        response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 503
    assert shows(response, "Our system could not answer just now")
