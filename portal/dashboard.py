"""Cards on the customer's account overview, one per app, registered like data export sections.

from portal.dashboard import dashboard_card
from portal.figures import Figure

@dashboard_card(position=20, figures={"open": Figure.count(Complaint, "status <> %s", Status.CLOSED)})
def complaints(customer, figures):
    return {"template": "complaints/_dashboard_card.html", **figures}   # or None for no card

Every card's figures come in one query (portal/figures.py), so the overview costs the same few queries however
many cards there are; a card asks for anything else (a list to name) only when its figures say there is some.
"""

from portal.figures import fetch

_cards = []


def dashboard_card(*, position, figures=None):
    def register(func):
        _cards.append((position, func, dict(figures or {})))
        _cards.sort(key=lambda item: item[0])
        return func

    return register


def cards_for(customer):
    asked = {(i, name): figure for i, (_, _, figures) in enumerate(_cards) for name, figure in figures.items()}
    values = fetch(customer, asked)
    cards = []
    for i, (_, func, figures) in enumerate(_cards):
        card = func(customer, {name: values[i, name] for name in figures})
        if card:
            cards.append(card)
    return cards
