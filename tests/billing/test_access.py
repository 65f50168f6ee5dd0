"""A customer sees only her own invoices and credit notes (another's id answers 404, PDF included); in the
admin only the Accounts team works on billing: customer services and engineers get none of it, and
customers are sent to the staff login. Accounts see the abortive-visit charges their invoices carry."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.groups import ACCOUNTS, CUSTOMER_SERVICES, ENGINEERS
from billing.models import Invoice, InvoiceStatus
from tests.billing.ledger_helpers import issued_invoice
from tests.billing.page_helpers import attach_pdf, billing_run, credit_note, media  # noqa: F401
from tests.faults.helpers import AFTER_VISIT, booked

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def alices(alice):
    invoice = attach_pdf(issued_invoice(alice, "60.00"))
    return invoice, attach_pdf(credit_note(invoice, "5.00"))


def customer_urls(invoice, note):
    return [
        reverse("billing:invoice_pdf", args=[invoice.pk]),
        reverse("billing:credit_note_pdf", args=[note.pk]),
    ]


def test_bob_gets_404_for_alices_invoice_and_credit_note_pdfs(client, bob, alices):
    invoice, note = alices
    client.force_login(bob)

    for url in customer_urls(invoice, note):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"%PDF" not in response.content
        assert invoice.number not in response.content.decode()


def test_bobs_list_does_not_show_alices_invoices(client, bob, alices):
    invoice, note = alices
    client.force_login(bob)

    page = client.get(reverse("billing:invoice_list")).content.decode()

    assert invoice.number not in page and note.number not in page
    assert "You have no invoices yet." in page


def test_a_draft_invoice_answers_404_even_to_its_customer(client, alice):
    draft = issued_invoice(alice, "60.00")
    Invoice.objects.filter(pk=draft.pk).update(status=InvoiceStatus.DRAFT)
    client.force_login(alice)

    assert client.get(reverse("billing:invoice_pdf", args=[draft.pk])).status_code == 404


def test_ids_that_do_not_exist_answer_404(client, alice, alices):
    invoice, note = alices
    client.force_login(alice)

    assert client.get(reverse("billing:invoice_pdf", args=[invoice.pk + 1000])).status_code == 404
    assert client.get(reverse("billing:credit_note_pdf", args=[note.pk + 1000])).status_code == 404


def test_the_invoice_pages_refuse_a_post(client, alice, alices):
    client.force_login(alice)

    assert client.post(reverse("billing:invoice_list")).status_code == 405


def admin_urls(invoice, note, run):
    return [
        reverse("admin:billing_invoice_changelist"),
        reverse("admin:billing_invoice_change", args=[invoice.pk]),
        reverse("admin:billing_invoice_pdf", args=[invoice.pk]),
        reverse("admin:billing_invoice_run_zip", args=[run.pk]),
        reverse("admin:billing_invoice_csv") + "?start=2027-01-01&end=2027-01-31",
        reverse("admin:billing_creditnote_changelist"),
        reverse("admin:billing_creditnote_change", args=[note.pk]),
        reverse("admin:billing_creditnote_pdf", args=[note.pk]),
    ]


@pytest.fixture
def everything(alices):
    invoice, note = alices
    run = billing_run()
    Invoice.objects.filter(pk=invoice.pk).update(run=run)
    return admin_urls(invoice, note, run)


def test_accounts_open_every_billing_admin_page(client, ann, everything):
    client.force_login(ann)

    for url in everything:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["sam", "eric"])
def test_customer_services_and_engineers_are_refused_every_billing_admin_page(client, request, everything, who):
    client.force_login(request.getfixturevalue(who))

    for url in everything:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"%PDF" not in response.content and b"PK\x03\x04" not in response.content


@pytest.mark.parametrize("who", ["sam", "eric"])
def test_the_zip_action_is_refused_without_billing_access(client, request, alices, who):
    invoice, _ = alices
    client.force_login(request.getfixturevalue(who))

    response = client.post(
        reverse("admin:billing_invoice_changelist"), {"action": "download_zip", "_selected_action": [invoice.pk]}
    )

    assert response.status_code == 403


def test_a_customer_is_sent_to_the_staff_login_from_every_billing_admin_page(client, alice, everything):
    client.force_login(alice)

    for url in everything:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_only_accounts_hold_billing_permissions():
    def billing_perms(name):
        return set(
            Group.objects.get(name=name)
            .permissions.filter(content_type__app_label="billing")
            .values_list("codename", flat=True)
        )

    assert "view_invoice" in billing_perms(ACCOUNTS) and "view_creditnote" in billing_perms(ACCOUNTS)
    assert billing_perms(CUSTOMER_SERVICES) == set()
    assert billing_perms(ENGINEERS) == set()


def test_accounts_see_the_abortive_visit_charges_and_may_not_waive_them(client, ann, alice, eric):
    from faults import services
    from faults.models import Outcome

    fault, visit = booked(alice, eric)
    _, charge = services.visit_record_outcome(visit=visit, outcome=Outcome.NO_ACCESS, by=eric, now=AFTER_VISIT)
    client.force_login(ann)

    listing = client.get(reverse("admin:faults_visitcharge_changelist"))
    page = client.get(reverse("admin:faults_visitcharge_change", args=[charge.pk]))
    waive = client.post(reverse("admin:faults_visitcharge_action", args=[charge.pk, "waive"]), {"reason": "Goodwill"})

    assert listing.status_code == 200 and fault.reference in listing.content.decode()
    assert page.status_code == 200
    assert waive.status_code == 403
    assert client.get(reverse("admin:faults_fault_changelist")).status_code == 403  # the faults themselves: no
