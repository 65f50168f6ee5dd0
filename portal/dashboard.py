"""Cards on the customer's account overview, one per app, registered like data export sections.

from portal.dashboard import dashboard_card

@dashboard_card(position=20)
def complaints(customer):
    return {"template": "complaints/_dashboard_card.html", "open": ...}   # or None for no card
"""

_cards = []


def dashboard_card(*, position):
    def register(func):
        _cards.append((position, func))
        _cards.sort(key=lambda item: item[0])
        return func

    return register


def cards_for(customer):
    return [card for _, func in _cards if (card := func(customer))]
