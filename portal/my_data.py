"""A trainee's export of their own data: their person, posts, classes with results, and certificates, as a PDF
and as an Excel workbook, read in a fixed number of queries whatever their history holds."""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook

from certificates.models import Certificate
from common.localtime import local_datetime_text
from common.pdf import html_to_pdf
from common.workbook_cells import safe_cell
from enrollments.models import Enrollment
from organizations.models import Appointment, Member


@dataclass(frozen=True)
class Table:
    title: str
    headers: list
    rows: list  # of lists of str, date, Decimal, int or None

    def shown_rows(self):
        """The rows as the PDF prints them."""
        return [[shown(value) for value in row] for row in self.rows]


@dataclass(frozen=True)
class OwnData:
    member: Member
    tables: list
    made_at: datetime.datetime


def shown(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        # A moment is stored in UTC: shown as the center's clock read it.
        return local_datetime_text(value)
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    return str(value)


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def _yes_no(value):
    return _("Có") if value else _("Không")


def own_data(user) -> OwnData | None:
    """Everything the product holds about the user's own member record; None for a login without one."""
    member = Member.objects.owned_by(user).select_related("organization", "user").first()
    if member is None:
        return None
    person = Table(
        _("Thông tin cá nhân"),
        [_("Thông tin"), _("Nội dung")],
        [
            [_label(Member, "full_name"), member.full_name],
            [_label(Member, "birth_date"), member.birth_date],
            [_label(Member, "gender"), member.get_gender_display()],
            [_label(Member, "organization"), member.organization.name],
            [_label(Member, "workplace"), member.workplace],
            [_label(Member, "job_title"), member.job_title],
            [_label(Member, "email"), member.email],
            [_label(Member, "phone"), member.phone],
            [_("Tên đăng nhập"), member.user.get_username() if member.user else ""],
        ],
    )
    posts = Table(
        _("Chức vụ trong nhiệm kỳ"),
        [
            _label(Appointment, name)
            for name in ("post", "organization", "term_label", "start_date", "end_date", "is_current")
        ],
        [
            [
                appointment.get_post_display(),
                appointment.organization.name,
                appointment.term_label,
                appointment.start_date,
                appointment.end_date,
                _yes_no(appointment.is_current),
            ]
            for appointment in Appointment.objects.owned_by(user)
            .select_related("organization")
            .order_by("-start_date", "pk")
        ],
    )
    classes = Table(
        _("Lớp bồi dưỡng và kết quả"),
        [
            _("Mã lớp"),
            _("Lớp"),
            _("Từ ngày"),
            _("Đến ngày"),
            _label(Enrollment, "status"),
            _label(Enrollment, "attended_percent"),
            _label(Enrollment, "final_score"),
            _label(Enrollment, "grade"),
            _label(Enrollment, "result_reasons"),
        ],
        [
            [
                enrollment.course.code,
                enrollment.course.title,
                enrollment.course.start_date,
                enrollment.course.end_date,
                enrollment.get_status_display(),
                enrollment.attended_percent,
                enrollment.final_score,
                enrollment.get_grade_display(),
                enrollment.result_reasons,
            ]
            for enrollment in Enrollment.objects.owned_by(user)
            .select_related("course__program")
            .order_by("-course__start_date", "pk")
        ],
    )
    certificates = Table(
        _("Giấy chứng nhận"),
        [
            _label(Certificate, "register_number"),
            _label(Certificate, "course_title"),
            _label(Certificate, "issued_on"),
            _label(Certificate, "grade"),
            _label(Certificate, "status"),
            _label(Certificate, "verification_code"),
        ],
        [
            [
                certificate.register_number,
                certificate.course_title,
                certificate.issued_on,
                certificate.get_grade_display(),
                certificate.get_status_display(),
                certificate.printed_code,
            ]
            for certificate in Certificate.objects.owned_by(user).order_by("-issued_on", "-pk")
        ],
    )
    return OwnData(member, [person, posts, classes, certificates], timezone.localtime())


def own_data_pdf(data: OwnData) -> bytes:
    return html_to_pdf(render_to_string("portal/pdf/my_data.html", {"data": data}))


def own_data_workbook(data: OwnData) -> bytes:
    """One sheet per table; dates as dates, numbers as numbers, text through the safe cell writer."""
    workbook = Workbook(write_only=True)
    for table in data.tables:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.append([safe_cell(sheet, str(header)) for header in table.headers])
        for row in table.rows:
            sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value):
    if isinstance(value, Decimal):
        value = float(value)
    elif value is not None and not isinstance(value, datetime.date | int | float):
        value = str(value)
    cell = safe_cell(sheet, value)
    if isinstance(value, datetime.date):
        cell.number_format = "DD/MM/YYYY"
    return cell
