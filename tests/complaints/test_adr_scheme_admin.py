"""The ADR scheme in the admin: always exactly one current scheme, replaced in one swap, never deleted.

Code (Dispute resolution): a deadlock letter names "Otelo, an independent alternative dispute resolution
scheme"; with no current scheme, deadlocks are refused and ADR letters wait, so no one may leave the
portal without one.
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from complaints import services
from complaints.defaults import ensure_adr_scheme
from complaints.models import AdrScheme
from tests.complaints.helpers import advance, open_complaint
from tests.factories import StaffFactory
from tests.helpers import visible_text

CHANGELIST = reverse("admin:complaints_adrscheme_changelist")
ADD = reverse("admin:complaints_adrscheme_add")
OMBUDSMAN = {
    "name": "Communications Ombudsman",
    "postal_address": "PO Box 999\nWarrington\nWA1 1ZZ",
    "office_address": "",
    "phones": "0330 440 1614",
    "fax": "",
    "email": "help@commsombudsman.example",
    "website": "www.commsombudsman.example",
}


def change_url(scheme):
    return reverse("admin:complaints_adrscheme_change", args=[scheme.pk])


def make_current_url(scheme):
    return reverse("admin:complaints_adrscheme_make_current", args=[scheme.pk])


def current_names():
    return list(AdrScheme.objects.filter(is_current=True).values_list("name", flat=True))


@pytest.fixture
def otelo(db):
    return AdrScheme.objects.get(is_current=True)


@pytest.fixture
def root(db):
    """An administrator: has every permission, and still may not delete the scheme."""
    return StaffFactory(username="root", full_name="Rita Root", is_superuser=True)


@pytest.fixture
def ombudsman(db):
    return AdrScheme.objects.create(**OMBUDSMAN, is_current=False)


@pytest.mark.parametrize("who", ["sam", "root"])
def test_nobody_can_delete_the_scheme_through_the_admin(client, otelo, who, request):
    client.force_login(request.getfixturevalue(who))

    page = client.get(change_url(otelo)).content.decode()
    delete_page = client.get(reverse("admin:complaints_adrscheme_delete", args=[otelo.pk]))
    client.post(reverse("admin:complaints_adrscheme_delete", args=[otelo.pk]), {"post": "yes"})
    changelist = client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [otelo.pk], "post": "yes"})

    assert delete_page.status_code == 403
    assert "deletelink" not in page
    assert 'value="delete_selected"' not in changelist
    assert current_names() == [otelo.name]


def test_customer_services_have_no_permission_to_delete_a_scheme(sam):
    assert sam.has_perm("complaints.change_adrscheme")
    assert not sam.has_perm("complaints.delete_adrscheme")


def test_a_new_scheme_is_added_not_current_and_letters_keep_naming_the_current_one(client, sam, otelo):
    client.force_login(sam)

    response = client.post(ADD, {**OMBUDSMAN, "is_current": "on"}, follow=True)

    assert "Communications Ombudsman is added, not yet current" in visible_text(response)
    assert current_names() == [otelo.name]
    assert AdrScheme.objects.count() == 2
    added = AdrScheme.objects.get(name="Communications Ombudsman")
    assert "Not the current scheme: letters do not name it. Make this the current scheme" in visible_text(
        client.get(change_url(added))
    )


def test_making_a_scheme_current_swaps_it_with_the_old_one_at_once(client, sam, otelo, ombudsman, alice):
    client.force_login(sam)
    assert "Make this the current scheme" in visible_text(client.get(change_url(ombudsman)))

    response = client.post(make_current_url(ombudsman), follow=True)

    assert "Communications Ombudsman is now the current scheme" in visible_text(response)
    assert current_names() == ["Communications Ombudsman"]
    assert "Make this the current scheme" in visible_text(client.get(change_url(otelo)))
    assert "This is the current scheme" in visible_text(client.get(change_url(ombudsman)))
    assert "Communications Ombudsman" in visible_text(client.get(reverse("portal:contact")))
    complaint = advance(open_complaint(alice), "investigating", by=sam)
    services.complaint_issue_deadlock(complaint=complaint, by=sam, final_position="We stand by our bill.")
    assert "Communications Ombudsman" in complaint.events.get(kind="deadlock").message.body_text


def test_the_changelist_action_makes_one_selected_scheme_current(client, sam, otelo, ombudsman):
    client.force_login(sam)

    two = client.post(CHANGELIST, {"action": "make_current", "_selected_action": [otelo.pk, ombudsman.pk]}, follow=True)
    assert "Select exactly one scheme to make current." in visible_text(two)
    assert current_names() == [otelo.name]

    one = client.post(CHANGELIST, {"action": "make_current", "_selected_action": [ombudsman.pk]}, follow=True)
    assert "Communications Ombudsman is now the current scheme" in visible_text(one)
    assert current_names() == ["Communications Ombudsman"]


def test_the_current_scheme_cannot_be_switched_off(client, sam, otelo):
    client.force_login(sam)
    page = client.get(change_url(otelo)).content.decode()
    assert 'name="is_current"' not in page

    response = client.post(change_url(otelo), {**OMBUDSMAN, "name": "Otelo (renamed)"})  # is_current left out

    assert response.status_code == 302
    assert current_names() == ["Otelo (renamed)"]


def test_an_engineer_cannot_swap_the_scheme(client, eric, otelo, ombudsman):
    client.force_login(eric)

    response = client.post(make_current_url(ombudsman))

    assert response.status_code == 403
    assert current_names() == [otelo.name]


def test_making_current_is_refused_to_a_plain_visit_of_its_address(client, sam, otelo, ombudsman):
    client.force_login(sam)

    assert client.get(make_current_url(ombudsman)).status_code == 403
    assert current_names() == [otelo.name]


def test_an_installation_left_without_a_current_scheme_gets_its_latest_back_after_migrate(otelo, ombudsman):
    AdrScheme.objects.update(is_current=False)
    AdrScheme.objects.filter(pk=ombudsman.pk).update(updated_at=otelo.updated_at.replace(year=2099))

    ensure_adr_scheme(AdrScheme)
    ensure_adr_scheme(AdrScheme)

    assert current_names() == ["Communications Ombudsman"]


@pytest.mark.django_db(transaction=True)
def test_two_swaps_at_once_leave_exactly_one_current_scheme():
    ensure_adr_scheme(AdrScheme)
    first = AdrScheme.objects.create(**OMBUDSMAN, is_current=False)
    second = AdrScheme.objects.create(**{**OMBUDSMAN, "name": "Second scheme"}, is_current=False)
    errors, start = [], threading.Barrier(2)

    def swap(scheme):
        try:
            start.wait()
            services.adr_scheme_make_current(scheme=scheme)
        except Exception as error:  # a lost race must not be an IntegrityError
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=swap, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(current_names()) == 1
    assert current_names()[0] in {"Communications Ombudsman", "Second scheme"}
