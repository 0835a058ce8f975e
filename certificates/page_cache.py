"""Whole verification pages kept in the shared cache (common/page_cache.py), so the page a QR code opens is served
without the database. Any committed write to a certificate or an issuer starts a new generation: a revoked
certificate shows as revoked on the very next look-up.

Only anonymous visitors without pending messages get stored pages (settings.VERIFY_PAGE_SECONDS, 0 without
REDIS_URL); logged-in visitors and unknown codes are always read from the database.
"""

from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache

from certificates.models import Certificate, IssuerProfile, normalize_code
from common.page_cache import Generation, served, storable

VERIFY_PAGES = Generation("verify", [Certificate, IssuerProfile], seconds_setting="VERIFY_PAGE_SECONDS")


def is_shared_page(request):
    """A page anyone might get: no session (so no user and no messages in it), no message cookie, no query."""
    return not (
        request.GET or settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES
    )


def cached_page(view):
    """Serve the view's 200 pages for a code from the cache while no certificate or issuer has changed."""

    @wraps(view)
    def wrapped(request, verification_code):
        code = normalize_code(verification_code)
        if code is None or not VERIFY_PAGES.seconds or not is_shared_page(request):
            return view(request, verification_code=verification_code)
        key = f"verify-page:{request.LANGUAGE_CODE}:{code}"
        found = cache.get_many([VERIFY_PAGES.key, key])
        generation, stored = found.get(VERIFY_PAGES.key), found.get(key)
        if stored is not None and stored[0] == generation:
            return served(stored[1], request)
        generation = generation or VERIFY_PAGES.current()
        response = view(request, verification_code=verification_code)
        if response.status_code == 200:
            cache.set(key, (generation, storable(response)), timeout=VERIFY_PAGES.seconds)
        return response

    return wrapped
