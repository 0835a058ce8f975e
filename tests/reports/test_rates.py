"""Completion rates count over closed classes only; the trainees of classes not closed yet are shown apart as
"đang học" (issue 15: the dashboard's 2026 rate counted the nominees of a class that had not started)."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from enrollments.models import Enrollment
from reports.workbook import YearWorkbook
from reports.yearly import YearReport
from tests import factories


@pytest.fixture
def this_year(world):
    """This year: a closed class (3 trainees, 2 completed) and a class not started yet (5 nominees)."""
    year = timezone.localdate().year
    closed = factories.CourseFactory(
        program=world.program,
        organizer=world.root,
        year=year,
        start_date=datetime.date(year, 2, 2),
        end_date=datetime.date(year, 2, 6),
        status=Course.Status.CLOSED,
    )
    for status in ("completed", "completed", "not_completed"):
        factories.EnrollmentFactory(
            course=closed, member=factories.MemberFactory(organization=world.cell_a), status=status
        )
    coming = factories.open_course(world)
    for _ in range(5):
        factories.EnrollmentFactory(course=coming, member=factories.MemberFactory(organization=world.cell_a))
    return year


def test_the_dashboard_rate_counts_closed_classes_and_shows_the_others_apart(world, this_year, client_for):
    response = client_for(world.center_staff).get(reverse("reports:dashboard"))

    tally = response.context["summary"].tally
    assert (tally.enrolled, tally.closed_enrolled, tally.studying, tally.completed) == (8, 3, 5, 2)
    assert response.context["completion_percent"] == 66.7  # 2 of the closed class's 3, not 2 of 8 (25 %)
    page = response.content.decode()
    assert "<strong>5</strong><span>đang học (lớp chưa kết thúc)</span>" in page
    assert "<strong>66,7%</strong>" in page or "<strong>66.7%</strong>" in page
    trend = {row.year: row for row in YearReport(world.center_staff, this_year).per_year()}
    assert trend[this_year].completion_rate == pytest.approx(2 / 3)


def test_the_workbook_rate_counts_closed_classes_and_shows_the_others_apart(world, this_year):
    buffer = io.BytesIO()
    YearWorkbook(world.center_staff, this_year).save(buffer)
    workbook = openpyxl.load_workbook(buffer)
    figures = {row[0]: row[1] for row in workbook["Tổng hợp"].iter_rows(min_row=5, values_only=True) if row[0]}

    assert figures["Số học viên theo học (trừ rút khỏi lớp)"] == 8
    assert figures["— đang học (lớp chưa kết thúc)"] == 5
    assert figures["Tỷ lệ hoàn thành (lớp đã kết thúc)"] == pytest.approx(2 / 3)


def test_a_class_counts_as_closed_through_the_one_named_filter_certified_ones_too(world, this_year):
    assert Course.objects.closed().filter(year=this_year).count() == 1
    assert Enrollment.objects.filter(course__in=Course.objects.closed(), course__year=this_year).count() == 3
    # Issuing its certificates moves a closed class on to "certificates issued": its results still count.
    Course.objects.filter(year=this_year, status=Course.Status.CLOSED).update(status=Course.Status.CERTIFIED)
    assert Course.objects.closed().filter(year=this_year).count() == 1
    assert YearReport(world.center_staff, this_year).summary().tally.completion_rate == pytest.approx(2 / 3)
