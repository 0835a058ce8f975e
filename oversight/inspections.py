"""The Inspection Committee's inspections of training, as services: the yearly plan and its inspections, opening an
inspection (its checklist prepared from the records, oversight/checklist.py), the team's findings and conclusion
with the corrections it requires, and each correction's life:

    required --report--> reported --accept--> accepted
                             \\--reopen--> reopened --report--> reported ...

A correction is overdue while it is not accepted and its due date has passed (CorrectionQuerySet.overdue). Every
service checks its right (organizations/permissions.py) inside, refuses in Vietnamese, saves with full_clean() in a
transaction and names its author in the history (common/history.py)."""

import datetime
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import attribute
from common.localtime import local_today
from organizations.access import scope_acting_for
from organizations.models import Organization
from organizations.permissions import (
    may_inspect,
    may_judge_correction,
    may_plan_inspections,
    may_report_correction,
)
from oversight.checklist import build_checklist
from oversight.models import Correction, CorrectionReport, Finding, Inspection, InspectionPlan

# What a correction report may attach: documents and scans, up to CORRECTION_ATTACHMENT_MAX_BYTES.
ATTACHMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".jpg", ".jpeg", ".png"}
# The first bytes each kind of file starts with; a file whose content does not match its name is refused.
SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
}


def attachment_max_bytes() -> int:
    return getattr(settings, "CORRECTION_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _save(instance: Any, *, by: Any, reason: str) -> Any:
    instance.full_clean()
    attribute(instance, by=by, reason=reason)
    instance.save()
    return instance


# -- The plan --------------------------------------------------------------------------------------


def save_plan(plan: InspectionPlan, *, by: Any) -> InspectionPlan:
    """Create or change the yearly plan."""
    _refuse_unless(may_plan_inspections(by), _("Chỉ Ủy ban Kiểm tra lập kế hoạch kiểm tra."))
    with transaction.atomic():
        return _save(plan, by=by, reason=_("Lập kế hoạch kiểm tra") if plan.pk is None else _("Sửa kế hoạch kiểm tra"))


@dataclass
class Planned:
    """What the plan says of one inspection: the organization, the dates, the team and the topics."""

    organization: Organization
    start_date: datetime.date
    end_date: datetime.date
    topics: str
    team: Iterable[Any] = ()


def plan_inspection(plan: InspectionPlan, planned: Planned, *, by: Any, inspection: Inspection | None = None):
    """Add an inspection to the plan, or change a planned one (an opened inspection keeps its organization)."""
    _refuse_unless(may_plan_inspections(by), _("Chỉ Ủy ban Kiểm tra lập kế hoạch kiểm tra."))
    with transaction.atomic():
        if inspection is None:
            inspection = Inspection(plan=plan)
        elif inspection.status != Inspection.Status.PLANNED and inspection.organization_id != planned.organization.pk:
            raise ValidationError(_("Cuộc kiểm tra đã mở: không đổi tổ chức được kiểm tra."))
        inspection.organization = planned.organization
        inspection.start_date, inspection.end_date = planned.start_date, planned.end_date
        inspection.topics = planned.topics
        _save(inspection, by=by, reason=_("Đưa vào kế hoạch kiểm tra"))
        inspection.team.set(list(planned.team))
        return inspection


# -- The inspection -------------------------------------------------------------------------------


def open_inspection(inspection: Inspection, *, by: Any, today: datetime.date | None = None) -> Inspection:
    """Open a planned inspection: its checklist is prepared from the records as they are now, and kept."""
    _refuse_unless(may_inspect(by, inspection), _("Chỉ đoàn kiểm tra mở cuộc kiểm tra."))
    if inspection.status != Inspection.Status.PLANNED:
        raise ValidationError(_("Cuộc kiểm tra đã được mở."))
    today = today or local_today()
    with transaction.atomic():
        inspection.checklist = build_checklist(inspection.organization, user=by, today=today)
        inspection.status = Inspection.Status.OPEN
        inspection.opened_at = timezone.now()
        return _save(inspection, by=by, reason=_("Mở cuộc kiểm tra"))


def add_finding(inspection: Inspection, *, by: Any, text: str) -> Finding:
    _refuse_unless(may_inspect(by, inspection), _("Chỉ đoàn kiểm tra ghi phát hiện."))
    if inspection.status != Inspection.Status.OPEN:
        raise ValidationError(_("Chỉ ghi phát hiện khi cuộc kiểm tra đang mở."))
    with transaction.atomic():
        return _save(Finding(inspection=inspection, text=text), by=by, reason=_("Ghi phát hiện"))


def change_finding(finding: Finding, *, by: Any, text: str) -> Finding:
    inspection = finding.inspection
    _refuse_unless(may_inspect(by, inspection), _("Chỉ đoàn kiểm tra ghi phát hiện."))
    if inspection.status != Inspection.Status.OPEN:
        raise ValidationError(_("Chỉ ghi phát hiện khi cuộc kiểm tra đang mở."))
    finding.text = text
    with transaction.atomic():
        return _save(finding, by=by, reason=_("Sửa phát hiện"))


def remove_finding(finding: Finding, *, by: Any) -> None:
    inspection = finding.inspection
    _refuse_unless(may_inspect(by, inspection), _("Chỉ đoàn kiểm tra ghi phát hiện."))
    if inspection.status != Inspection.Status.OPEN:
        raise ValidationError(_("Chỉ ghi phát hiện khi cuộc kiểm tra đang mở."))
    attribute(finding, by=by, reason=_("Xóa phát hiện"))
    finding.delete()


@dataclass
class Required:
    """A correction the conclusion requires."""

    organization: Organization
    text: str
    due_date: datetime.date


def conclude(
    inspection: Inspection,
    *,
    by: Any,
    conclusion: str,
    corrections: Iterable[Required] = (),
    today: datetime.date | None = None,
) -> list[Correction]:
    """Conclude an open inspection; each required correction names an organization of the inspected sub-tree."""
    _refuse_unless(may_inspect(by, inspection), _("Chỉ đoàn kiểm tra kết luận cuộc kiểm tra."))
    if inspection.status != Inspection.Status.OPEN:
        raise ValidationError(_("Chỉ kết luận cuộc kiểm tra đang mở."))
    if not conclusion.strip():
        raise ValidationError({"conclusion": _("Hãy ghi kết luận.")})
    today = today or local_today()
    made = []
    with transaction.atomic():
        inspection.conclusion = conclusion
        inspection.status = Inspection.Status.CONCLUDED
        inspection.concluded_on = today
        _save(inspection, by=by, reason=_("Kết luận cuộc kiểm tra"))
        for required in corrections:
            if not required.organization.path.startswith(inspection.organization.path):
                raise ValidationError(
                    {"organization": _("Tổ chức chịu trách nhiệm phải thuộc tổ chức đảng được kiểm tra.")}
                )
            if required.due_date < today:
                raise ValidationError({"due_date": _("Hạn khắc phục không được trước ngày kết luận.")})
            correction = Correction(
                inspection=inspection,
                organization=required.organization,
                text=required.text,
                due_date=required.due_date,
            )
            made.append(_save(correction, by=by, reason=_("Yêu cầu khắc phục")))
    return made


# -- Corrections -----------------------------------------------------------------------------------


def validate_attachment(attachment: File | None) -> None:
    """Refuse a file of a kind not listed, whose content does not match its name, or over the size limit."""
    if attachment is None:
        return
    extension = os.path.splitext(attachment.name or "")[1].lower()
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {"attachment": _("Chỉ đính kèm tệp %(types)s.") % {"types": ", ".join(sorted(ATTACHMENT_TYPES))}}
        )
    if attachment.size is None or attachment.size > attachment_max_bytes():
        limit = attachment_max_bytes() // (1024 * 1024)
        raise ValidationError({"attachment": _("Tệp đính kèm vượt quá %(mb)d MB.") % {"mb": limit}})
    attachment.seek(0)
    head = attachment.read(8)
    attachment.seek(0)
    if not head.startswith(SIGNATURES[extension]):
        raise ValidationError({"attachment": _("Nội dung tệp không đúng với loại tệp.")})


def report_correction(
    correction: Correction, *, by: Any, text: str, attachment: File | None = None
) -> CorrectionReport:
    """The responsible committee reports what it did on a correction still to do (required or reopened)."""
    _refuse_unless(
        may_report_correction(by, correction),
        _("Chỉ cán bộ của tổ chức chịu trách nhiệm báo cáo kết quả khắc phục."),
    )
    if correction.status not in (Correction.Status.REQUIRED, Correction.Status.REOPENED):
        raise ValidationError(_("Yêu cầu khắc phục này không chờ báo cáo."))
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi kết quả khắc phục.")})
    validate_attachment(attachment)
    with transaction.atomic():
        report = CorrectionReport(correction=correction, text=text, reported_by=by)
        if attachment is not None:
            report.attachment.save(os.path.basename(attachment.name or "tep"), attachment, save=False)
        report.full_clean()
        report.save()
        correction.status = Correction.Status.REPORTED
        _save(correction, by=by, reason=_("Báo cáo kết quả khắc phục"))
        return report


def _judge(correction: Correction, *, by: Any, note: str, verdict: str, status: str, reason: str) -> Correction:
    _refuse_unless(may_judge_correction(by, correction), _("Chỉ đoàn kiểm tra xem xét kết quả khắc phục."))
    if correction.status != Correction.Status.REPORTED:
        raise ValidationError(_("Yêu cầu khắc phục này chưa có báo cáo chờ xem xét."))
    with transaction.atomic():
        report = correction.reports.filter(verdict=CorrectionReport.Verdict.PENDING).order_by("-reported_at").first()
        if report is not None:
            report.verdict, report.verdict_note = verdict, note
            report.judged_by, report.judged_at = by, timezone.now()
            report.save(update_fields=["verdict", "verdict_note", "judged_by", "judged_at"])
        correction.status = status
        return _save(correction, by=by, reason=reason)


def accept_report(correction: Correction, *, by: Any, note: str = "") -> Correction:
    """The team accepts the reported correction: it is done."""
    return _judge(
        correction,
        by=by,
        note=note,
        verdict=CorrectionReport.Verdict.ACCEPTED,
        status=Correction.Status.ACCEPTED,
        reason=_("Chấp nhận kết quả khắc phục"),
    )


def reopen_correction(correction: Correction, *, by: Any, note: str = "") -> Correction:
    """The team does not accept the report: the committee corrects again and reports again."""
    return _judge(
        correction,
        by=by,
        note=note,
        verdict=CorrectionReport.Verdict.REOPENED,
        status=Correction.Status.REOPENED,
        reason=_("Yêu cầu khắc phục lại"),
    )


def overdue_corrections(user: Any, today: datetime.date | None = None):
    """The corrections the user sees that are past due and not accepted, oldest due first."""
    today = today or local_today()
    return (
        Correction.objects.for_scope(scope_acting_for(user))
        .overdue(today)
        .select_related("organization", "inspection__plan")
        .order_by("due_date", "pk")
    )
