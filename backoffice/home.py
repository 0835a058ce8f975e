"""The admin's home page for each role: the work waiting for the center's staff, and a committee's officer's view of
its committee. Every line reads the same scoped query sets as the lists it links to, in a fixed number of queries
whatever the size of the tree."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from certificates.models import PrintJob
from common.localtime import local_today
from courses.models import RESULTS_STORED, Course, Session
from enrollments.models import Enrollment
from enrollments.nominations import nominations_by_committee_of
from organizations.access import scope_of
from organizations.models import ImportRecord, Organization
from oversight import compliance
from oversight.inspections import overdue_corrections
from oversight.models import Inspection
from reports.models import ReportJob

# Lines longer than this show their first rows and a link to the whole list.
LINE_LENGTH = 10
SOON = datetime.timedelta(days=7)  # nominations closing within a week
RECENT_CLASSES = 5  # an officer's nominees' results: of the latest classes with results stored
# Where an upload waiting for confirmation is confirmed: the preview page of its import (common/imports/views.py).
IMPORT_PREVIEWS: dict[str, str] = {
    ImportRecord.Kind.ORGANIZATIONS: "admin:organizations_organization_import_preview",
    ImportRecord.Kind.NOMINATIONS: "admin:enrollments_enrollment_import_preview",
}


@dataclass
class Link:
    """One row of a line: what it is about, what to say of it, and where the work is done."""

    text: str
    url: str
    detail: str = ""
    object: Any = None
    done: bool = False  # for a session: attendance taken
    rows: list = field(default_factory=list)  # for a class: its nominations per committee


def week_of(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = today - datetime.timedelta(days=today.weekday())
    return monday, monday + datetime.timedelta(days=6)


def _course_url(name: str, course: Course) -> str:
    return reverse(name, args=[course.pk])


def sessions_this_week(user: Any, today: datetime.date) -> list[Link]:
    """This week's sessions, each with whether its attendance is taken, linked to its attendance sheet."""
    monday, sunday = week_of(today)
    sessions = (
        Session.objects.for_user(user)
        .filter(date__range=(monday, sunday))
        .select_related("course")
        .annotate(marked=Count("attendances"))
        .order_by("date", "period", "course__code")
    )
    return [
        Link(
            text=f"{session.course.code}: {session}",
            url=reverse("admin:courses_session_attendance", args=[session.pk]),
            object=session,
            done=session.marked > 0,
        )
        for session in sessions[:LINE_LENGTH]
    ]


def ended_not_closed(user: Any, today: datetime.date) -> list[Link]:
    """Open classes whose last session (their end date, without sessions) has passed: to close."""
    courses = (
        Course.objects.for_user(user)
        .filter(status=Course.Status.OPEN)
        .annotate(last=Coalesce(Max("sessions__date"), "end_date"))
        .filter(last__lt=today)
        .order_by("last", "code")
    )
    return [
        Link(text=course.code, url=_course_url("admin:courses_course_close", course), object=course)
        for course in courses[:LINE_LENGTH]
    ]


def closed_without_certificates(user: Any) -> list[Link]:
    """Closed classes whose certificates are not issued yet: to the issuing page and its preview."""
    courses = Course.objects.for_user(user).filter(status=Course.Status.CLOSED).order_by("-end_date", "code")
    return [
        Link(text=course.code, url=_course_url("admin:courses_course_issue", course), object=course)
        for course in courses[:LINE_LENGTH]
    ]


def _with_nominations(user: Any, courses: list[Course]) -> list[Link]:
    rows = nominations_by_committee_of([course.pk for course in courses], user)
    return [
        Link(
            text=course.code,
            url=_course_url("admin:courses_course_nominations", course),
            object=course,
            rows=rows.get(course.pk, []),
        )
        for course in courses
    ]


def nominations_closing(user: Any, today: datetime.date) -> list[Link]:
    """Open classes whose nominations close within a week, each committee's quota filled and left."""
    courses = list(
        Course.objects.for_user(user)
        .filter(status=Course.Status.OPEN, nomination_deadline__range=(today, today + SOON))
        .order_by("nomination_deadline", "code")[:LINE_LENGTH]
    )
    return _with_nominations(user, courses)


def running_jobs(user: Any) -> list[Link]:
    """Certificate prints and report exports queued or under way, each linked to the page that follows it."""
    prints = PrintJob.objects.for_user(user).filter(status__in=[PrintJob.QUEUED, PrintJob.RUNNING])
    reports = ReportJob.objects.for_user(user).filter(status__in=[ReportJob.QUEUED, ReportJob.RUNNING])
    links = [
        Link(
            text=str(job),
            url=reverse("admin:certificates_printjob_change", args=[job.pk]),
            detail=f"{job.get_status_display()} ({job.percent}%)",
            object=job,
        )
        for job in prints.select_related("course").order_by("requested_at")[:LINE_LENGTH]
    ]
    links += [
        Link(text=str(job), url=job.page_url, detail=f"{job.get_status_display()} ({job.percent}%)", object=job)
        for job in reports.order_by("requested_at")[:LINE_LENGTH]
    ]
    return links


def _import_link(record: ImportRecord, user: Any) -> Link:
    waiting = record.imported_at is None and bool(record.stored_name) and record.uploaded_by_id == user.pk
    return Link(
        text=f"{record.get_kind_display()}: {record.file_name}",
        # Only its uploader confirms an upload (organizations/uploads.py); the others are listed for what they did.
        url=reverse(IMPORT_PREVIEWS[record.kind], args=[record.code]) if waiting else "",
        object=record,
        done=record.imported_at is not None,
    )


def waiting_imports(user: Any) -> list[Link]:
    """The user's uploads previewed but not confirmed, whose files are still kept."""
    records = (
        ImportRecord.objects.for_user(user)
        .filter(uploaded_by=user, imported_at=None)
        .exclude(stored_name="")
        .order_by("-uploaded_at")
    )
    return [_import_link(record, user) for record in records[:LINE_LENGTH]]


@dataclass
class StaffHome:
    sessions: list[Link]
    ended: list[Link]
    uncertified: list[Link]
    closing: list[Link]
    jobs: list[Link]
    imports: list[Link]
    week: tuple[datetime.date, datetime.date]
    role = "staff"


def staff_home(user: Any, today: datetime.date) -> StaffHome:
    return StaffHome(
        sessions=sessions_this_week(user, today),
        ended=ended_not_closed(user, today),
        uncertified=closed_without_certificates(user),
        closing=nominations_closing(user, today),
        jobs=running_jobs(user),
        imports=waiting_imports(user),
        week=week_of(today),
    )


@dataclass
class Compliance:
    period: Any
    required: int
    certified: int
    url: str
    overdue: int = 0  # not trained and past their due date (oversight/compliance.py)
    due_soon: int = 0  # due within compliance.DUE_SOON_DAYS

    @property
    def overdue_url(self) -> str:
        return f"{self.url}?due=overdue"

    @property
    def due_soon_url(self) -> str:
        return f"{self.url}?due=due_soon"

    @property
    def missing(self) -> int:
        return self.required - self.certified

    @property
    def percent(self) -> float | None:
        return round(100 * self.certified / self.required, 1) if self.required else None


@dataclass
class OfficerHome:
    committee: Organization
    classes: list[Link]
    compliance: Compliance
    results: list[Link]
    imports: list[Link]
    overdue: list[Link] = field(default_factory=list)
    role = "officer"


def overdue_correction_links(user: Any, today: datetime.date) -> list[Link]:
    """The corrections within the user's scope past their due date and not accepted, oldest due first: one query."""
    return [
        Link(
            text=correction.text,
            url=reverse("admin:oversight_correction_change", args=[correction.pk]),
            detail=str(correction.organization),
            object=correction,
        )
        for correction in overdue_corrections(user, today)[:LINE_LENGTH]
    ]


@dataclass
class InspectorHome:
    inspections: list[Link]
    overdue: list[Link]
    year: int
    role = "inspector"


def this_years_inspections(user: Any, today: datetime.date) -> list[Link]:
    """The inspections of this year's plan not yet concluded, in the order they are held: one query."""
    inspections = (
        Inspection.objects.for_user(user)
        .filter(plan__year=today.year)
        .exclude(status=Inspection.Status.CONCLUDED)
        .select_related("organization")
        .order_by("start_date", "pk")
    )
    return [
        Link(
            text=str(inspection.organization),
            url=reverse("admin:oversight_inspection_change", args=[inspection.pk]),
            detail=inspection.get_status_display(),
            object=inspection,
        )
        for inspection in inspections[:LINE_LENGTH]
    ]


def inspector_home(user: Any, today: datetime.date) -> InspectorHome:
    return InspectorHome(
        inspections=this_years_inspections(user, today),
        overdue=overdue_correction_links(user, today),
        year=today.year,
    )


def open_classes(user: Any, today: datetime.date) -> list[Link]:
    """Classes the committee may send trainees to that have not started, with its seats used and left."""
    courses = list(
        Course.objects.for_user(user)
        .filter(status=Course.Status.OPEN, start_date__gt=today)
        .order_by("start_date", "code")[:LINE_LENGTH]
    )
    return _with_nominations(user, courses)


def post_holders_compliance(user: Any) -> Compliance:
    """The committee's post holders trained in the current period, and those overdue or due soon, as its
    compliance page counts them."""
    period = compliance.default_period()
    holders = compliance.holders_in(user, period)
    required, certified = compliance.totals(holders)
    overdue, due_soon = compliance.due_counts(holders)
    return Compliance(period, required, certified, reverse("oversight:compliance"), overdue, due_soon)


def nominees_results(user: Any, path: str) -> list[Link]:
    """The latest classes with results stored that the committee's members attended: completed and not."""
    mine = Q(enrollments__member__organization__path__startswith=path)
    courses = (
        Course.objects.for_user(user)
        .filter(status__in=RESULTS_STORED)
        .annotate(
            completed=Count("enrollments", filter=mine & Q(enrollments__status=Enrollment.Status.COMPLETED)),
            not_completed=Count("enrollments", filter=mine & Q(enrollments__status=Enrollment.Status.NOT_COMPLETED)),
        )
        .filter(Q(completed__gt=0) | Q(not_completed__gt=0))
        .order_by("-end_date", "code")
    )
    return [
        Link(
            text=course.code,
            url=reverse("admin:enrollments_enrollment_changelist") + f"?course__id__exact={course.pk}",
            object=course,
        )
        for course in courses[:RECENT_CLASSES]
    ]


def committee_imports(user: Any) -> list[Link]:
    """The latest uploads within the committee, imported or waiting."""
    records = ImportRecord.objects.for_user(user).order_by("-uploaded_at")
    return [_import_link(record, user) for record in records[:LINE_LENGTH]]


def officer_home(user: Any, today: datetime.date) -> OfficerHome:
    path = scope_of(user).path
    assert path is not None
    return OfficerHome(
        committee=Organization.objects.get(path=path),
        classes=open_classes(user, today),
        compliance=post_holders_compliance(user),
        results=nominees_results(user, path),
        imports=committee_imports(user),
        overdue=overdue_correction_links(user, today),
    )


def home_for(user: Any, today: datetime.date | None = None) -> StaffHome | OfficerHome | InspectorHome | None:
    """The user's home page: an inspector's (the inspections), the center's (whole tree), an officer's (its
    sub-tree), or none (the app list only)."""
    today = today or local_today()
    scope = scope_of(user)
    if scope.read_only:
        return inspector_home(user, today)
    if scope.everything:
        return staff_home(user, today)
    if scope.path is not None:
        return officer_home(user, today)
    return None
