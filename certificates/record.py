"""A member's training record (quá trình bồi dưỡng): each class they were on, with their attendance, score, result
and its reasons, and the certificate it earned; shown on the member's admin page and written as a PDF and a
workbook for a personnel file.

Each row is what the trainee's own pages read (enrollments.progress.progress_of and
certificates.status.certificate_status), so staff and the trainee read one rule; a record of any length costs a
fixed number of queries."""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from certificates.status import CertificateStatus, certificate_status, with_certificates
from common import numbers
from common.pdf import html_to_pdf
from common.workbook_cells import safe_cell
from common.workbook_print import font, issuer_name, print_setup, set_properties, use_font
from enrollments.models import Enrollment
from enrollments.progress import Progress, progress_of, with_schedule
from organizations.models import Member, Organization


@dataclass(frozen=True)
class RecordRow:
    progress: Progress
    certificate: CertificateStatus

    @property
    def enrollment(self):
        return self.progress.enrollment

    @property
    def course(self):
        return self.enrollment.course

    @property
    def result_label(self) -> str:
        """The stored result once the class has closed (with the grade when completed), its phase before."""
        if not self.progress.is_final:
            return self.progress.phase
        enrollment = self.enrollment
        label = str(enrollment.get_status_display())
        if enrollment.status == Enrollment.Status.COMPLETED and enrollment.grade:
            return f"{label} — {enrollment.get_grade_display()}"
        return label

    @property
    def attendance_text(self) -> str:
        percent = self.progress.attended_percent
        return numbers.percent(percent) if percent is not None else ""

    @property
    def score_text(self) -> str:
        score = self.enrollment.final_score
        return numbers.decimal(score) if score is not None else ""

    @property
    def issued_certificate(self):
        """The certificate the row names: the valid one, or the latest revoked one."""
        return self.certificate.certificate


@dataclass(frozen=True)
class TrainingRecord:
    member: Member
    place: str  # the member's organization and its parents up to the affiliated committee
    posts: list[str]  # current posts, in words
    rows: list[RecordRow]
    made_at: datetime.datetime
    made_by: str  # who asked for it: the files' author


def training_record(member: Member, user) -> TrainingRecord:
    """The record of a member the user may see, with only the enrollments the user's scope holds (all of a member in
    the scope: an enrollment belongs to its member's sub-tree)."""
    enrollments = with_certificates(with_schedule(Enrollment.objects.for_user(user).filter(member=member)))
    rows = [
        RecordRow(progress_of(enrollment), certificate_status(enrollment))
        for enrollment in enrollments.order_by("-course__start_date", "-pk")
    ]
    organization = member.organization
    posts = [
        f"{appointment.get_post_display()} — {appointment.organization.name} ({appointment.term_label})"
        for appointment in member.appointments.current().select_related("organization").order_by("-start_date")
    ]
    place = Organization.objects.upward_labels([organization.path])[organization.path] or organization.name
    return TrainingRecord(member, place, posts, rows, timezone.localtime(), issuer_name(user))


def record_filename(record: TrainingRecord, extension: str) -> str:
    return f"qua-trinh-boi-duong-{record.member.pk}-{record.made_at:%Y%m%d}.{extension}"


def record_pdf(record: TrainingRecord) -> bytes:
    return html_to_pdf(render_to_string("certificates/pdf/training_record.html", {"record": record}))


def _headers():
    return [
        _("STT"),
        _("Mã lớp"),
        _("Lớp"),
        _("Từ ngày"),
        _("Đến ngày"),
        _("Chuyên cần (%)"),
        _("Điểm"),
        _("Kết quả"),
        _("Lý do"),
        _("Số vào sổ giấy chứng nhận"),
        _("Ngày cấp"),
        _("Tình trạng giấy chứng nhận"),
    ]


def _values(index: int, row: RecordRow) -> list:
    certificate = row.issued_certificate
    percent = row.progress.attended_percent
    score = row.enrollment.final_score
    return [
        index,
        row.course.code,
        row.course.title,
        row.course.start_date,
        row.course.end_date,
        float(percent) if isinstance(percent, Decimal) else None,
        float(score) if score is not None else None,
        row.result_label,
        "\n".join(row.progress.result_reasons),
        certificate.register_number if certificate else "",
        certificate.issued_on if certificate else None,
        str(row.certificate.label),
    ]


HEADER_ROW = 10  # the title, seven lines about the member, a blank line, then the headers
WIDTHS = [5, 12, 48, 11, 11, 10, 7, 22, 36, 22, 11, 26]


def record_workbook(record: TrainingRecord) -> bytes:
    """One sheet: who the member is, then one row per class; dates as dates, numbers as numbers, every cell through
    the safe writer."""
    workbook = Workbook(write_only=True)
    use_font(workbook)
    member = record.member
    set_properties(workbook, title=f"{_('Quá trình bồi dưỡng')} — {member.full_name}", creator=record.made_by)
    sheet = workbook.create_sheet(_("Quá trình bồi dưỡng")[:31])
    print_setup(sheet, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    bold = font(bold=True, size=13)
    sheet.append([safe_cell(sheet, _("QUÁ TRÌNH BỒI DƯỠNG"), font=bold)])
    for label, value in [
        (_("Họ và tên"), member.full_name),
        (_("Ngày sinh"), member.birth_date),
        (_("Tổ chức đảng"), record.place),
        (_("Đơn vị công tác"), member.workplace),
        (_("Chức danh"), member.job_title),
        (_("Chức vụ hiện tại"), "; ".join(record.posts)),
        (_("Lập ngày"), record.made_at.date()),
    ]:
        sheet.append([safe_cell(sheet, str(label), font=font(bold=True)), None, _cell(sheet, value)])
    sheet.append([])
    sheet.append([safe_cell(sheet, str(header), font=font(bold=True)) for header in _headers()])
    wrapped = Alignment(wrap_text=True, vertical="top")
    for index, row in enumerate(record.rows, start=1):
        sheet.append([_cell(sheet, value, alignment=wrapped) for value in _values(index, row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value, **formatting):
    cell = safe_cell(sheet, value if value != "" else None, **formatting)
    if isinstance(value, datetime.date):
        cell.number_format = "DD/MM/YYYY"
    elif isinstance(value, float):
        cell.number_format = "0.0"
    return cell
