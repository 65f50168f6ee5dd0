"""The marketing card on the customer's account overview (portal/dashboard.py): the current choice, which is
the latest change recorded (accounts.services.marketing_current); no record means not opted in."""

from accounts.models import MarketingConsent
from portal.dashboard import dashboard_card
from portal.figures import CUSTOMER, FLAG, Figure

LATEST_CHOICE = (
    f"SELECT opted_in FROM {MarketingConsent._meta.db_table} WHERE customer_id = %s ORDER BY at DESC, id DESC LIMIT 1"
)


@dashboard_card(position=10, figures={"opted_in": Figure(LATEST_CHOICE, (CUSTOMER,), FLAG)})
def marketing(customer, figures):
    return {"template": "accounts/_marketing_card.html", "opted_in": bool(figures["opted_in"])}
