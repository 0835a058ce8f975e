"""Evaluation averages for staff, per course and per lecturer: aggregates only, never a trainee's name."""

from dataclasses import dataclass

from django.db.models import Avg, Count

from enrollments.models import LecturerRating


@dataclass(frozen=True)
class LecturerAverage:
    lecturer: str
    topic: str
    average: float
    count: int


@dataclass(frozen=True)
class CourseEvaluationSummary:
    count: int
    organization: float | None
    content: float | None
    materials: float | None
    lecturers: list[LecturerAverage]
    comments: list[str]  # in the order they were sent, with nothing that says by whom


def _lecturer_name(title, name):
    return f"{title} {name}".strip()


def course_evaluation_summary(evaluations):
    """Averages of a course's evaluations; `evaluations` are those the reader may see."""
    totals = evaluations.aggregate(
        count=Count("pk"),
        organization=Avg("organization_rating"),
        content=Avg("content_rating"),
        materials=Avg("materials_rating"),
    )
    per_lecturer = (
        LecturerRating.objects.filter(evaluation__in=evaluations)
        .values("lecturer_id", "lecturer__academic_title", "lecturer__name", "topic_id", "topic__order", "topic__title")
        .annotate(average=Avg("rating"), count=Count("pk"))
        .order_by("topic__order", "lecturer__name", "lecturer_id")
    )
    comments = evaluations.exclude(comments="").order_by("submitted_at", "pk").values_list("comments", flat=True)
    return CourseEvaluationSummary(
        count=totals["count"],
        organization=totals["organization"],
        content=totals["content"],
        materials=totals["materials"],
        lecturers=[
            LecturerAverage(
                lecturer=_lecturer_name(row["lecturer__academic_title"], row["lecturer__name"]),
                topic=row["topic__title"],
                average=row["average"],
                count=row["count"],
            )
            for row in per_lecturer
        ],
        comments=list(comments),
    )


@dataclass(frozen=True)
class LecturerCourseAverage:
    course_id: int
    course_code: str
    year: int
    topic: str
    average: float
    count: int


@dataclass(frozen=True)
class LecturerEvaluationSummary:
    average: float | None
    count: int
    courses: list[LecturerCourseAverage]


def lecturer_evaluation_summary(lecturer, evaluations):
    """A lecturer's ratings across courses, overall and per course and topic, over `evaluations`
    (those the reader may see)."""
    ratings = LecturerRating.objects.filter(lecturer=lecturer, evaluation__in=evaluations)
    overall = ratings.aggregate(average=Avg("rating"), count=Count("pk"))
    course = "evaluation__enrollment__course"
    per_course = (
        ratings.values(f"{course}_id", f"{course}__code", f"{course}__year", "topic_id", "topic__order", "topic__title")
        .annotate(average=Avg("rating"), count=Count("pk"))
        .order_by(f"-{course}__year", f"{course}__code", "topic__order")
    )
    return LecturerEvaluationSummary(
        average=overall["average"],
        count=overall["count"],
        courses=[
            LecturerCourseAverage(
                course_id=row[f"{course}_id"],
                course_code=row[f"{course}__code"],
                year=row[f"{course}__year"],
                topic=row["topic__title"],
                average=row["average"],
                count=row["count"],
            )
            for row in per_course
        ],
    )
