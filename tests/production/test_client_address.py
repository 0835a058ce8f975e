"""The client's address behind reverse proxies, as the rate limit, the login lockout and the logs see it."""

from django.http import HttpResponse
from django.test import RequestFactory

from config.middleware import ClientAddressMiddleware


def address_seen(settings, proxies, **meta):
    settings.PROXY_COUNT = proxies
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    ClientAddressMiddleware(view)(RequestFactory().get("/", **meta))
    return seen["address"]


def test_one_proxy_the_client_is_the_last_forwarded_address(settings):
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.5"}

    assert address_seen(settings, 1, **meta) == "203.0.113.5"


def test_two_proxies_the_client_is_the_second_last(settings):
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5, 10.0.0.2"}

    assert address_seen(settings, 2, **meta) == "203.0.113.5"


def test_an_ipv6_client_behind_a_proxy(settings):
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "2001:db8::7"}

    assert address_seen(settings, 1, **meta) == "2001:db8::7"


def test_fewer_forwarded_addresses_than_proxies_keeps_the_connection_address(settings):
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}

    assert address_seen(settings, 2, **meta) == "10.0.0.1"


def test_something_that_is_not_an_address_is_not_trusted(settings):
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "<script>"}

    assert address_seen(settings, 1, **meta) == "127.0.0.1"
