"""The three staff groups, and what each member of staff can and cannot do to customers in the admin."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.groups import ACCOUNTS, CUSTOMER_SERVICES, ENGINEERS
from tests.accounts.helpers import admin_change_data
from tests.factories import CustomerFactory, StaffFactory
from tests.helpers import queries_for_get

CHANGELIST = reverse("admin:accounts_user_changelist")


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def found_by_search(client, query):
    response = client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    return {user.username for user in response.context["cl"].result_list}


@pytest.mark.django_db
def test_the_three_staff_groups_exist():
    names = set(Group.objects.values_list("name", flat=True))

    assert {"Customer services", "Accounts", "Engineers"} <= names
    assert {CUSTOMER_SERVICES, ACCOUNTS, ENGINEERS} == {"Customer services", "Accounts", "Engineers"}


def test_customer_services_change_customers_and_record_marketing_choices(sam):
    assert sam.has_perm("accounts.view_user")
    assert sam.has_perm("accounts.change_user")
    assert sam.has_perm("accounts.add_marketingconsent")
    assert not sam.has_perm("accounts.delete_user")  # customers' records are kept, not deleted
    assert not sam.has_perm("accounts.change_marketingconsent")  # past choices never change


def test_engineers_neither_open_nor_change_customers_records(eric):
    # What a visit needs is on the fault's page (tests/faults/test_engineer_admin.py).
    assert not eric.has_perm("accounts.view_user")
    assert not eric.has_perm("accounts.change_user")
    assert not eric.has_perm("accounts.add_user")
    assert not eric.has_perm("accounts.add_marketingconsent")


def test_the_accounts_team_see_the_outbox(ann):
    assert ann.has_perm("portal.view_outboxmessage")
    assert ann.has_perm("accounts.view_user")
    assert not ann.has_perm("accounts.add_marketingconsent")
    assert not ann.has_perm("accounts.delete_user")


@pytest.mark.parametrize("query", ["ME17 4AA", "me17 4aa", "alice", "Alice Archer"])
def test_customer_services_find_a_customer_by_postcode_or_username(client, sam, alice, bob, query):
    client.force_login(sam)

    assert found_by_search(client, query) == {"alice"}


def test_an_engineer_is_refused_a_customers_record(client, eric, alice):
    client.force_login(eric)

    response = client.get(change_url(alice))

    assert response.status_code == 403
    assert "01622 000000" not in response.content.decode()  # alice's phone
    assert client.get(CHANGELIST, {"q": "alice"}).status_code == 403


def test_an_engineer_cannot_change_a_customers_phone(client, sam, eric, alice):
    client.force_login(sam)
    data = admin_change_data(client.get(change_url(alice)))  # the form as someone allowed would post it
    data["phone"] = "07700 900999"
    client.force_login(eric)

    response = client.post(change_url(alice), data)

    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.phone == "01622 000000"


def test_customer_services_can_change_a_customers_phone(client, sam, alice):
    # The same POST as the engineer's above succeeds for someone allowed: his 403 is about him.
    client.force_login(sam)
    data = admin_change_data(client.get(change_url(alice)))
    data["phone"] = "07700 900999"

    response = client.post(change_url(alice), data)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.phone == "07700 900999"


def test_a_member_of_staff_cannot_make_themselves_superuser(client, sam):
    client.force_login(sam)
    page = client.get(change_url(sam))
    assert 'name="is_superuser"' not in page.content.decode()
    data = admin_change_data(page)
    data.update(is_superuser="on", is_staff="on", full_name="Sam Superuser")

    response = client.post(change_url(sam), data)

    assert response.status_code == 302
    sam.refresh_from_db()
    assert sam.full_name == "Sam Superuser"  # the rest of the form was saved
    assert not sam.is_superuser
    assert list(sam.groups.values_list("name", flat=True)) == [CUSTOMER_SERVICES]


def test_a_member_of_staff_cannot_add_themselves_to_another_group(client, sam):
    client.force_login(sam)
    data = admin_change_data(client.get(change_url(sam)))
    data["groups"] = [str(Group.objects.get(name=ACCOUNTS).pk), str(Group.objects.get(name=CUSTOMER_SERVICES).pk)]

    client.post(change_url(sam), data)

    assert list(sam.groups.values_list("name", flat=True)) == [CUSTOMER_SERVICES]


def test_customer_services_cannot_set_an_administrators_password(client, sam):
    # Setting the password of an administrator would let sam log in as one, which is what the
    # read-only is_superuser field is there to stop.
    root = StaffFactory(username="root", full_name="Rita Root", is_superuser=True)
    client.force_login(sam)

    client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "sams-new-key-for-root-1", "password2": "sams-new-key-for-root-1", "usable_password": "true"},
    )

    root.refresh_from_db()
    assert not root.check_password("sams-new-key-for-root-1")


def test_the_user_changelist_costs_the_same_queries_with_1_or_50_customers(client, sam):
    CustomerFactory()
    client.force_login(sam)
    client.get(CHANGELIST)  # warm up caches shared by every request
    with_one = queries_for_get(client, CHANGELIST)

    CustomerFactory.create_batch(49)
    response = client.get(CHANGELIST)
    with_fifty = queries_for_get(client, CHANGELIST)

    assert response.context["cl"].result_count >= 50
    assert with_fifty == with_one
