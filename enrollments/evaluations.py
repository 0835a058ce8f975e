"""A trainee's evaluation of a course (phiếu đánh giá): when it opens, what is taught and rated, and sending it
(its form is EvaluationForm in forms.py)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from courses.lifecycle import RESULTS_STORED
from courses.models import Lecturer, Session, Topic
from enrollments.models import Enrollment, Evaluation, LecturerRating

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def taught_pairs(sessions: Iterable[Session]) -> list[tuple[Lecturer, Topic]]:
    """The (lecturer, topic) pairs that taught at least one of these sessions, in the order they first
    taught; a session without a lecturer or a topic asks for no rating."""
    pairs: dict[tuple[int, int], tuple] = {}
    for session in sessions:
        if session.lecturer_id and session.topic_id:
            pairs.setdefault((session.lecturer_id, session.topic_id), (session.lecturer, session.topic))
    return list(pairs.values())


def evaluation_closed_reason(enrollment: Enrollment, today: datetime.date | None = None) -> str | None:
    """Why the trainee cannot send the evaluation now, or None when it is open to them."""
    today = today or timezone.localdate()
    course = enrollment.course
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        return _("Học viên đã rút khỏi lớp không gửi phiếu đánh giá.")
    if course.status == course.Status.CANCELLED:
        return _("Lớp đã bị hủy: không có phiếu đánh giá.")
    if course.status not in RESULTS_STORED and today <= course.end_date:
        return _("Phiếu đánh giá mở sau ngày bế giảng %(date)s.") % {
            "date": formats.date_format(course.end_date, "SHORT_DATE_FORMAT")
        }
    return None


@transaction.atomic
def submit_evaluation(
    enrollment: Enrollment,
    *,
    organization_rating: int,
    content_rating: int,
    materials_rating: int,
    comments: str,
    lecturer_ratings: dict[tuple[int, int], int],
    by: "User | AnonymousUser",
) -> Evaluation:
    """Record the trainee's one evaluation of their course.

    `lecturer_ratings` maps (lecturer id, topic id) to a rating, one for every pair that taught a
    session of the course. Only the enrollment's own login may send it, once, after the course
    ends (or is closed), and not after withdrawing; a refusal is a ValidationError whose message
    the trainee can read.
    """
    # Locked so that a double click sends one evaluation, not a second one or an error.
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",)).select_related("course", "member").get(pk=enrollment.pk)
    )
    if by is None or enrollment.member.user_id != by.pk:
        raise PermissionDenied
    if Evaluation.objects.filter(enrollment=enrollment).exists():
        raise ValidationError(_("Đồng chí đã gửi phiếu đánh giá lớp này; mỗi học viên chỉ gửi một lần."))
    reason = evaluation_closed_reason(enrollment)
    if reason:
        raise ValidationError(reason)

    pairs = taught_pairs(enrollment.course.sessions.select_related("lecturer", "topic").order_by("date", "period"))
    expected = {(lecturer.pk, topic.pk) for lecturer, topic in pairs}
    if set(lecturer_ratings) != expected:
        raise ValidationError(_("Hãy đánh giá đúng các giảng viên đã giảng dạy lớp này."))

    evaluation = Evaluation(
        enrollment=enrollment,
        organization_rating=organization_rating,
        content_rating=content_rating,
        materials_rating=materials_rating,
        comments=(comments or "").strip(),
    )
    evaluation.full_clean()
    evaluation.save()
    ratings = [
        LecturerRating(evaluation=evaluation, lecturer_id=lecturer_id, topic_id=topic_id, rating=rating)
        for (lecturer_id, topic_id), rating in lecturer_ratings.items()
    ]
    for rating in ratings:
        # Field checks only: the pairs are unique by construction and the database checks the rest,
        # which spares one query per lecturer.
        rating.clean_fields()
    LecturerRating.objects.bulk_create(ratings)
    return evaluation


@dataclass(frozen=True)
class EvaluationStatus:
    evaluation: Evaluation | None  # the one sent, if any
    closed_reason: str | None  # why it cannot be sent now, if it cannot

    @property
    def is_open(self):
        return self.evaluation is None and self.closed_reason is None


def evaluation_status(enrollment: Enrollment, today: datetime.date | None = None) -> EvaluationStatus:
    """Where the trainee stands with the evaluation. Select "evaluation" with the enrollment so a
    list of enrollments costs no query per row."""
    evaluation = getattr(enrollment, "evaluation", None)
    return EvaluationStatus(
        evaluation=evaluation,
        closed_reason=None if evaluation else evaluation_closed_reason(enrollment, today),
    )
