"""Whose address a request comes from, for the login lockout and the public forms' limits."""

from django.test import RequestFactory

from portal.throttle import client_ip


def test_without_a_proxy_the_visitor_is_the_connecting_address(settings):
    settings.BEHIND_TLS_PROXY = False
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert client_ip(request) == "203.0.113.7"  # a header the visitor can write is not believed


def test_behind_our_proxy_the_visitor_is_the_address_the_proxy_appended(settings):
    settings.BEHIND_TLS_PROXY = True
    # The visitor sent a made-up X-Forwarded-For; our proxy appended the real address after it.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")

    assert client_ip(request) == "203.0.113.7"
