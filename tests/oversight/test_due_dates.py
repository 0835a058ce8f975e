"""Due dates of post holders not yet trained: the later of the current term's start and the appointment's start,
plus COMPLIANCE_GRACE_MONTHS; overdue and due-soon counts per organization, the filter, the export column."""

import calendar
import datetime

import pytest
from django.db.models import DateField, Value
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.months import AddMonths, add_months
from organizations.models import Appointment, Organization
from oversight import compliance
from tests import factories

COMPLIANCE = reverse("oversight:compliance")
pytestmark = pytest.mark.usefixtures("in_the_2020_term")  # the basis is 1 January 2020, long past


@given(st.dates(datetime.date(1950, 1, 1), datetime.date(2200, 12, 31)), st.integers(-240, 240))
def test_adding_months_keeps_the_day_or_falls_back_to_the_months_last(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == min(day.day, calendar.monthrange(result.year, result.month)[1])


def test_the_end_of_january_plus_a_month_is_the_end_of_february():
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 3, 31), -1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 12, 15), 1) == datetime.date(2026, 1, 15)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(datetime.date(2000, 1, 1), datetime.date(2040, 12, 31)),
    basis=st.dates(datetime.date(2000, 1, 1), datetime.date(2040, 12, 31)),
    grace=st.integers(0, 36),
)
def test_the_database_computes_the_due_date_rule(world, start, basis, grace):
    """The annotation is the rule: add_months(max(term start, appointment start), grace), in SQL."""
    Appointment.objects.filter(pk=world.appointment_a.pk).update(start_date=start)
    with override_settings(COMPLIANCE_GRACE_MONTHS=grace):
        due = compliance.with_due_dates(Appointment.objects.filter(pk=world.appointment_a.pk), basis)
        assert due.get().due_date == add_months(max(start, basis), grace)
    one = Organization.objects.filter(pk=world.root.pk)
    assert one.annotate(d=AddMonths(Value(start, DateField()), grace)).get().d == add_months(start, grace)


def test_the_basis_is_the_current_terms_start(world):
    assert compliance.due_basis() == datetime.date(2020, 1, 1)
    # Appointed before the term: due a grace period after the term's start; after: after their own start.
    holder = compliance.with_due_dates(Appointment.objects.filter(pk=world.appointment_a.pk)).get()
    assert holder.due_date == datetime.date(2021, 9, 1)  # appointed 1 September 2020, 12 months' grace


def buckets(world, count=1, organization=None):
    """Holders not trained in each bucket (grace 3 months, today as the code sees it), under cell B."""
    today = compliance.local_today()
    organization = organization or world.cell_b
    made = {}
    for bucket, days_ago in [("overdue", 130), ("due_soon", 60), ("not_yet", 5)]:
        made[bucket] = [
            factories.AppointmentFactory(
                member=factories.MemberFactory(full_name=f"Người {bucket} {n}", organization=organization),
                organization=organization,
                start_date=today - datetime.timedelta(days=days_ago),
            )
            for n in range(count)
        ]
    return made


@override_settings(COMPLIANCE_GRACE_MONTHS=3)
def test_holders_are_counted_in_their_buckets_by_organization(world):
    buckets(world, count=2)
    holders = compliance.holders_in(world.center_staff, compliance.default_period())
    # Lê Minh Châu (cell A), appointed in 2020 and never trained, is overdue; Võ Thanh Bình is trained.
    assert compliance.due_counts(holders) == (3, 2)
    rows, total = compliance.by_organization(holders, world.root, due=True)
    counts = {row.organization: (row.overdue, row.due_soon) for row in rows}
    assert counts == {world.committee_a: (1, 0), world.committee_b: (2, 2)}
    assert (total.overdue, total.due_soon, total.missing) == (3, 2, 7)
    overdue = compliance.missing(holders, "overdue")
    names = sorted(holder.member.full_name for holder in overdue)
    assert names == ["Lê Minh Châu", "Người overdue 0", "Người overdue 1"]
    assert {holder.member.full_name for holder in compliance.missing(holders, "due_soon")} == {
        "Người due_soon 0",
        "Người due_soon 1",
    }


@override_settings(COMPLIANCE_GRACE_MONTHS=3)
def test_a_trained_holder_has_no_due_date_bucket(world):
    made = buckets(world)
    late = made["overdue"][0]
    holders = compliance.holders_in(world.center_staff, compliance.default_period())
    before = compliance.due_counts(holders)
    factories.CertificateFactory(
        enrollment__member=late.member, enrollment__course=world.course_b, issued_on=world.certificate_b.issued_on
    )
    assert compliance.due_counts(holders) == (before[0] - 1, before[1])


@override_settings(COMPLIANCE_GRACE_MONTHS=3)
def test_the_page_shows_the_columns_and_filters_by_bucket(world, client_for):
    buckets(world)
    client = client_for(world.center_staff)
    page = client.get(COMPLIANCE)
    assert "Quá hạn" in page.content.decode() and "Sắp đến hạn" in page.content.decode()
    rows = {row.organization: (row.overdue, row.due_soon) for row in page.context["rows"]}
    assert rows[world.committee_b] == (1, 1)
    response = client.get(COMPLIANCE, {"due": "overdue"})
    names = [holder.member.full_name for holder, _label, _badge in response.context["missing_rows"]]
    assert sorted(names) == ["Lê Minh Châu", "Người overdue 0"]
    assert all(badge == ("overdue", "Quá hạn") for _holder, _label, badge in response.context["missing_rows"])
    assert response.context["missing"].paginator.count == 2
    soon = client.get(COMPLIANCE, {"due": "due_soon"})
    [(holder, _label, badge)] = soon.context["missing_rows"]
    assert holder.member.full_name == "Người due_soon 0" and badge == ("due_soon", "Sắp đến hạn")
    assert holder.due_date.strftime("%d/%m/%Y") in soon.content.decode()


def test_a_bad_bucket_is_reported_in_vietnamese_and_the_default_shown(world, client_for):
    response = client_for(world.center_staff).get(COMPLIANCE, {"due": "qua-han"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bộ lọc có giá trị không hợp lệ" in page and "Hạn bồi dưỡng không hợp lệ" in page
    assert response.context["bucket"] == "" and response.context["total"].required == 2


@override_settings(COMPLIANCE_GRACE_MONTHS=3)
@pytest.mark.parametrize("bucket", ["", "overdue", "due_soon"])
def test_the_page_with_buckets_takes_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries, bucket
):
    client = client_for(world.center_staff)
    buckets(world, organization=world.cell_a)
    client.get(COMPLIANCE, {"due": bucket})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(COMPLIANCE, {"due": bucket})
    buckets(world, count=40, organization=world.cell_b)
    with django_assert_max_num_queries(len(small)):
        response = client.get(COMPLIANCE, {"due": bucket})
    assert response.context["missing"].paginator.count >= 40


@override_settings(COMPLIANCE_GRACE_MONTHS=3)
def test_the_exported_list_has_the_due_date_column(world, client_for, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    from reports.models import ReportJob

    made = buckets(world)
    client = client_for(world.center_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:missing-list") + f"?org={world.committee_b.pk}&due=overdue")
    job = ReportJob.objects.get(kind=ReportJob.Kind.MISSING_LIST)
    assert job.parameters["due"] == "overdue"
    with job.file.open("rb") as stream:
        sheet = load_workbook(stream).active
    header = next(row for row in sheet.iter_rows(values_only=True) if row and row[0] == "Họ và tên")
    assert header[-1] == "Hạn bồi dưỡng"
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
    expected = compliance.with_due_dates(Appointment.objects.filter(pk=made["overdue"][0].pk)).get().due_date
    assert [(row[0], row[-1].date()) for row in rows] == [("Người overdue 0", expected)]
