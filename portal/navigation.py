"""The main menu of the customer pages, one item per page an app adds, registered like dashboard cards
(portal imports no app): each app registers its items in its AppConfig.ready.

    from portal.navigation import menu_item

    menu_item("Invoices", "billing:invoice_list", position=35)

Items are for logged-in customers unless `everyone=True` (the Code of Practice and the contact page, which
every visitor may read). The menu is open, not behind the menu button, from 992 px wide (templates/base.html,
portal/assets/portal/site.css); tests/portal/test_navigation.py shows it keeps fitting with one more item.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    position: int
    everyone: bool = False


_items: list[MenuItem] = []


def menu_item(label, url_name, *, position, everyone=False):
    """Add `label`, linking to the URL named `url_name`, to the main menu (lower positions first)."""
    item = MenuItem(label=label, url_name=url_name, position=position, everyone=everyone)
    if item not in _items:
        _items.append(item)
        _items.sort(key=lambda entry: entry.position)
    return item


def remove(item):
    """Take an item out again (for tests that add one)."""
    if item in _items:
        _items.remove(item)


def menu_for(request, user=None):
    """The items `request`'s visitor sees, as dicts of label, url and whether it is the current section.

    `user` is the template's user when it has one: the 503 page gives the visitor as already known to the
    request (or nobody), because request.user would ask the database that has just gone away."""
    # A request refused before the session is read (portal.middleware's 400 page) has no user yet.
    if user is None:
        user = getattr(request, "user", None)
    customer = user is not None and user.is_authenticated and not user.is_staff
    shown = []
    for item in _items:
        if not (item.everyone or customer):
            continue
        url = reverse(item.url_name)
        # The current section: the item's page or any page below it ("/faults/3/" is under Faults). The
        # account overview ("/account/") only counts for itself and its own sub-pages' menu.
        current = request.path == url or (url != "/" and request.path.startswith(url))
        shown.append({"label": item.label, "url": url, "current": current})
    # Only the closest section is current ("/orders/services/" is Services, not also Orders).
    currents = [entry for entry in shown if entry["current"]]
    if len(currents) > 1:
        best = max(currents, key=lambda entry: len(entry["url"]))
        for entry in currents:
            entry["current"] = entry is best
    return shown
