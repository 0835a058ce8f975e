"""The account sheet of a course: each trainee's username and one-time set-password link, as text and
as a QR code, printed to hand out on the first day."""

from dataclasses import dataclass
from itertools import groupby

from django.template.loader import render_to_string
from django.utils import timezone

from common.pdf import html_to_pdf, qr_png_data_uri
from enrollments.models import Enrollment
from organizations.accounts import ensure_trainee_accounts, login_url, set_password_url
from organizations.models import Member


@dataclass(frozen=True)
class SheetEntry:
    enrollment: Enrollment
    username: str
    set_password_url: str | None  # None once the trainee has set a password: the link would reset it
    qr: str | None  # the set-password link's QR code, a PNG data URI


def _entry(enrollment):
    user = enrollment.member.user
    if user.has_usable_password():
        return SheetEntry(enrollment, user.get_username(), None, None)
    url = set_password_url(user)
    return SheetEntry(enrollment, user.get_username(), url, qr_png_data_uri(url))


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
    # The certificates' renderer: the shipped fonts, and a fetcher that reads only the project's static files.
    return html_to_pdf(html)
