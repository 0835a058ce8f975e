"""Whole verification pages kept in the shared cache, so the page a QR code opens is served without the database.

Each stored page carries the generation it was rendered in. Any write to a certificate or an issuer, one row or in
bulk, starts a new generation once its transaction commits, and so do every migrate (a release may change the
templates) and every restore: a revoked certificate shows as revoked on the very next look-up. The generation is
read before the database, so a page rendered while a write commits is stored under the old generation and never
served.

Only a cache every server process shares will do (settings.VERIFY_PAGE_SECONDS is 0, off, without REDIS_URL): a
process's own memory would not hear of another process's writes. Only anonymous visitors without pending messages
get stored pages; the one part of the page that is theirs, the language switcher's CSRF token, is stored as a
placeholder and filled in for each visitor.
"""

import re
import uuid
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token

from certificates.models import Certificate, IssuerProfile, normalize_code
from organizations.signals import bulk_saved

GENERATION_KEY = "verify-page:generation"
CSRF_PLACEHOLDER = "\x00csrf-token\x00"
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def new_generation(**kwargs):
    if settings.VERIFY_PAGE_SECONDS:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # a fresh or emptied cache
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


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
        if code is None or not settings.VERIFY_PAGE_SECONDS or not is_shared_page(request):
            return view(request, verification_code=verification_code)
        key = f"verify-page:{request.LANGUAGE_CODE}:{code}"
        found = cache.get_many([GENERATION_KEY, key])
        generation, stored = found.get(GENERATION_KEY), found.get(key)
        if stored is not None and stored[0] == generation:
            html = stored[1]
        else:
            generation = generation or current_generation()
            response = view(request, verification_code=verification_code)
            if response.status_code != 200:
                return response
            html = CSRF_VALUE.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", response.content.decode())
            cache.set(key, (generation, html), timeout=settings.VERIFY_PAGE_SECONDS)
        return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))

    return wrapped


@receiver(post_save, sender=Certificate, dispatch_uid="certificates.page_cache.certificate_saved")
@receiver(post_delete, sender=Certificate, dispatch_uid="certificates.page_cache.certificate_deleted")
@receiver(bulk_saved, sender=Certificate, dispatch_uid="certificates.page_cache.certificates_bulk_saved")
@receiver(post_save, sender=IssuerProfile, dispatch_uid="certificates.page_cache.issuer_saved")
@receiver(post_delete, sender=IssuerProfile, dispatch_uid="certificates.page_cache.issuer_deleted")
def _changed(**kwargs):
    transaction.on_commit(new_generation)
