"""The account sheet of a course: each trainee's username and one-time set-password link, as text and
as a QR code, printed to hand out on the first day."""

import mimetypes
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from enrollments.models import Enrollment
from organizations.accounts import ensure_trainee_accounts, login_url, set_password_url
from organizations.models import Member


class StaticFilesFetcher(URLFetcher):
    """Lets WeasyPrint read the project's own static files (the fonts) and nothing else, so a PDF
    never makes the server fetch anything; a missing file stops the rendering instead of silently
    falling back to another font."""

    def __init__(self):
        super().__init__(fail_on_errors=True)

    def fetch(self, url, headers=None):
        path = unquote(urlsplit(url).path)
        prefix = urlsplit(settings.STATIC_URL).path
        found = finders.find(path.removeprefix(prefix)) if path.startswith(prefix) else None
        if not found:
            raise ValueError(f"not one of the project's static files: {url}")
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        # WeasyPrint closes the file once it has read it.
        return URLFetcherResponse(url, body=open(found, "rb"), headers={"Content-Type": content_type})


@dataclass(frozen=True)
class SheetEntry:
    enrollment: Enrollment
    username: str
    set_password_url: str | None  # None once the trainee has set a password: the link would reset it
    qr_svg: str | None


def _entry(enrollment):
    user = enrollment.member.user
    if user.has_usable_password():
        return SheetEntry(enrollment, user.get_username(), None, None)
    url = set_password_url(user)
    qr_svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True)
    # segno's SVG is path data only: nothing of the user's ends up in it unescaped.
    return SheetEntry(enrollment, user.get_username(), url, mark_safe(qr_svg))


def account_sheet_pdf(enrollments) -> bytes:
    """Create the missing logins of these enrollments' trainees (withdrawn ones left out) and render
    the sheet as PDF bytes: a section per course, trainees in Vietnamese roster order.

    The links are the same one-time links the activation e-mail carries: each stops working as soon
    as its trainee sets a password, so a lost sheet cannot open an account that is in use.
    """
    enrollments = enrollments.exclude(status=Enrollment.Status.WITHDRAWN)
    ensure_trainee_accounts(Member.objects.filter(enrollments__in=enrollments))
    rows = enrollments.select_related("course__program", "member__organization", "member__user").order_by(
        "course__start_date", "course__code", "member__sort_key", "member__birth_date", "pk"
    )
    sections = [
        (course, [_entry(enrollment) for enrollment in course_rows])
        for course, course_rows in groupby(rows, key=lambda enrollment: enrollment.course)
    ]
    html = render_to_string(
        "enrollments/account_sheet.html",
        {"sections": sections, "login_url": login_url(), "printed_on": timezone.localdate()},
    )
    return HTML(string=html, base_url=settings.SITE_URL, url_fetcher=StaticFilesFetcher()).write_pdf()
