"""The account sheet of a course: each trainee's username and one-time set-password link, as text and
as a QR code, printed to hand out on the first day."""

from dataclasses import dataclass
from itertools import groupby

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from enrollments.models import Enrollment
from organizations.accounts import ensure_trainee_accounts, login_url, set_password_url
from organizations.models import Member
from organizations.pdf import html_to_pdf


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
    # The certificates' renderer: the shipped fonts, and a fetcher that reads only the project's static files.
    return html_to_pdf(html)
