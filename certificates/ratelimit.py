"""A fixed-window request counter per client address, kept in Django's cache."""

import time

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    # The address the connection came from; behind reverse proxies (settings.PROXY_COUNT),
    # config.middleware.ClientAddressMiddleware has set it to the client's from X-Forwarded-For.
    return request.META.get("REMOTE_ADDR", "")


def over_limit(request, scope, *, limit=None, window=None):
    """Count this request against the client's budget for `scope`; True once the budget is spent."""
    limit = settings.VERIFY_RATE_LIMIT if limit is None else limit
    window = settings.VERIFY_RATE_WINDOW if window is None else window
    key = f"ratelimit:{scope}:{client_address(request)}:{int(time.time() // window)}"
    # add() is a no-op when the key exists, so concurrent first requests do not reset each other's count.
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
