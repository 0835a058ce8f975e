"""Closing a course: every trainee's result evaluated and stored at once, and staff overrides."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from common.history import attribute, change_reason
from common.localtime import local_today
from courses import lifecycle
from courses.models import Course
from enrollments.models import Attendance, Enrollment
from enrollments.rules import CompletionResult, evaluate_completion, grade_for
from organizations.permissions import may_close, may_override_result

if TYPE_CHECKING:
    from django.contrib.auth.models import User

RESULT_FIELDS = ["status", "grade", "attended_percent", "result_reasons"]
ON_THE_LIST = [status for status in Enrollment.Status.values if status != Enrollment.Status.WITHDRAWN]


@dataclass(frozen=True)
class ClosingSummary:
    course: Course
    already_closed: bool
    completed: int
    not_completed: list[tuple[Enrollment, list[str]]]  # each with its reasons, roster order
    overridden: int  # results set by staff, left as they were

    @property
    def not_completed_count(self):
        return len(self.not_completed)


def evaluate_enrollment(
    enrollment: Enrollment, sessions_count: int | None = None, statuses: list[str] | None = None
) -> CompletionResult:
    """The completion result of one enrollment from its attendance, score and course's sessions.

    Pass `sessions_count` and `statuses` when evaluating many enrollments at once (see
    evaluate_course) so that nothing is read per enrollment.
    """
    course = enrollment.course
    if sessions_count is None:
        sessions_count = course.sessions.count()
    if statuses is None:
        statuses = list(enrollment.attendances.values_list("status", flat=True))
    program = course.program
    return evaluate_completion(
        statuses,
        sessions_count,
        enrollment.final_score,
        threshold_percent=program.completion_threshold,
        pass_score=program.pass_score,
    )


def evaluate_course(course: Course) -> list[tuple[Enrollment, CompletionResult]]:
    """Every trainee still in the course with their result, in roster order, in three queries
    whatever the course's size."""
    sessions_count = course.sessions.count()
    enrollments = list(
        Enrollment.objects.filter(course=course)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .select_related("member__organization")
        .roster_order()
    )
    statuses = defaultdict(list)
    marks = Attendance.objects.filter(enrollment__course=course).values_list("enrollment_id", "status")
    for enrollment_id, status in marks:
        statuses[enrollment_id].append(status)
    results = []
    for enrollment in enrollments:
        enrollment.course = course
        results.append((enrollment, evaluate_enrollment(enrollment, sessions_count, statuses[enrollment.pk])))
    return results


def reasons_of(enrollment: Enrollment) -> list[str]:
    return [line for line in enrollment.result_reasons.splitlines() if line]


def unrecorded_sessions(course: Course, today: datetime.date | None = None) -> list[datetime.date]:
    """The dates of the class's held sessions (on or before `today`) where some trainee still on the list has no
    attendance recorded, in two queries whatever the class's size."""
    today = today or local_today()
    trainees = Enrollment.objects.filter(course=course).exclude(status=Enrollment.Status.WITHDRAWN).count()
    if not trainees:
        return []
    sessions = (
        course.sessions.filter(date__lte=today)
        .annotate(
            marked=Count(
                "attendances",
                filter=Q(attendances__enrollment__status__in=ON_THE_LIST),
            )
        )
        .filter(marked__lt=trainees)
        .order_by("date", "period")
    )
    return list(dict.fromkeys(session.date for session in sessions))


def closing_warnings(course: Course, today: datetime.date | None = None) -> list[str]:
    """Why closing now would be early (see courses.lifecycle.closing_warnings), for the closing preview."""
    if course.status in lifecycle.READ_ONLY:
        return []
    return lifecycle.closing_warnings(course, unrecorded_sessions(course, today), today)


@transaction.atomic
def close_course(
    course: Course, *, by: "User | None" = None, reason: str = "", today: datetime.date | None = None
) -> ClosingSummary:
    """Store every trainee's result and mark the course closed, in one transaction.

    `by` is the staff user closing it (None when run from the command line without --by). Closing is refused
    before the last session's date and while a held session has no attendance for some trainee, unless the
    center closes early with a written `reason`, which the course's history keeps (courses.lifecycle.check_close).
    Results overridden by staff are kept. Closing a closed course changes nothing and says so.
    """
    if not may_close(by, course):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được kết thúc lớp."))
    # Nominations, withdrawals and overrides take the same lock, so none of them lands half-way
    # through the evaluation.
    course = Course.objects.select_for_update(of=("self",)).select_related("program").get(pk=course.pk)
    if course.status in lifecycle.RESULTS_STORED:
        enrollments = (
            Enrollment.objects.filter(course=course)
            .exclude(status=Enrollment.Status.WITHDRAWN)
            .select_related("member")
            .roster_order()
        )
        return _summary(course, list(enrollments), already_closed=True)
    kept_reason = lifecycle.check_close(
        course, by=by, unrecorded=unrecorded_sessions(course, today), reason=reason, today=today
    )

    enrollments = []
    evaluated = []
    # The stored reasons are part of the record: in the record's language, whatever language the closer chose.
    with translation.override(settings.LANGUAGE_CODE):
        results = evaluate_course(course)
    for enrollment, result in results:
        enrollments.append(enrollment)
        if enrollment.result_overridden:
            continue
        enrollment.status = Enrollment.Status.COMPLETED if result.completed else Enrollment.Status.NOT_COMPLETED
        enrollment.grade = result.grade or ""
        enrollment.attended_percent = result.attended_percent
        enrollment.result_reasons = "\n".join(result.reasons)
        evaluated.append(enrollment)
    if evaluated:
        bulk_update_with_history(
            evaluated,
            Enrollment,
            RESULT_FIELDS,
            default_user=by,
            default_change_reason=change_reason(Enrollment, kept_reason),
        )
    lifecycle.record_closed(course, by=by, reason=kept_reason)
    return _summary(course, enrollments, already_closed=False)


@transaction.atomic
def reopen_course(course: Course, *, by: "User | None", reason: str) -> Course:
    """Reopen a closed class (the center's, with a written reason; refused while it has valid certificates):
    every stored result is cleared, overrides too, each trainee back to studying (registered before the
    start), and the course's history
    and each enrollment's say why (courses.lifecycle.check_reopen)."""
    course = Course.objects.select_for_update(of=("self",)).get(pk=course.pk)
    reason = lifecycle.check_reopen(course, by=by, reason=reason)
    enrollments = list(Enrollment.objects.filter(course=course).exclude(status=Enrollment.Status.WITHDRAWN))
    overridden = sum(enrollment.result_overridden for enrollment in enrollments)
    started = local_today() >= course.start_date
    for enrollment in enrollments:
        enrollment.status = Enrollment.Status.STUDYING if started else Enrollment.Status.REGISTERED
        enrollment.grade = ""
        enrollment.attended_percent = None
        enrollment.result_reasons = ""
        enrollment.result_overridden = False
        enrollment.override_reason = ""
    if overridden:
        why = _("Mở lại lớp, xóa kết quả đã lưu (kể cả %(count)d kết quả điều chỉnh): %(reason)s") % {
            "count": overridden,
            "reason": reason,
        }
    else:
        why = _("Mở lại lớp, xóa kết quả đã lưu: %(reason)s") % {"reason": reason}
    if enrollments:
        bulk_update_with_history(
            enrollments,
            Enrollment,
            [*RESULT_FIELDS, "result_overridden", "override_reason"],
            default_user=by,
            default_change_reason=change_reason(Enrollment, why),
        )
    return lifecycle.record_reopened(course, by=by, reason=why)


@transaction.atomic
def override_result(
    enrollment: Enrollment, *, completed: bool, by: "User", reason: str, grade: str | None = None
) -> Enrollment:
    """Set a trainee's result by hand, with the written reason the history keeps.

    Center staff only (may_override_result), named: the command line has no override. A completed result
    without a grade takes the grade of the score.
    """
    if by is None or not may_override_result(by):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được điều chỉnh kết quả."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do điều chỉnh kết quả.")})
    # The course row is the lock close_course() holds, so an override never crosses a closing.
    Course.objects.select_for_update().get(pk=enrollment.course_id)
    enrollment = Enrollment.objects.select_related("member").get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        raise ValidationError(
            _("Đồng chí %(name)s đã rút khỏi lớp; không có kết quả để điều chỉnh."),
            params={"name": enrollment.member.full_name},
        )
    if completed:
        grade = grade or grade_for(enrollment.final_score) or ""
    elif grade:
        raise ValidationError({"grade": _("Học viên không hoàn thành thì không được xếp loại.")})
    enrollment.status = Enrollment.Status.COMPLETED if completed else Enrollment.Status.NOT_COMPLETED
    enrollment.grade = grade or ""
    # What the trainee reads as the reasons of their result: none when completed, else the staff's.
    enrollment.result_reasons = "" if completed else reason
    enrollment.result_overridden = True
    enrollment.override_reason = reason
    enrollment.full_clean()
    # The change-reason column is short; the whole reason is in the same record's override_reason.
    attribute(enrollment, by=by, reason=reason)
    enrollment.save()
    return enrollment


def _summary(course, enrollments, *, already_closed):
    completed = sum(enrollment.status == Enrollment.Status.COMPLETED for enrollment in enrollments)
    not_completed = [
        (enrollment, reasons_of(enrollment))
        for enrollment in enrollments
        if enrollment.status != Enrollment.Status.COMPLETED
    ]
    return ClosingSummary(
        course=course,
        already_closed=already_closed,
        completed=completed,
        not_completed=not_completed,
        overridden=sum(enrollment.result_overridden for enrollment in enrollments),
    )
