"""While the database does not answer, users get a page saying so (503 "Hệ thống tạm thời gián đoạn"), not a
server error."""

import logging

from django.db import InterfaceError, OperationalError

from config.views import bare_page

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Turns a database that cannot be reached, or a connection lost in the middle of a view, into the 503 page
    with Retry-After. By then the view's transaction is rolled back (its atomic block rolls back, or drops the
    broken connection, as the exception passes), so nothing is half-written. Django closes a broken connection at
    the end of the request and the next request opens a new one; a kept connection (CONN_MAX_AGE) that died
    between requests is replaced before use (CONN_HEALTH_CHECKS): the site recovers by itself once the database
    is back. Operational errors that pass on their own (a deadlock, a lock timeout) get the same "try again" page.

    Rendered as a bare page: the request's context processors may need the database themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable", exc_info=exception)
        response = bare_page(request, "503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
