"""The invoices card on the customer's account overview (portal/dashboard.py): the balance (or credit) and
the next payment due, with the way to the invoices."""

from billing import selectors
from portal.dashboard import dashboard_card


@dashboard_card(position=25, figures=selectors.SUMMARY_FIGURES)
def invoices(customer, figures):
    summary = selectors.summary_from(figures)
    return {"template": "billing/_dashboard_card.html", "summary": summary, "credit": -summary.balance}
