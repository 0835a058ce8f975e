"""The yearly workbook's "Kiểm tra" sheet: the inspections of the year's plan the requester may see, each with its
findings and its corrections (done once accepted, overdue past the due date on the workbook's date), and their
totals; at a fixed number of queries."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oversight.models import Correction, Inspection, InspectionPlan
from reports.inspections import inspection_rows
from reports.workbook import YearWorkbook
from tests import factories

pytestmark = pytest.mark.usefixtures("in_the_2020_term")

TITLE = "Kiểm tra"
FIRST_DATA_ROW = 5


def export(user, year=2021):
    buffer = io.BytesIO()
    YearWorkbook(user, year).save(buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def sheet_rows(workbook):
    return [list(row) for row in workbook[TITLE].iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]


@pytest.fixture
def inspections(world):
    """2021's plan: committee A concluded with two findings and three corrections (one accepted, one overdue, one
    not yet due), committee B planned; an inspection of A in 2020's plan that the 2021 sheet leaves out. The
    personas' own 2021 inspections (tests/oversight/world.py) make way, so that the sheet holds these only."""
    Inspection.objects.all().delete()
    InspectionPlan.objects.all().delete()
    today = timezone.localdate()
    plan = factories.InspectionPlanFactory(year=2021)
    world.inspection_a = factories.InspectionFactory(
        plan=plan,
        organization=world.committee_a,
        start_date=datetime.date(2021, 4, 5),
        end_date=datetime.date(2021, 4, 9),
        status=Inspection.Status.CONCLUDED,
        concluded_on=datetime.date(2021, 4, 20),
    )
    factories.FindingFactory.create_batch(2, inspection=world.inspection_a)
    past = today - datetime.timedelta(days=10)
    factories.CorrectionFactory(inspection=world.inspection_a, due_date=past, status=Correction.Status.ACCEPTED)
    factories.CorrectionFactory(inspection=world.inspection_a, due_date=past, status=Correction.Status.REPORTED)
    factories.CorrectionFactory(inspection=world.inspection_a, due_date=today + datetime.timedelta(days=5))
    world.inspection_b = factories.InspectionFactory(
        plan=plan,
        organization=world.committee_b,
        start_date=datetime.date(2021, 6, 7),
        end_date=datetime.date(2021, 6, 11),
    )
    factories.InspectionFactory(plan=factories.InspectionPlanFactory(year=2020), organization=world.committee_a)
    return world


def test_the_sheet_lists_the_year_s_inspections_with_findings_and_corrections(inspections):
    w = inspections
    workbook = export(w.center_staff)
    assert workbook.sheetnames[-1] == TITLE
    assert sheet_rows(workbook) == [
        [
            w.committee_a.name,
            datetime.datetime(2021, 4, 5),
            datetime.datetime(2021, 4, 9),
            "Đã kết luận",
            datetime.datetime(2021, 4, 20),
            2,
            3,
            1,  # the accepted one is done
            1,  # the reported one past its due date is overdue; the one not yet due is neither
        ],
        [
            w.committee_b.name,
            datetime.datetime(2021, 6, 7),
            datetime.datetime(2021, 6, 11),
            "Dự kiến",
            None,
            0,
            0,
            0,
            0,
        ],
        ["Tổng cộng", None, None, "đã kiểm tra 1/2", None, 2, 3, 1, 1],
    ]
    sheet = workbook[TITLE]
    assert sheet["B5"].number_format == "DD/MM/YYYY"
    assert sheet["A7"].font.b
    assert sheet.freeze_panes == "A5" and sheet.print_title_rows == "$4:$4"


def test_a_correction_stops_being_overdue_once_accepted(inspections):
    w = inspections
    Correction.objects.filter(status=Correction.Status.REPORTED).update(status=Correction.Status.ACCEPTED)
    total = sheet_rows(export(w.center_staff))[-1]
    assert total[-2:] == [2, 0]


def test_an_officer_sees_only_its_own_committee_s_inspections(inspections):
    w = inspections
    rows = sheet_rows(export(w.officer_a))
    assert [row[0] for row in rows] == [w.committee_a.name, "Tổng cộng"]
    assert rows[-1][3] == "đã kiểm tra 1/1"
    assert [row[0] for row in sheet_rows(export(w.officer_b))] == [w.committee_b.name, "Tổng cộng"]


def test_a_year_without_a_plan_has_only_the_total_row(world):
    assert not Inspection.objects.filter(plan__year=2022).exists()
    assert sheet_rows(export(world.center_staff, 2022)) == [
        ["Tổng cộng", None, None, "đã kiểm tra 0/0", None, 0, 0, 0, 0]
    ]


def test_overdue_is_counted_on_the_day_given(inspections):
    w = inspections
    rows, totals = inspection_rows(w.center_staff, 2021, timezone.localdate() + datetime.timedelta(days=30))
    assert (totals.corrections, totals.done, totals.overdue) == (3, 1, 2)
    assert (totals.inspections, totals.held, totals.findings) == (2, 1, 2)
    assert rows[0].overdue == 2


def _grow(world, count):
    for _ in range(count):
        organization = factories.OrganizationFactory(parent=world.committee_a)
        inspection = factories.InspectionFactory(plan=world.inspection_a.plan, organization=organization)
        factories.FindingFactory(inspection=inspection)
        factories.CorrectionFactory(inspection=inspection, status=Correction.Status.ACCEPTED)


def test_the_sheet_costs_the_same_queries_for_few_and_many_inspections(inspections):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            rows = sheet_rows(export(inspections.center_staff))
        return len(captured), len(rows)

    queries()  # the user's scope is then read once and kept on the user object
    _grow(inspections, 2)
    small, small_rows = queries()
    _grow(inspections, 15)
    large, large_rows = queries()
    assert large_rows == small_rows + 15
    assert large == small
