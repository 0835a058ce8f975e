"""A class's life as one set of states, and the only code that changes one.

planned → open for nominations → list locked (the nomination deadline has passed) → running (the start date has
come) → ended (the last session's date has passed) → closed (results stored) → certificates issued; cancelled
from any state before closed.

Only what people decide is stored in Course.status (planned, open, closed, certified, cancelled); the phases time
brings (locked, running, ended) are derived from the dates by phase(), so no scheduled task moves a class. Each
transition is a function that checks its preconditions, refuses with a Vietnamese ValidationError saying why
(PermissionDenied for who may not), and saves the course with its author and reason in the course's history.
The transitions that need the enrollments (closing, reopening) do their work in enrollments/closing.py and
come here for the check and the record; issuing certificates comes here to mark the class certified.
"""

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.history import attribute
from common.localtime import local_today
from courses.models import RESULTS_STORED, Course
from organizations.permissions import (
    is_center,
    may_cancel,
    may_change_course,
    may_close,
    may_create_course,
    may_open_nominations,
    may_reopen,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Status = Course.Status


class Phase:
    """Where a class is in its life: the stored decision, or for an open class the phase its dates give."""

    PLANNED = "planned"
    OPEN = "open"
    LOCKED = "locked"
    RUNNING = "running"
    ENDED = "ended"
    CLOSED = "closed"
    CERTIFIED = "certified"
    CANCELLED = "cancelled"

    LABELS = {
        PLANNED: gettext_lazy("Dự kiến"),
        OPEN: gettext_lazy("Đang nhận cử học viên"),
        LOCKED: gettext_lazy("Đã khóa danh sách"),
        RUNNING: gettext_lazy("Đang học"),
        ENDED: gettext_lazy("Đã học xong, chưa kết thúc lớp"),
        CLOSED: gettext_lazy("Đã kết thúc"),
        CERTIFIED: gettext_lazy("Đã cấp giấy chứng nhận"),
        CANCELLED: gettext_lazy("Đã hủy"),
    }


# Results stored (RESULTS_STORED, from the model): nothing of the class changes but through reopen() (and
# certificates through their own rules).
# The states in which nothing of the class's list, attendance or scores is edited.
READ_ONLY = (*RESULTS_STORED, Status.CANCELLED)


def last_day(course: Course) -> datetime.date:
    """The date of the class's last session (its end date while it has no session)."""
    if hasattr(course, "last_session_date"):  # annotated by a list (see CourseAdminBase.get_queryset)
        last = course.last_session_date
    else:
        last = course.sessions.aggregate(last=Max("date"))["last"]
    return last or course.end_date


def phase(course: Course, today: datetime.date | None = None, *, last: datetime.date | None = None) -> str:
    """The class's phase on `today` (default: today in Asia/Ho_Chi_Minh). `last`, when known, saves the query
    for the last session's date."""
    if course.status != Status.OPEN:
        return str(course.status)
    today = today or local_today()
    last = last or last_day(course)
    if today > last:
        return Phase.ENDED
    if today >= course.start_date:
        return Phase.RUNNING
    if course.nomination_deadline is not None and today > course.nomination_deadline:
        return Phase.LOCKED
    return Phase.OPEN


def phase_label(course: Course, today: datetime.date | None = None, *, last: datetime.date | None = None) -> str:
    return str(Phase.LABELS[phase(course, today, last=last)])


def is_read_only(course: Course) -> bool:
    return course.status in READ_ONLY


def read_only_reason(course: Course) -> str | None:
    """Why nothing of the class's list, attendance or scores may change now, or None when it may."""
    if course.status in RESULTS_STORED:
        return _(
            "Lớp %(code)s đã kết thúc, kết quả đã lưu: không sửa danh sách, điểm danh, điểm được nữa. "
            "Sửa một kết quả: dùng điều chỉnh kết quả; sửa cả lớp: Trung tâm mở lại lớp, kèm lý do."
        ) % {"code": course.code}
    if course.status == Status.CANCELLED:
        return _("Lớp %(code)s đã bị hủy: không nhận cử học viên, điểm danh hay điểm.") % {"code": course.code}
    return None


def ensure_editable(course: Course, field: str | None = None) -> None:
    """The one check every service that changes a class's list, attendance or scores makes first: refused for a
    closed, certified or cancelled class, the message under `field` when the caller's form has one."""
    reason = read_only_reason(course)
    if reason:
        error = ValidationError(reason, code="read_only")
        raise ValidationError({field: error}) if field else error


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _record(course: Course, status: str, *, by: "User | None", reason: str) -> Course:
    course.status = status
    attribute(course, by=by, reason=reason)
    course.save(update_fields=["status"])
    return course


def _locked(course: Course) -> Course:
    """The course as stored, its row locked until the transaction ends: a transition checks the state it changes,
    not what a caller's copy says."""
    return Course.objects.select_for_update(of=("self",)).get(pk=course.pk)


def _written(reason: str | None, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


# -- Creating and editing a class ---------------------------------------------------------------------------


def check_course_details(course: Course, *, by: "User | None") -> None:
    """Whether `by` may save the class as it now reads: a new one with its organizer (the center any; an
    authorized committee's officers their own committee, under an issued program, without a co-organizer), an
    existing one only when it may change it (may_change_course)."""
    if course.pk is None:
        if not may_create_course(by, course.organizer if course.organizer_id else None):
            raise PermissionDenied(_("Chỉ Trung tâm và đảng ủy được giao tự tổ chức lớp mới mở lớp, cho đơn vị mình."))
    else:
        stored = Course.objects.select_related("organizer").get(pk=course.pk)
        if not may_change_course(by, stored) or not may_change_course(by, course):
            raise PermissionDenied(_("Chỉ đơn vị tổ chức lớp được sửa thông tin lớp."))
    if not is_center(by):
        errors = {}
        if course.co_organizer_id:
            errors["co_organizer"] = _("Lớp do đảng ủy tự tổ chức không có đơn vị phối hợp.")
        if course.program_id and course.program.status != course.program.Status.ISSUED:
            errors["program"] = _("Lớp do đảng ủy tự tổ chức phải theo một chương trình đã ban hành.")
        if errors:
            raise ValidationError(errors)


@transaction.atomic
def save_course(course: Course, *, by: "User | None") -> Course:
    """Create or change a class's details (never its state, which the transitions below own), checked as
    check_course_details() says and validated, its history naming `by`."""
    check_course_details(course, by=by)
    course.full_clean()
    attribute(course, by=by, reason=_("Thêm lớp") if course.pk is None else _("Sửa thông tin lớp"))
    course.save()
    return course


# -- Opening the list ------------------------------------------------------------------------------------


@transaction.atomic
def open_nominations(course: Course, *, by: "User | None") -> Course:
    """planned → open for nominations (the center's)."""
    if not may_open_nominations(by, course):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được mở nhận cử học viên."))
    course = _locked(course)
    if course.status != Status.PLANNED:
        raise ValidationError(
            _("Lớp %(code)s đang ở trạng thái “%(phase)s”: chỉ mở nhận cử học viên cho lớp dự kiến.")
            % {"code": course.code, "phase": phase_label(course)}
        )
    return _record(course, Status.OPEN, by=by, reason=_("Mở nhận cử học viên"))


# -- Closing ---------------------------------------------------------------------------------------------


def closing_warnings(course: Course, unrecorded: list[datetime.date], today: datetime.date | None = None) -> list[str]:
    """Why closing the class now would be early: its last session still to come, held sessions without
    attendance for some trainee (`unrecorded`, their dates, which enrollments/closing.py reads)."""
    today = today or local_today()
    warnings = []
    last = last_day(course)
    if today < last:
        warnings.append(_("Lớp chưa học xong: buổi học cuối cùng là ngày %(date)s.") % {"date": _date(last)})
    if unrecorded:
        warnings.append(
            _("Chưa điểm danh đủ học viên các buổi: %(dates)s.")
            % {"dates": ", ".join(_date(day) for day in sorted(set(unrecorded)))}
        )
    return warnings


def check_close(
    course: Course,
    *,
    by: "User | None",
    unrecorded: list[datetime.date],
    reason: str = "",
    today: datetime.date | None = None,
) -> str:
    """Whether the class may be closed now; returns the reason the history keeps. An early close (before the last
    session, or with held sessions unrecorded) is the center's, with a written reason."""
    if not may_close(by, course):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được kết thúc lớp."))
    if course.status not in (Status.PLANNED, Status.OPEN):
        raise ValidationError(
            _("Lớp %(code)s đang ở trạng thái “%(phase)s”: không kết thúc được.")
            % {"code": course.code, "phase": phase_label(course)}
        )
    warnings = closing_warnings(course, unrecorded, today)
    reason = (reason or "").strip()
    if not warnings:
        return _("Kết thúc lớp: %(reason)s") % {"reason": reason} if reason else _("Kết thúc lớp")
    if not reason:
        raise ValidationError(
            _("Chưa kết thúc được lớp %(code)s. %(warnings)s Muốn kết thúc sớm, hãy ghi lý do.")
            % {"code": course.code, "warnings": " ".join(warnings)},
            code="early",
        )
    return _("Kết thúc lớp sớm: %(reason)s") % {"reason": reason}


# Functions run on a class just closed, in the closing transaction: oversight adds the one that judges a self-run
# class's quality indicators and stores the verdict (courses cannot import oversight).
closing_hooks: list[Callable[[Course, Any], None]] = []


def record_closed(course: Course, *, by: "User | None", reason: str) -> Course:
    """Mark the class closed, once enrollments/closing.py has stored the results after check_close(); then the
    closing hooks run (the quality verdict of a self-run class)."""
    course = _record(course, Status.CLOSED, by=by, reason=reason)
    for hook in closing_hooks:
        hook(course, by)
    return course


# -- The quality verdict ---------------------------------------------------------------------------------


def record_quality(course: Course, quality: str, reasons: str, *, by: "User | None", reason: str) -> Course:
    """Store the class's quality verdict (Course.Quality) and its reasons, the history naming `by` and why:
    oversight's services (judging at closing, the center's acceptance) write it through here. A change of
    verdict changes whose certificates train (certificates/training.py), so the compliance tallies hear of it."""
    if course.quality == quality and course.quality_reasons == reasons:
        return course
    course.quality, course.quality_reasons = quality, reasons
    attribute(course, by=by, reason=reason)
    course.save(update_fields=["quality", "quality_reasons"])
    return course


# -- Reopening -------------------------------------------------------------------------------------------

# Functions of a course answering how many valid certificates it has; the certificates app adds its own in ready().
valid_certificate_counters: list[Callable[[Course], int]] = []


def check_reopen(course: Course, *, by: "User | None", reason: str) -> str:
    """Whether a closed class may be reopened: the center's, with a written reason, and only while it has no
    valid certificate. Returns the reason as the history keeps it."""
    if not may_reopen(by):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được mở lại lớp."))
    if course.status not in RESULTS_STORED:
        raise ValidationError(_("Lớp %(code)s chưa kết thúc: không có gì để mở lại.") % {"code": course.code})
    reason = _written(reason, _("Hãy ghi lý do mở lại lớp."))
    valid = sum(counter(course) for counter in valid_certificate_counters)
    if valid:
        raise ValidationError(
            _("Lớp %(code)s còn %(count)d giấy chứng nhận có hiệu lực: hãy thu hồi trước rồi mới mở lại lớp.")
            % {"code": course.code, "count": valid},
            code="certificates",
        )
    return reason


def record_reopened(course: Course, *, by: "User | None", reason: str) -> Course:
    """Back to open; its quality verdict goes with its results (judged again at the next closing)."""
    course.quality, course.quality_reasons = Course.Quality.UNJUDGED, ""
    course.status = Status.OPEN
    attribute(course, by=by, reason=_("Mở lại lớp: %(reason)s") % {"reason": reason})
    course.save(update_fields=["status", "quality", "quality_reasons"])
    return course


# -- Cancelling ------------------------------------------------------------------------------------------


@transaction.atomic
def cancel(course: Course, *, by: "User | None", reason: str) -> Course:
    """Any state before closed → cancelled (the center's, with a written reason). A cancelled class takes no
    nominations, attendance or scores."""
    if not may_cancel(by, course):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được hủy lớp."))
    course = _locked(course)
    if course.status in READ_ONLY:
        raise ValidationError(
            _("Lớp %(code)s đang ở trạng thái “%(phase)s”: chỉ hủy được lớp chưa kết thúc.")
            % {"code": course.code, "phase": phase_label(course)}
        )
    reason = _written(reason, _("Hãy ghi lý do hủy lớp."))
    return _record(course, Status.CANCELLED, by=by, reason=_("Hủy lớp: %(reason)s") % {"reason": reason})


# -- Certificates ----------------------------------------------------------------------------------------


def check_certifiable(course: Course) -> None:
    """Certificates are issued for a closed class (or more of them, for a class already certified)."""
    if course.status not in RESULTS_STORED:
        raise ValidationError(
            _("Lớp %(code)s chưa kết thúc: chỉ cấp giấy chứng nhận cho lớp đã kết thúc.") % {"code": course.code}
        )


def mark_certified(course: Course, *, by: "User | None") -> Course:
    """closed → certificates issued, when issue_certificates() has issued some. A class already certified stays."""
    check_certifiable(course)
    if course.status == Status.CERTIFIED:
        return course
    return _record(course, Status.CERTIFIED, by=by, reason=_("Cấp giấy chứng nhận"))


def transitions(course: Course, user: Any, today: datetime.date | None = None) -> dict[str, bool]:
    """Which transitions the course's page offers `user` now."""
    return {
        "open": course.status == Status.PLANNED and may_open_nominations(user, course),
        "close": course.status in (Status.PLANNED, Status.OPEN) and may_close(user, course),
        "reopen": course.status in RESULTS_STORED and may_reopen(user),
        "cancel": course.status not in READ_ONLY and may_cancel(user, course),
    }
