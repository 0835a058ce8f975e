"""What a trainee sees of their own course: the schedule with their attendance, and the result."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from courses.lifecycle import RESULTS_STORED, phase_label
from courses.models import Session
from enrollments.rules import evaluate_completion


@dataclass(frozen=True)
class ScheduleRow:
    session: Session
    status: str | None  # None: not marked yet
    status_label: str | None
    held: bool


@dataclass(frozen=True)
class Progress:
    enrollment: object
    rows: list[ScheduleRow]
    attended: int
    held: int
    total: int
    provisional_reasons: list[str]
    phase: str = ""  # the course's state in words (courses.lifecycle.phase_label)
    provisional_percent: Decimal | None = None  # attended over held sessions so far; None before the first one

    @property
    def is_final(self):
        return self.enrollment.course.status in RESULTS_STORED

    @property
    def attended_percent(self):
        """The share of sessions attended: as stored when the class closed, as it stands before."""
        if self.is_final and self.enrollment.attended_percent is not None:
            return self.enrollment.attended_percent
        return self.provisional_percent

    @property
    def result_reasons(self):
        if self.is_final:
            return [line for line in self.enrollment.result_reasons.splitlines() if line]
        return self.provisional_reasons


def with_schedule(enrollments):
    """Prefetch what progress_of() reads, so a page of any length costs a fixed number of queries."""
    sessions = Session.objects.select_related("topic", "lecturer").order_by("date", "period")
    return enrollments.select_related("course__program", "course__organizer").prefetch_related(
        Prefetch("course__sessions", queryset=sessions), "attendances"
    )


def progress_of(enrollment, today=None):
    today = today or timezone.localdate()
    marks = {attendance.session_id: attendance for attendance in enrollment.attendances.all()}
    rows = []
    for session in enrollment.course.sessions.all():
        mark = marks.get(session.pk)
        rows.append(
            ScheduleRow(
                session=session,
                status=mark.status if mark else None,
                status_label=mark.get_status_display() if mark else None,
                held=session.date <= today,
            )
        )
    held = [row for row in rows if row.held]
    program = enrollment.course.program
    provisional = evaluate_completion(
        [row.status for row in held if row.status],
        len(held),
        enrollment.final_score,
        threshold_percent=program.completion_threshold,
        pass_score=program.pass_score,
    )
    return Progress(
        enrollment=enrollment,
        rows=rows,
        attended=provisional.attended,
        held=len(held),
        total=len(rows),
        provisional_reasons=provisional.reasons,
        provisional_percent=provisional.attended_percent if held else None,
        phase=phase_label(
            enrollment.course, today, last=max((row.session.date for row in rows), default=enrollment.course.end_date)
        ),
    )
