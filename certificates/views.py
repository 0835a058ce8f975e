"""The public verification pages: a form to type a code, and what a code proves. No login."""

from functools import wraps

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from certificates.forms import VerifyForm
from certificates.models import Certificate, format_code, normalize_code
from certificates.page_cache import cached_page
from config.ratelimit import over_limit


def noindex(view):
    """No search engine lists these pages."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def rate_limited(view):
    """Each client address gets a limited number of look-ups, against guessing codes. A page served whole from the
    cache (certificates/page_cache.py) is not counted: it costs no database work and tells nothing new."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        counted = bool(kwargs) or "code" in request.GET
        if counted and over_limit(request, "verify"):
            response = render(
                request,
                "certificates/rate_limited.html",
                {"minutes": max(1, settings.VERIFY_RATE_WINDOW // 60)},
                status=429,
            )
            response["Retry-After"] = str(settings.VERIFY_RATE_WINDOW)
            return response
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@noindex
@rate_limited
def verify(request):
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("certificates:verify-detail", verification_code=form.cleaned_data["code"])
    return render(request, "certificates/verify_form.html", {"form": form})


@require_GET
@noindex
@cached_page
@rate_limited
def verify_detail(request, verification_code):
    normalized = normalize_code(verification_code)
    certificate = None
    if normalized is not None:
        # get(), not first(): the code is unique, and first() would join and sort by the model's ordering. The
        # page shows the certificate's own copies of the names, so the enrollment and course are not read.
        try:
            certificate = Certificate.objects.select_related("issuer", "replaced_by").get(verification_code=normalized)
        except Certificate.DoesNotExist:
            pass
    if certificate is None:
        # The same page for a code that is malformed and one that is unknown: nothing to learn from it.
        return render(request, "certificates/verify_not_found.html", {"form": VerifyForm()}, status=404)
    replacement = getattr(certificate, "replaced_by", None)
    return render(
        request,
        "certificates/verify_detail.html",
        {"certificate": certificate, "replacement": replacement, "printed_code": format_code(normalized)},
    )
