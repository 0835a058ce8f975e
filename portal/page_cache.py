"""A trainee's own pages (the course list and a course's page) kept whole in the shared cache
(common/page_cache.py): looking again costs one cache round trip, with no database, not even for the login.

A stored page belongs to one login session. It is served only while that session is still in the cache, on the day
it was rendered (what has been held and what is open depends on the date), and while nothing the page shows has
changed: any committed write to courses, sessions, attendance, results, certificates, evaluations, members or logins
starts a new generation. A logout deletes the session; a password change or a deactivation writes the login: either
way the page is not served again, and nor is it after a change of SECRET_KEY or of the login backends.

Sessions must live in the default cache (cached_db with REDIS_URL); settings.PORTAL_PAGE_SECONDS is 0 without it.
"""

import functools

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac

from certificates.models import Certificate, IssuerProfile
from common.page_cache import Generation, served, storable
from courses.models import Course, Lecturer, Program, Session, Topic
from enrollments.models import Attendance, Enrollment, Evaluation
from organizations.models import Member, Organization

User = get_user_model()

PORTAL_PAGES = Generation(
    "portal",
    # Everything the pages read (a test checks the tables they query against this list).
    [
        User,
        Member,
        Organization,
        Program,
        Topic,
        Lecturer,
        Course,
        Session,
        Enrollment,
        Attendance,
        Evaluation,
        Certificate,
        IssuerProfile,
    ],
    seconds_setting="PORTAL_PAGE_SECONDS",
    # Each login saves last_login, which no page shows: counting it would throw every stored page away.
    ignored_fields={User: {"last_login"}},
)


@functools.cache
def _logins_fingerprint(secret_key, backends):
    """Changes with the settings by which Django decides that a session is still logged in (the password hash it
    holds is signed with SECRET_KEY, and its backend must be configured). A page stored under other settings is
    never looked up again, so a rotated key or a backend taken away logs sessions out here too."""
    return salted_hmac("portal.page_cache", ",".join(backends), secret=secret_key).hexdigest()[:16]


def cached_own_page(view):
    """Serve the view's 200 pages to a logged-in trainee from the cache while nothing they show has changed."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        session = request.session
        if (
            not PORTAL_PAGES.seconds
            or request.method != "GET"
            or request.GET
            or session.session_key is None
            or not hasattr(session, "cache_key")  # sessions kept only in the database
            or CookieStorage.cookie_name in request.COOKIES
        ):
            return view(request, *args, **kwargs)
        logins = _logins_fingerprint(settings.SECRET_KEY, tuple(settings.AUTHENTICATION_BACKENDS))
        key = f"portal-page:{logins}:{request.LANGUAGE_CODE}:{session.session_key}:{request.path}"
        today = timezone.localdate().isoformat()
        found = cache.get_many([session.cache_key, PORTAL_PAGES.key, key])
        data, generation, stored = found.get(session.cache_key), found.get(PORTAL_PAGES.key), found.get(key)
        # The session must still be there: a logout deletes it (and a login always starts a new one).
        if (
            stored is not None
            and data is not None
            and SESSION_KEY in data
            and SessionStorage.session_key not in data  # messages waiting to be shown
            and stored[:2] == (generation, today)
        ):
            request.served_user_id = User._meta.pk.to_python(data[SESSION_KEY])  # for the request log
            return private(served(stored[2], request))
        generation = generation or PORTAL_PAGES.current()
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and request.user.is_authenticated and SessionStorage.session_key not in session:
            html = storable(response)
            cache.set(key, (generation, today, html), timeout=PORTAL_PAGES.seconds)
        return private(response)

    return wrapped


def private(response):
    """One visitor's page: never kept by a shared cache in between, and it differs by session cookie."""
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response
