"""What other apps add to the site-wide pages, without portal importing them.

The contact page and the staff policy page show the ADR scheme as staff keep it; the scheme belongs to
complaints, which registers its one reader here:

    @page_context("contact", "policy")
    def adr_scheme():
        return {"adr_scheme": selectors.adr_scheme_current()}
"""

from collections.abc import Callable

_providers: dict[str, list[Callable[[], dict]]] = {}


def page_context(*pages):
    def register(func):
        for page in pages:
            _providers.setdefault(page, []).append(func)
        return func

    return register


def context_for(page):
    context = {}
    for provider in _providers.get(page, []):
        context.update(provider())
    return context
