"""The checklist of an inspection: what the records say about the inspected organization's training when the
inspection opens, kept in Inspection.checklist as a JSON snapshot of one generic shape, so that the admin page, the
PDF report and the workbook render it without knowing its sections:

    {"prepared_on": "YYYY-MM-DD", "period": "<label>",
     "sections": [{"key": ..., "title": ..., "figures": [[label, value], ...], "columns": [...], "rows": [[...]]}]}

Each section is one function of (organization, period, user) with a fixed number of queries whatever the size of
the sub-tree; SECTIONS lists them in the order they are shown."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Avg, Count
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import Course
from enrollments.evaluation_reports import minimum_forms
from enrollments.models import Evaluation
from organizations.access import EVERYTHING
from organizations.models import Organization
from organizations.terms import Period, term_period
from oversight.compliance import by_organization, due_counts, holders_in, missing, totals
from oversight.indicators import indicators_for

Section = dict[str, Any]

# A section lists at most this many rows (the untrained holders, the classes); its figures count them all. A
# province runs tens of thousands of classes in a term: the snapshot keeps what a report can print.
MISSING_ROWS = 500
ROW_LIMIT = 500


def _number(value: float | Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def _percent(certified: int, required: int) -> str:
    return f"{100 * certified / required:.1f} %".replace(".", ",") if required else "—"


def _date(day: datetime.date | None) -> str:
    return date_format(day, "d/m/Y") if day else ""


def compliance_section(organization: Organization, period: Period, user: Any) -> Section:
    """The compliance rate of the sub-tree and of each organization just below it (compliance.by_organization)."""
    rows, total = by_organization(holders_in(user, period), organization)
    return {
        "key": "compliance",
        "title": _("Tỷ lệ cán bộ đã được bồi dưỡng"),
        "figures": [
            [_("Chức danh phải bồi dưỡng"), str(total.required)],
            [_("Đã được bồi dưỡng"), str(total.certified)],
            [_("Chưa được bồi dưỡng"), str(total.missing)],
            [_("Tỷ lệ"), _percent(total.certified, total.required)],
        ],
        "columns": [_("Tổ chức đảng"), _("Phải bồi dưỡng"), _("Đã bồi dưỡng"), _("Tỷ lệ")],
        "rows": [
            [str(row.organization), str(row.required), str(row.certified), _percent(row.certified, row.required)]
            for row in rows
        ],
    }


def untrained_section(organization: Organization, period: Period, user: Any) -> Section:
    """The current post holders of the sub-tree without a qualifying certificate in the period (compliance.missing)."""
    holders = holders_in(user, period, organization)
    required, certified = totals(holders)  # from the compliance tallies: the same count, without the rows
    count = required - certified
    overdue, due_soon = due_counts(holders)
    listed = missing(holders)[:MISSING_ROWS]
    return {
        "key": "untrained",
        "title": _("Cán bộ giữ chức danh chưa được bồi dưỡng"),
        "figures": [[_("Số người"), str(count)], [_("Quá hạn"), str(overdue)], [_("Sắp đến hạn"), str(due_soon)]],
        "columns": [_("Họ và tên"), _("Chức danh"), _("Tổ chức đảng"), _("Hạn bồi dưỡng")],
        "rows": [
            [
                appointment.member.full_name,
                appointment.get_post_display(),
                str(appointment.organization),
                _date(appointment.due_date),  # type: ignore[attr-defined]  # annotated by missing()
            ]
            for appointment in listed
        ],
    }


def _own_courses(organization: Organization, period: Period):
    courses = Course.objects.filter(organizer__path__startswith=organization.path, start_date__gte=period.start)
    return courses.filter(start_date__lte=period.end) if period.end else courses


def courses_section(organization: Organization, period: Period, user: Any) -> Section:
    """The classes the sub-tree organized itself in the period, counted by status, the latest ROW_LIMIT listed."""
    own = _own_courses(organization, period)
    by_status = dict(own.order_by().values_list("status").annotate(count=Count("pk")))
    courses = list(own.select_related("program").order_by("-start_date", "-code")[:ROW_LIMIT])
    indicators = indicators_for(courses)
    rows = [
        [
            course.code,
            course.program.name,
            _date(course.start_date),
            _date(course.end_date),
            course.get_status_display(),
            f"{_number(indicators[course.pk].hours_delivered)}/{_number(indicators[course.pk].program_hours)}",
            str(indicators[course.pk].evaluations),
            _("Đạt") if indicators[course.pk].meets_requirements else _("Chưa đạt yêu cầu"),
            " ".join(indicators[course.pk].reasons),
        ]
        for course in courses
    ]
    labels = dict(Course.Status.choices)
    return {
        "key": "courses",
        "title": _("Các lớp tự tổ chức"),
        "figures": [
            [_("Số lớp"), str(sum(by_status.values()))],
            *[[str(labels[status]), str(by_status[status])] for status in labels if by_status.get(status)],
        ],
        "columns": [
            _("Mã lớp"),
            _("Chương trình"),
            _("Khai giảng"),
            _("Bế giảng"),
            _("Trạng thái"),
            _("Số tiết đã học/chương trình"),
            _("Phiếu đánh giá"),
            _("Yêu cầu"),
            _("Lý do"),
        ],
        "rows": rows,
    }


def evaluations_section(organization: Organization, period: Period, user: Any) -> Section:
    """The evaluations the sub-tree's own classes received, per class (the first ROW_LIMIT by code): anonymous, the
    averages only of a class with at least EVALUATION_MIN_FORMS forms (enrollments/evaluation_reports.py)."""
    evaluations = Evaluation.objects.filter(enrollment__course__in=_own_courses(organization, period))
    per_course = (
        evaluations.values("enrollment__course__code")
        .annotate(
            forms=Count("pk"),
            organization=Avg("organization_rating"),
            content=Avg("content_rating"),
            materials=Avg("materials_rating"),
        )
        .order_by("enrollment__course__code")
    )
    enough = minimum_forms()
    rows = []
    for row in per_course[:ROW_LIMIT]:
        shown = row["forms"] >= enough
        averages = [_number(row[key]) if shown else "—" for key in ("organization", "content", "materials")]
        rows.append([row["enrollment__course__code"], str(row["forms"]), *averages])
    forms = evaluations.count() if len(rows) == ROW_LIMIT else sum(int(row[1]) for row in rows)
    return {
        "key": "evaluations",
        "title": _("Đánh giá của học viên"),
        "figures": [
            [_("Số phiếu"), str(forms)],
            [_("Số phiếu tối thiểu để tính điểm trung bình"), str(enough)],
        ],
        "columns": [_("Mã lớp"), _("Số phiếu"), _("Công tác tổ chức"), _("Nội dung"), _("Tài liệu")],
        "rows": rows,
    }


SECTIONS: list[Callable[[Organization, Period, Any], Section]] = [
    compliance_section,
    untrained_section,
    courses_section,
    evaluations_section,
]


def build_checklist(organization: Organization, *, user: Any, today: datetime.date, period: Period | None = None):
    """The checklist of `organization` as `user` (whose scope must hold it: an inspector reads the whole tree; None,
    the command line, reads it all) reads the records on `today`, for the current term unless told otherwise."""
    period = period or term_period()
    if user is None:  # the command line reads the whole tree, as every service lets it
        user = SimpleNamespace(_access_scope=EVERYTHING, is_authenticated=True, pk=None)
    return {
        "prepared_on": today.isoformat(),
        "period": str(period.label),
        "sections": [section(organization, period, user) for section in SECTIONS],
    }
