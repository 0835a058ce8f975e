"""The figures of one year as a user may see them: every query goes through for_user(), runs a fixed number of
times whatever the number of rows, and feeds the yearly workbook and the dashboard alike."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import ExtractMonth, Substr
from django.utils.translation import gettext as _

from certificates.models import Certificate
from courses.models import RESULTS_STORED, Course, Lecturer, Session, Topic
from enrollments.evaluation_reports import minimum_forms, shown_from_enough_forms
from enrollments.models import Enrollment, Evaluation, LecturerRating
from organizations.access import scope_of
from organizations.models import Organization, Post
from oversight import compliance
from oversight.indicators import Indicators, indicators_for

# A session is half a day; the center counts it as four teaching hours.
HOURS_PER_SESSION = 4

COMPLETED = Q(status=Enrollment.Status.COMPLETED)
NOT_WITHDRAWN = ~Q(status=Enrollment.Status.WITHDRAWN)
# Completion rates count over closed classes only (their results are stored); the trainees of a class not closed
# yet are counted apart, as "đang học".
IN_CLOSED_CLASS = Q(course__status__in=RESULTS_STORED)
CLOSED_ENROLLED = NOT_WITHDRAWN & IN_CLOSED_CLASS
STUDYING = NOT_WITHDRAWN & ~IN_CLOSED_CLASS


def _rate_counts():
    """The counts a completion rate needs: trainees of closed classes, of them completed, and those still
    studying (in classes not closed yet)."""
    return dict(
        enrolled=Count("pk", filter=NOT_WITHDRAWN),
        closed_enrolled=Count("pk", filter=CLOSED_ENROLLED),
        studying=Count("pk", filter=STUDYING),
        completed=Count("pk", filter=COMPLETED & IN_CLOSED_CLASS),
    )


def ratio(part: float, whole: float) -> float | None:
    """part/whole as a fraction (0.902), None when there is nothing to divide."""
    return part / whole if whole else None


@dataclass
class Tally:
    """Enrollment and compliance counts of one row of a report (a committee, a post, the whole year)."""

    label: str
    nominated: int = 0
    enrolled: int = 0
    completed: int = 0
    certificates: int = 0
    required: int = 0
    certified: int = 0
    closed_enrolled: int = 0  # trainees of closed classes: what the completion rate divides by
    studying: int = 0  # trainees of classes not closed yet ("đang học"), left out of the rate

    @property
    def completion_rate(self):
        return ratio(self.completed, self.closed_enrolled)

    @property
    def compliance_rate(self):
        return ratio(self.certified, self.required)

    def add(self, other):
        names = ("nominated", "enrolled", "completed", "certificates", "required", "certified")
        for name in (*names, "closed_enrolled", "studying"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Summary:
    courses: int
    center_courses: int
    own_courses: int  # self-run: organized by a committee (Course.objects.self_run())
    tally: Tally
    issued: int
    revoked: int
    organization_rating: Decimal | None
    content_rating: Decimal | None
    materials_rating: Decimal | None
    lecturer_rating: Decimal | None
    evaluations: int
    by_month: list = field(default_factory=list)  # (month, courses, enrollments) for months 1..12
    co_organized_courses: int = 0
    own_courses_short: int = 0  # self-run classes short of the requirements (by today's indicators), not accepted


@dataclass
class SelfRunRow:
    course: Course
    indicators: Indicators

    @property
    def meets_requirements(self) -> bool:
        """Short of the requirements: judged so at closing and not accepted, or by today's indicators while
        not judged; a class accepted by the center meets them."""
        quality = self.course.quality
        if quality == Course.Quality.ACCEPTED or quality == Course.Quality.MET:
            return True
        return quality != Course.Quality.NOT_MET and self.indicators.meets_requirements


@dataclass
class CourseRow:
    course: Course
    sessions: int
    nominated: int
    enrolled: int
    completed: int
    attendance: Decimal | None
    evaluation: Decimal | None


@dataclass
class LecturerRow:
    lecturer: str
    topic: str
    sessions: int
    courses: int
    rating: Decimal | None
    ratings: int

    @property
    def hours(self):
        return self.sessions * HOURS_PER_SESSION


@dataclass
class YearRow:
    year: int
    courses: int
    nominated: int = 0
    enrolled: int = 0
    completed: int = 0
    closed_enrolled: int = 0
    studying: int = 0

    @property
    def completion_rate(self):
        """Completed over the trainees of closed classes: a class not closed yet has no results to count."""
        return ratio(self.completed, self.closed_enrolled)


def workbook_period(year: int, term: str | None = None) -> compliance.Period:
    """The compliance period the yearly workbook reports: the year itself when compliance is counted per
    year, else the term chosen, by default the current one (organizations/terms.py)."""
    if settings.COMPLIANCE_PERIOD == "year" and not term:
        return compliance.year_period(year)
    return compliance.term_period(term)


def _tally_counts():
    """Counts over enrollments. A certificate is checked with EXISTS rather than joined: a join would repeat an
    enrollment with a revoked certificate and its replacement, and need DISTINCT over a million rows."""
    valid = Certificate.objects.valid().filter(enrollment=OuterRef("pk"))
    return dict(nominated=Count("pk"), certificates=Count("pk", filter=Exists(valid)), **_rate_counts())


class YearReport:
    """What one user may see of one year."""

    def __init__(self, user, year, period=None):
        self.user = user
        self.year = year
        self.period = period or workbook_period(year)
        self.scope = scope_of(user)

    # --- the sets every sheet reads -------------------------------------------------------------------------

    @cached_property
    def top(self):
        """The organization the report is about: the bloc, or the officer's committee."""
        if self.scope.path is not None:
            return Organization.objects.get(path=self.scope.path)
        return Organization.objects.filter(depth=1).order_by("path").first()

    def all_enrollments(self):
        return Enrollment.objects.for_user(self.user)

    def enrollments(self):
        return self.all_enrollments().filter(course__year=self.year)

    def all_courses(self):
        """Courses the user may see that concern them: for an officer, those organized inside the sub-tree or
        attended by its members (not every class of the center)."""
        courses = Course.objects.for_user(self.user)
        if self.scope.everything:
            return courses
        return courses.filter(
            Q(organizer__path__startswith=self.scope.path) | Q(pk__in=self.all_enrollments().values("course_id"))
        )

    def courses(self):
        return self.all_courses().filter(year=self.year)

    @cached_property
    def holders(self):
        # One Holders for the whole report: it remembers whether the tallies answer and which posts count.
        return compliance.Holders(self.user, self.period)

    # --- sheet 1 ------------------------------------------------------------------------------------------

    def summary(self):
        enrollments = self.enrollments()
        courses = self.courses().aggregate(
            total=Count("pk"),
            center=Count("pk", filter=Q(organizer__depth=1, co_organizer__isnull=True)),
            co_organized=Count("pk", filter=Q(organizer__depth=1, co_organizer__isnull=False)),
            own=Count("pk", filter=Q(organizer__depth__gt=1)),
        )
        tally = Tally(str(self.year), **enrollments.aggregate(**_tally_counts()))
        required, certified = compliance.totals(self.holders)
        tally.required, tally.certified = required, certified
        certificates = Certificate.objects.for_user(self.user).filter(enrollment__in=enrollments.values("pk"))
        issued = certificates.aggregate(
            issued=Count("pk"), revoked=Count("pk", filter=Q(status=Certificate.Status.REVOKED))
        )
        ratings = Evaluation.objects.filter(enrollment__in=enrollments.values("pk")).aggregate(
            organization=Avg("organization_rating"),
            content=Avg("content_rating"),
            materials=Avg("materials_rating"),
            count=Count("pk"),
        )
        lecturer_rating = LecturerRating.objects.filter(evaluation__enrollment__in=enrollments.values("pk")).aggregate(
            average=Avg("rating"), forms=Count("evaluation", distinct=True)
        )
        return Summary(
            courses=courses["total"],
            center_courses=courses["center"],
            own_courses=courses["own"],
            co_organized_courses=courses["co_organized"],
            own_courses_short=sum(1 for row in self.self_run_rows() if not row.meets_requirements),
            tally=tally,
            issued=issued["issued"],
            revoked=issued["revoked"],
            organization_rating=shown_from_enough_forms(ratings["organization"], ratings["count"]),
            content_rating=shown_from_enough_forms(ratings["content"], ratings["count"]),
            materials_rating=shown_from_enough_forms(ratings["materials"], ratings["count"]),
            lecturer_rating=shown_from_enough_forms(lecturer_rating["average"], lecturer_rating["forms"]),
            evaluations=ratings["count"],
            by_month=self.by_month(),
        )

    def by_month(self):
        courses = dict(
            self.courses()
            .annotate(month=ExtractMonth("start_date"))
            .values("month")
            .annotate(count=Count("pk"))
            .values_list("month", "count")
        )
        enrollments = dict(
            self.enrollments()
            .annotate(month=ExtractMonth("course__start_date"))
            .values("month")
            .annotate(count=Count("pk"))
            .values_list("month", "count")
        )
        return [(month, courses.get(month, 0), enrollments.get(month, 0)) for month in range(1, 13)]

    # --- sheets 2 and 3 -----------------------------------------------------------------------------------

    def by_committee(self):
        """One row per child of the top organization (the affiliated committees, for the center), the top's
        own members first, rolled up from everything below; and the total row."""
        top = self.top
        width = len(top.path) + Organization.steplen
        enrollments = self.enrollments()
        counts = (
            enrollments.annotate(unit=Substr("member__organization__path", 1, width))
            .values("unit")
            .annotate(**_tally_counts())
            .order_by()
        )
        units = defaultdict(dict)
        for row in counts:
            units[row.pop("unit")].update(row)
        for unit, (required, certified) in compliance.counts_by(self.holders, width).items():
            units[unit].update(required=required, certified=certified)
        names = dict(Organization.objects.filter(path__in=list(units)).values_list("path", "name"))
        # The top's own posts first, then its children in tree order; trainees from outside the sub-tree (in a
        # class the committee ran itself) make one last row.
        rows = [Tally(names[unit], **units[unit]) for unit in sorted(units) if unit.startswith(top.path)]
        other = Tally(_("Đơn vị khác"))
        for unit, values in units.items():
            if not unit.startswith(top.path):
                other.add(Tally("", **values))
        return self._with_total(rows + ([other] if other.nominated or other.required else []))

    def by_post(self):
        enrollments = self.enrollments()
        counts = enrollments.values("post").annotate(**_tally_counts()).order_by()
        posts = defaultdict(dict)
        for row in counts:
            posts[row.pop("post")].update(row)
        for post, (required, certified) in compliance.counts_by(self.holders, by_post=True).items():
            posts[post].update(required=required, certified=certified)
        labels = dict(Post.choices)
        order = [*labels, ""]
        rows = [Tally(str(labels.get(post, _("Không giữ chức vụ"))), **posts[post]) for post in order if post in posts]
        return self._with_total(rows)

    def _with_total(self, rows):
        total = Tally(_("Tổng cộng"))
        for row in rows:
            total.add(row)
        return rows, total

    # --- the self-run classes' quality (sheet 9) ----------------------------------------------------------

    @cached_property
    def _self_run_rows(self):
        courses = list(
            self.courses().self_run().select_related("program", "organizer").order_by("organizer__path", "code")
        )
        indicators = indicators_for(courses)
        return [SelfRunRow(course, indicators[course.pk]) for course in courses]

    def self_run_rows(self) -> list["SelfRunRow"]:
        """The year's self-run classes the user may see, each with its quality indicators: four queries."""
        return self._self_run_rows

    # --- sheet 4 ------------------------------------------------------------------------------------------

    def course_rows(self):
        courses = list(self.courses().select_related("program", "organizer").order_by("start_date", "code"))
        ids = [course.pk for course in courses]
        sessions = dict(
            Session.objects.filter(course_id__in=ids)
            .values("course_id")
            .annotate(n=Count("pk"))
            .values_list("course_id", "n")
        )
        enrollments = self.enrollments()
        counts = {
            row["course_id"]: row
            for row in enrollments.filter(course_id__in=ids)
            .values("course_id")
            .annotate(
                nominated=Count("pk"),
                enrolled=Count("pk", filter=NOT_WITHDRAWN),
                completed=Count("pk", filter=COMPLETED),
                attendance=Avg("attended_percent"),
            )
            .order_by()
        }
        evaluations = {
            course_id: shown_from_enough_forms(average, forms)
            for course_id, average, forms in Evaluation.objects.filter(enrollment__in=enrollments.values("pk"))
            .values("enrollment__course_id")
            .annotate(
                average=Avg((F("organization_rating") + F("content_rating") + F("materials_rating")) / 3.0),
                forms=Count("pk"),
            )
            .values_list("enrollment__course_id", "average", "forms")
        }
        rows = []
        for course in courses:
            row = counts.get(course.pk, {})
            rows.append(
                CourseRow(
                    course=course,
                    sessions=sessions.get(course.pk, 0),
                    nominated=row.get("nominated", 0),
                    enrolled=row.get("enrolled", 0),
                    completed=row.get("completed", 0),
                    attendance=row.get("attendance"),
                    evaluation=evaluations.get(course.pk),
                )
            )
        return rows

    # --- sheet 5 ------------------------------------------------------------------------------------------

    TRAINEE_FIELDS = (
        "member__full_name",
        "member__birth_date",
        "post",
        "member__organization__path",
        "course__code",
        "attended_percent",
        "final_score",
        "grade",
        "status",
        "register_number",
    )

    def trainee_rows(self):
        """One tuple per enrollment of the year (TRAINEE_FIELDS), streamed from the database."""
        register_number = Certificate.objects.valid().filter(enrollment=OuterRef("pk")).values("register_number")[:1]
        return (
            self.enrollments()
            .annotate(register_number=Subquery(register_number))
            .order_by("course__start_date", "course__code", "member__sort_key", "member__birth_date", "pk")
            .values_list(*self.TRAINEE_FIELDS)
            .iterator(chunk_size=2000)
        )

    def organization_labels(self):
        return Organization.objects.for_user(self.user).path_labels()

    # --- sheet 6 ------------------------------------------------------------------------------------------

    def lecturer_rows(self):
        sessions = (
            Session.objects.filter(course__in=self.courses(), lecturer__isnull=False)
            .values("lecturer_id", "topic_id")
            .annotate(sessions=Count("pk"), courses=Count("course_id", distinct=True))
            .order_by()
        )
        ratings = (
            LecturerRating.objects.filter(evaluation__enrollment__in=self.enrollments().values("pk"))
            .values("lecturer_id", "topic_id")
            .annotate(rating=Avg("rating"), ratings=Count("pk"))
            .order_by()
        )
        pairs = defaultdict(dict)
        for row in sessions:
            pairs[row.pop("lecturer_id"), row.pop("topic_id")].update(row)
        for row in ratings:
            # A form rates a lecturer once per topic: the number of ratings is the number of forms.
            row["rating"] = shown_from_enough_forms(row["rating"], row["ratings"])
            pairs[row.pop("lecturer_id"), row.pop("topic_id")].update(row)
        lecturers = {
            pk: f"{title} {name}".strip()
            for pk, title, name in Lecturer.objects.filter(pk__in={pair[0] for pair in pairs}).values_list(
                "pk", "academic_title", "name"
            )
        }
        topics = dict(Topic.objects.filter(pk__in={pair[1] for pair in pairs}).values_list("pk", "title"))
        rows = [
            LecturerRow(
                lecturer=lecturers.get(lecturer_id, ""),
                topic=topics.get(topic_id, ""),
                sessions=values.get("sessions", 0),
                courses=values.get("courses", 0),
                rating=values.get("rating"),
                ratings=values.get("ratings", 0),
            )
            for (lecturer_id, topic_id), values in pairs.items()
        ]
        rows.sort(key=lambda row: (row.lecturer, row.topic))
        return rows

    def lecturer_averages(self):
        """(lecturer, average rating, number of ratings) for the year, best first; lecturers rated on fewer forms
        than the evaluations' minimum are left out."""
        rows = (
            LecturerRating.objects.filter(evaluation__enrollment__in=self.enrollments().values("pk"))
            .values("lecturer_id", "lecturer__academic_title", "lecturer__name")
            .annotate(rating=Avg("rating"), ratings=Count("pk"), forms=Count("evaluation", distinct=True))
            .filter(forms__gte=minimum_forms())
            .order_by("-rating", "lecturer__name")
        )
        return [
            (f"{row['lecturer__academic_title']} {row['lecturer__name']}".strip(), row["rating"], row["ratings"])
            for row in rows
        ]

    # --- sheet 7 ------------------------------------------------------------------------------------------

    def missing(self):
        return compliance.missing(self.holders)

    # --- sheet 8 ------------------------------------------------------------------------------------------

    def course_years(self):
        return list(self.all_courses().values_list("year", flat=True).distinct().order_by("year"))

    def per_year(self):
        """One YearRow per year from the first course to this report's year, empty years included."""
        courses = dict(
            self.all_courses()
            .filter(year__lte=self.year)
            .values("year")
            .annotate(n=Count("pk"))
            .values_list("year", "n")
        )
        counts = {
            row.pop("course__year"): row
            for row in self.all_enrollments()
            .filter(course__year__lte=self.year)
            .values("course__year")
            .annotate(nominated=Count("pk"), **_rate_counts())
            .order_by()
        }
        years = set(courses) | set(counts)
        if not years:
            return []
        first = min(years)
        return [YearRow(year, courses.get(year, 0), **counts.get(year, {})) for year in range(first, self.year + 1)]

    def cumulative(self):
        """(year, courses, enrollments, courses so far, enrollments so far) from the first year to this one."""
        rows, total_courses, total_enrollments = [], 0, 0
        for row in self.per_year():
            total_courses += row.courses
            total_enrollments += row.nominated
            rows.append((row.year, row.courses, row.nominated, total_courses, total_enrollments))
        return rows
