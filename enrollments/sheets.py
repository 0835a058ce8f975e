"""A class's attendance and score sheets (each saved whole, all or nothing) and its attendance matrix."""

import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from courses import lifecycle
from courses.models import Course, Session
from enrollments.models import Attendance, Enrollment
from enrollments.rules import ATTENDED
from organizations.permissions import may_mark_attendance, may_record_scores

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SCORE_MIN = Decimal("0")
SCORE_MAX = Decimal("10")
SCORE_STEP = Decimal("0.1")
MISSED = (Attendance.Status.ABSENT, Attendance.Status.EXCUSED)


class StaleSheetError(ValidationError):
    """The sheet changed after the form was rendered; saving it would overwrite someone's work."""


@dataclass(frozen=True)
class SheetSave:
    created: int
    updated: int

    @property
    def changed(self):
        return self.created + self.updated


def _digest(rows):
    text = ";".join(":".join("" if value is None else str(value) for value in row) for row in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def attendance_version(rows: Iterable[Attendance]) -> str:
    """The version token of a session's attendance, from all its Attendance rows."""
    return _digest(sorted((row.pk, row.status) for row in rows))


def score_version(enrollments: Iterable[Enrollment]) -> str:
    """The version token of a course's scores, from all its enrollments (withdrawn ones too, so a
    trainee withdrawn in between also makes the form stale)."""
    return _digest(sorted((e.pk, e.status, e.final_score) for e in enrollments))


def current_attendance_version(session: Session) -> str:
    return attendance_version(Attendance.objects.filter(session=session).only("pk", "status").order_by())


def current_score_version(course: Course) -> str:
    return score_version(Enrollment.objects.filter(course=course).only("pk", "status", "final_score").order_by())


def score_problem(score: Decimal) -> str | None:
    """Why a score cannot be stored, in words for the person typing it, or None when it can."""
    if not score.is_finite() or not SCORE_MIN <= score <= SCORE_MAX:
        return _("Điểm phải từ 0 đến 10.")
    if score != score.quantize(SCORE_STEP):
        return _("Điểm chỉ có một chữ số thập phân, ví dụ %(example)s.") % {"example": number_format(Decimal("7.5"), 1)}
    return None


def _refuse_closed(course):
    # A closed course's results are stored; a late change goes through override_result(), with a reason, or
    # the course is reopened. A cancelled course takes no attendance or scores.
    lifecycle.ensure_editable(course, field=NON_FIELD_ERRORS)


def _refuse_stale(current, expected):
    if current != expected:
        raise StaleSheetError(
            _("Trong lúc đồng chí nhập, bảng này đã được người khác lưu. Chưa có gì được ghi."),
            code="stale",
        )


def _row_problem(enrollment, enrollment_id, course):
    """Why this enrollment has no row on the course's sheet, or None when it has one."""
    if enrollment is None:
        return _("Dòng %(row)s: không có học viên này.") % {"row": enrollment_id}
    if enrollment.course_id != course.pk:
        return _("%(name)s không phải học viên của lớp %(course)s.") % {
            "name": enrollment.member.full_name,
            "course": course.code,
        }
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        return _("%(name)s đã rút khỏi lớp.") % {"name": enrollment.member.full_name}
    return None


def mark_attendance(
    session: Session, marks: Mapping[int, str], *, by: "User | None", expected_version: str | None
) -> SheetSave:
    """Record the statuses of one session for the trainees in `marks` (enrollment id -> status).

    Only rows whose status changes are written, with history naming `by`; saving the same marks
    again writes nothing. The whole sheet is refused, with nothing written, if any mark is for
    someone who is not a trainee of the session's course, or if the session's attendance changed
    since the form was rendered (`expected_version`, from attendance_version()). Only the staff of the
    course's organizer take its attendance (may_mark_attendance); `by` None is the command line.
    """
    if not may_mark_attendance(by, session.course):
        raise PermissionDenied(_("Chỉ cán bộ của đơn vị tổ chức lớp được điểm danh."))
    with transaction.atomic():
        # Locking the session serializes two saves of the same sheet, so the version check below
        # cannot pass for both of them.
        locked = Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session.pk)
        _refuse_closed(locked.course)
        existing = {row.enrollment_id: row for row in Attendance.objects.filter(session=session).order_by()}
        _refuse_stale(attendance_version(existing.values()), expected_version)

        enrollments = Enrollment.objects.select_related("member").in_bulk(list(marks))
        course = session.course
        statuses = set(Attendance.Status.values)
        errors = {}
        for enrollment_id, status in marks.items():
            problem = _row_problem(enrollments.get(enrollment_id), enrollment_id, course)
            if problem is None and status not in statuses:
                problem = _("Trạng thái điểm danh không hợp lệ.")
            if problem:
                errors[enrollment_id] = [problem]
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]  # keyed by enrollment id: Django takes it

        created, updated = [], []
        for enrollment_id, status in marks.items():
            row = existing.get(enrollment_id)
            if row is None:
                created.append(Attendance(enrollment_id=enrollment_id, session_id=session.pk, status=status))
            elif row.status != status:
                row.status = status
                updated.append(row)
        if created:
            bulk_create_with_history(created, Attendance, default_user=by)
        if updated:
            bulk_update_with_history(updated, Attendance, ["status"], default_user=by)
    return SheetSave(created=len(created), updated=len(updated))


def record_scores(
    course: Course, scores: Mapping[int, Decimal | None], *, by: "User | None", expected_version: str | None
) -> SheetSave:
    """Record final assessment scores (enrollment id -> Decimal, or None to clear one).

    All or nothing: one bad score, or one row that is not a current trainee of the course, refuses
    the whole sheet. Only changed scores are written, with history naming `by`. A stale form
    (`expected_version` from score_version()) is refused. Only the staff of the course's organizer enter
    its scores (may_record_scores); `by` None is the command line.
    """
    if not may_record_scores(by, course):
        raise PermissionDenied(_("Chỉ cán bộ của đơn vị tổ chức lớp được nhập điểm."))
    with transaction.atomic():
        # Locking the course serializes two saves of its score sheet.
        _refuse_closed(Course.objects.select_for_update().only("pk", "status", "code").get(pk=course.pk))
        enrollments = Enrollment.objects.filter(course=course).select_related("member").in_bulk()
        _refuse_stale(score_version(enrollments.values()), expected_version)

        outsiders = Enrollment.objects.select_related("member").in_bulk(
            [enrollment_id for enrollment_id in scores if enrollment_id not in enrollments]
        )
        errors = {}
        for enrollment_id, score in scores.items():
            enrollment = enrollments.get(enrollment_id) or outsiders.get(enrollment_id)
            problem = _row_problem(enrollment, enrollment_id, course)
            if problem is None and score is not None:
                problem = score_problem(score)
            if problem:
                errors[enrollment_id] = [problem]
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]  # keyed by enrollment id: Django takes it

        updated = []
        for enrollment_id, score in scores.items():
            enrollment = enrollments[enrollment_id]
            if enrollment.final_score != score:
                enrollment.final_score = score
                updated.append(enrollment)
        if updated:
            bulk_update_with_history(updated, Enrollment, ["final_score"], default_user=by)
    return SheetSave(created=0, updated=len(updated))


@dataclass(frozen=True)
class MatrixCell:
    session: Session
    status: str | None  # None: not marked
    in_missed_run: bool  # one of two or more missed sessions in a row


@dataclass(frozen=True)
class MatrixRow:
    enrollment: Enrollment
    cells: list[MatrixCell]
    attended_held: int
    held: int
    attended: int
    total: int
    below_threshold: bool
    missed_in_a_row: bool

    @property
    def percent_held(self):
        return _percent(self.attended_held, self.held)

    @property
    def percent_total(self):
        return _percent(self.attended, self.total)


def _percent(part, whole):
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def attendance_matrix(
    sessions: Sequence[Session], enrollments: Iterable[Enrollment], *, threshold_percent: int, today: datetime.date
) -> list:
    """One row per enrollment (with its `attendances` prefetched), one cell per session.

    A row is below the threshold when its attended share (present + late) over the sessions held
    so far is under `threshold_percent`; it has missed sessions in a row when two or more
    consecutive sessions, in date and period order, are marked absent or excused.
    """
    sessions = sorted(sessions, key=lambda session: (session.date, session.period))
    held = sum(session.date <= today for session in sessions)
    rows = []
    for enrollment in enrollments:
        marks = {attendance.session_id: attendance.status for attendance in enrollment.attendances.all()}
        statuses = [marks.get(session.pk) for session in sessions]
        in_run = _missed_runs(statuses)
        attended_held = sum(
            status in ATTENDED for session, status in zip(sessions, statuses, strict=True) if session.date <= today
        )
        rows.append(
            MatrixRow(
                enrollment=enrollment,
                cells=[
                    MatrixCell(session=session, status=status, in_missed_run=flag)
                    for session, status, flag in zip(sessions, statuses, in_run, strict=True)
                ],
                attended_held=attended_held,
                held=held,
                attended=sum(status in ATTENDED for status in statuses),
                total=len(sessions),
                below_threshold=bool(held) and attended_held * 100 < threshold_percent * held,
                missed_in_a_row=any(in_run),
            )
        )
    return rows


def _missed_runs(statuses):
    """For each position, whether it belongs to a run of two or more missed sessions."""
    flags = [False] * len(statuses)
    start = None
    for index, status in enumerate([*statuses, None]):
        if status in MISSED:
            start = index if start is None else start
            continue
        if start is not None and index - start >= 2:
            flags[start:index] = [True] * (index - start)
        start = None
    return flags
