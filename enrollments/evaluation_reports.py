"""Reading evaluations, which are anonymous: averages per course and per lecturer, shown only from
settings.EVALUATION_MIN_FORMS forms on, and the lookups that may narrow a list of evaluations (to a course
or a lecturer, never to a trainee)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Avg, Count, QuerySet
from django.db.models.constants import LOOKUP_SEP

from enrollments.models import Evaluation, LecturerRating

# The relations a lookup on evaluations may follow: to the course and what the course points at, and to the
# lecturers and topics rated. Never to the enrollment alone, its member or their login: that names the author.
COURSE_OR_LECTURER_PATHS = {
    (),
    ("enrollment", "course"),
    ("enrollment", "course", "program"),
    ("enrollment", "course", "organizer"),
    ("lecturer_ratings",),
    ("lecturer_ratings", "lecturer"),
    ("lecturer_ratings", "topic"),
}


def minimum_forms() -> int:
    """How many forms an average or a course's list of forms needs before anyone sees it: with fewer, one
    trainee's answers could be read off it."""
    return settings.EVALUATION_MIN_FORMS


def shown_from_enough_forms(average, forms: int):
    """The average, or None when it comes from fewer forms than minimum_forms()."""
    return average if forms >= minimum_forms() else None


def readable_evaluations(evaluations: QuerySet) -> QuerySet:
    """Those of `evaluations` whose course has at least minimum_forms() of them; the others stay unread."""
    courses = (
        evaluations.order_by()
        .values("enrollment__course")
        .annotate(forms=Count("pk"))
        .filter(forms__gte=minimum_forms())
        .values("enrollment__course")
    )
    return evaluations.filter(enrollment__course__in=courses)


def relations_followed(model, lookup: str) -> tuple[str, ...]:
    """The relation names a query-string lookup walks from model (`enrollment_id` walks `enrollment`)."""
    path = []
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        if not field.is_relation:
            break
        path.append(field.name)
        model = field.related_model
    return tuple(path)


def keeps_evaluations_anonymous(lookup: str) -> bool:
    """Whether a lookup on evaluations narrows them at most to a course or a lecturer."""
    return relations_followed(Evaluation, lookup) in COURSE_OR_LECTURER_PATHS


@dataclass(frozen=True)
class LecturerAverage:
    lecturer: str
    topic: str
    average: float | None
    count: int


@dataclass(frozen=True)
class CourseEvaluationSummary:
    count: int
    organization: float | None
    content: float | None
    materials: float | None
    lecturers: list[LecturerAverage]
    comments: list[str]  # in the order they were sent, with nothing that says by whom
    minimum: int  # below this many forms nothing but the count is shown

    @property
    def shown(self):
        return self.count >= self.minimum


def _lecturer_name(title, name):
    return f"{title} {name}".strip()


def course_evaluation_summary(evaluations) -> CourseEvaluationSummary:
    """Averages and comments of a course's evaluations (`evaluations` are those the reader may see); only their
    count while there are fewer than minimum_forms()."""
    totals = evaluations.aggregate(
        count=Count("pk"),
        organization=Avg("organization_rating"),
        content=Avg("content_rating"),
        materials=Avg("materials_rating"),
    )
    count = totals["count"]
    if count < minimum_forms():
        return CourseEvaluationSummary(count, None, None, None, [], [], minimum_forms())
    per_lecturer = (
        LecturerRating.objects.filter(evaluation__in=evaluations)
        .values("lecturer_id", "lecturer__academic_title", "lecturer__name", "topic_id", "topic__order", "topic__title")
        .annotate(average=Avg("rating"), count=Count("pk"))
        .order_by("topic__order", "lecturer__name", "lecturer_id")
    )
    comments = evaluations.exclude(comments="").order_by("submitted_at", "pk").values_list("comments", flat=True)
    return CourseEvaluationSummary(
        count=count,
        organization=totals["organization"],
        content=totals["content"],
        materials=totals["materials"],
        lecturers=[
            LecturerAverage(
                lecturer=_lecturer_name(row["lecturer__academic_title"], row["lecturer__name"]),
                topic=row["topic__title"],
                average=shown_from_enough_forms(row["average"], row["count"]),
                count=row["count"],
            )
            for row in per_lecturer
        ],
        comments=list(comments),
        minimum=minimum_forms(),
    )


@dataclass(frozen=True)
class LecturerCourseAverage:
    course_id: int
    course_code: str
    year: int
    topic: str
    average: float | None
    count: int


@dataclass(frozen=True)
class LecturerEvaluationSummary:
    average: float | None
    count: int
    courses: list[LecturerCourseAverage]
    minimum: int


def lecturer_evaluation_summary(lecturer, evaluations) -> LecturerEvaluationSummary:
    """A lecturer's ratings across courses, overall and per course and topic, over `evaluations`
    (those the reader may see); each average only from minimum_forms() forms on."""
    ratings = LecturerRating.objects.filter(lecturer=lecturer, evaluation__in=evaluations)
    overall = ratings.aggregate(average=Avg("rating"), count=Count("pk"), forms=Count("evaluation", distinct=True))
    course = "evaluation__enrollment__course"
    # A form rates a lecturer once per topic, so a course and topic's count is its number of forms.
    per_course = (
        ratings.values(f"{course}_id", f"{course}__code", f"{course}__year", "topic_id", "topic__order", "topic__title")
        .annotate(average=Avg("rating"), count=Count("pk"))
        .order_by(f"-{course}__year", f"{course}__code", "topic__order")
    )
    return LecturerEvaluationSummary(
        average=shown_from_enough_forms(overall["average"], overall["forms"]),
        count=overall["count"],
        courses=[
            LecturerCourseAverage(
                course_id=row[f"{course}_id"],
                course_code=row[f"{course}__code"],
                year=row[f"{course}__year"],
                topic=row["topic__title"],
                average=shown_from_enough_forms(row["average"], row["count"]),
                count=row["count"],
            )
            for row in per_course
        ],
        minimum=minimum_forms(),
    )
