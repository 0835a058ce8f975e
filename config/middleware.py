"""Per-request plumbing: the client's address behind proxies, a request id on every log line and response, and a
cap on request bodies."""

import ipaddress
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from config import logs

logger = logging.getLogger("config.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the proxy in front (nginx's $request_id, a load balancer's trace id) is kept if it looks like one.
_ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


class ClientAddressMiddleware:
    """Behind PROXY_COUNT reverse proxies, each appending the address it saw to X-Forwarded-For, the client is the
    PROXY_COUNT-th address from the right. REMOTE_ADDR is set to it, so the verification rate limit, the login
    lockout and the logs all count the same client. Without proxies the header is ignored: anyone can send one."""

    def __init__(self, get_response):
        if not settings.PROXY_COUNT:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.proxy_count = settings.PROXY_COUNT

    def __call__(self, request):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= self.proxy_count:
            try:
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded[-self.proxy_count]))
            except ValueError:
                pass  # not an address: keep the proxy's own rather than trust garbage
        return self.get_response(request)


class RequestLogMiddleware:
    """Gives each request an id (the proxy's X-Request-ID if it sent one), stamps it on every log line written
    while the request is served and on the response, and logs one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _ACCEPTED_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = logs.request_id.set(request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": _loggable_path(request),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": request.META.get("REMOTE_ADDR", ""),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            logs.request_id.reset(token)


def _loggable_path(request):
    """The path, with a one-time password link's token left out: logs outlive the link."""
    match = getattr(request, "resolver_match", None)
    token = match.kwargs.get("token") if match else None
    return request.path.replace(token, "[token]") if token else request.path


def _user_id(request):
    # Only a user the request already loaded, or the one a stored page was served to: logging never costs a query.
    if hasattr(request, "served_user_id"):
        return request.served_user_id
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", None) if user is not None else None
    if wrapped is None or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is over MAX_REQUEST_BYTES with 413, before anything reads it.
    Django ignores a body sent without Content-Length, so the declared size is the size."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            logger.warning("request body too large", extra={"content_length": length, "path": request.path})
            context = {"limit_mb": settings.MAX_REQUEST_BYTES // (1024 * 1024)}
            return render(request, "413.html", context, status=413)
        return self.get_response(request)


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Vietnamese for everyone until they choose English with the switch: the language is the one the switch
    stored in the language cookie, else LANGUAGE_CODE. The browser's Accept-Language is ignored (the product
    does not use i18n URL prefixes, so the path never names a language)."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # The page depends on the cookie, not on the header the parent class names.
        if response.has_header("Vary"):
            varies = [value.strip() for value in response["Vary"].split(",")]
            response["Vary"] = ", ".join(value for value in varies if value.lower() != "accept-language")
            if not response["Vary"]:
                del response["Vary"]
        patch_vary_headers(response, ("Cookie",))
        return response
