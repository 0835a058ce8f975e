"""Fixed-window request counters kept in Django's cache: per client address, or per any other subject (the
address a password-reset link is asked for). Machinery that any app may use."""

import hashlib
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
    return spent(scope, client_address(request), limit=limit, window=window)


def spent(scope: str, subject: str, *, limit: int, window: int) -> bool:
    """Count one use of `subject`'s budget for `scope`; True once more than `limit` uses fell in this window of
    `window` seconds. The subject is hashed into the key: the cache never holds the address itself."""
    digest = hashlib.sha256(subject.encode()).hexdigest()
    key = f"ratelimit:{scope}:{digest}:{int(time.time() // window)}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first request; add() is a no-op when a concurrent one has just added it
        cache.add(key, 0, timeout=window)
        count = cache.incr(key)
    return count > limit
