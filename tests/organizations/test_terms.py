"""Terms are data (organizations.Term): the current one follows today's date, and the compliance page, its export,
the yearly workbook and the dashboard default to it and offer the others (issue 15)."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Term
from organizations.terms import current_term, default_period, term_period, term_periods
from reports.jobs import start_year_workbook
from reports.models import ReportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def december_2026(monkeypatch):
    """Today is 03/12/2026 in Asia/Ho_Chi_Minh."""
    today = datetime.date(2026, 12, 3)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    return today


def test_the_migration_seeds_the_blocs_terms_each_ending_where_the_next_begins():
    assert [(period.term, period.start, period.end) for period in term_periods()] == [
        ("2015–2020", datetime.date(2015, 1, 1), datetime.date(2019, 12, 31)),
        ("2020–2025", datetime.date(2020, 1, 1), datetime.date(2024, 12, 31)),
        ("2025–2030", datetime.date(2025, 1, 1), None),
    ]


def test_the_current_term_follows_todays_date():
    assert current_term(datetime.date(2024, 12, 31)).term == "2020–2025"
    assert current_term(datetime.date(2025, 1, 1)).term == "2025–2030"
    assert current_term(datetime.date(2014, 5, 1)) is None


def test_a_term_entered_by_the_center_becomes_current_on_its_start(december_2026):
    Term.objects.create(name="2030–2035", start=datetime.date(2030, 1, 1))
    assert default_period().term == "2025–2030"
    assert term_period("2025–2030").end == datetime.date(2029, 12, 31)
    assert current_term(datetime.date(2030, 1, 1)).term == "2030–2035"


def test_in_december_2026_compliance_reports_the_2025_2030_term(december_2026, world, client_for):
    """The reproduction: the compliance page in December 2026 still reported the 2020–2025 term."""
    response = client_for(world.center_staff).get(reverse("oversight:compliance"))

    assert response.context["period"].label == "nhiệm kỳ 2025–2030"
    page = response.content.decode()
    assert "tính theo nhiệm kỳ 2025–2030" in page
    # The other terms are offered; choosing one reports it (the world's 2021 certificate counts there).
    assert '<option value="2020–2025">2020–2025</option>' in page
    assert '<option value="2025–2030">2025–2030 (hiện tại)</option>' in page
    earlier = client_for(world.center_staff).get(reverse("oversight:compliance"), {"term": "2020–2025"})
    assert earlier.context["period"].label == "nhiệm kỳ 2020–2025"
    assert (earlier.context["total"].required, earlier.context["total"].certified) == (2, 1)
    assert (response.context["total"].required, response.context["total"].certified) == (2, 0)


def test_the_dashboard_defaults_to_the_current_term_and_offers_the_others(december_2026, world, client_for):
    response = client_for(world.center_staff).get(reverse("reports:dashboard"))
    assert response.context["period"].label == "nhiệm kỳ 2025–2030"
    earlier = client_for(world.center_staff).get(reverse("reports:dashboard"), {"term": "2015–2020"})
    assert earlier.context["period"].label == "nhiệm kỳ 2015–2020"


def workbook_labels(job):
    job.refresh_from_db()
    with job.file.open("rb") as stored:
        workbook = openpyxl.load_workbook(io.BytesIO(stored.read()))
    return [row[0] for row in workbook["Tổng hợp"].iter_rows(values_only=True)]


def test_the_compliance_export_and_the_workbook_count_in_the_term_chosen(
    december_2026, world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.center_staff).post(reverse("reports:missing-list") + "?term=2020–2025")
    job = ReportJob.objects.filter(kind=ReportJob.Kind.MISSING_LIST).latest("pk")
    assert job.parameters["term"] == "2020–2025"
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE

    with django_capture_on_commit_callbacks(execute=True):
        chosen = start_year_workbook(2021, by=world.center_staff, term="2020–2025")
        default = start_year_workbook(2021, by=world.center_staff)
    assert "Chức vụ phải bồi dưỡng (nhiệm kỳ 2020–2025)" in workbook_labels(chosen)
    assert "Chức vụ phải bồi dưỡng (nhiệm kỳ 2025–2030)" in workbook_labels(default)
