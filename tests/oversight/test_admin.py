"""The inspection pages of the admin: lists scoped and in a fixed number of queries, the checklist rendered from its
generic shape, and the buttons each role gets."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight.models import Correction, CorrectionReport, Finding, Inspection, InspectionPlan
from tests import factories

LISTS = [
    "admin:oversight_inspectionplan_changelist",
    "admin:oversight_inspection_changelist",
    "admin:oversight_correction_changelist",
    "admin:oversight_correctionreport_changelist",
]


def grow(world, n):
    """n more inspections of new committees under the root, each with a finding, a correction and a report."""
    plan = InspectionPlan.objects.create(year=2022 + n)
    for index in range(n):
        committee = factories.OrganizationFactory(parent=world.committee_a, kind="grassroots_committee")
        inspection = Inspection.objects.create(
            plan=plan,
            organization=committee,
            start_date=datetime.date(2023, 1, 1),
            end_date=datetime.date(2023, 1, 2),
            topics=f"Nội dung {index}",
            status=Inspection.Status.CONCLUDED,
        )
        inspection.team.add(world.inspector)
        Finding.objects.create(inspection=inspection, text="Phát hiện")
        correction = Correction.objects.create(
            inspection=inspection, organization=committee, text="Khắc phục", due_date=datetime.date(2023, 3, 1)
        )
        CorrectionReport.objects.create(correction=correction, text="Đã làm", reported_by=world.officer_a)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("persona", ["inspector", "officer_a", "center_staff"])
def test_lists_cost_the_same_queries_whatever_their_length(name, persona, world, client, django_assert_num_queries):
    client.force_login(getattr(world, persona))
    url = reverse(name)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(world, 6)
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_the_inspection_page_costs_the_same_queries_whatever_its_findings(world, client, django_assert_num_queries):
    client.force_login(world.inspector)
    url = reverse("admin:oversight_inspection_change", args=[world.inspection_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(5):
        Finding.objects.create(inspection=world.inspection_a, text=f"Phát hiện {n}")
        Correction.objects.create(
            inspection=world.inspection_a,
            organization=world.cell_a,
            text="Khắc phục",
            due_date=datetime.date(2022, 1, 1),
        )
    with django_assert_num_queries(len(small)):
        client.get(url)


def test_officers_see_their_own_inspections_only(world, client):
    client.force_login(world.officer_a)
    response = client.get(reverse("admin:oversight_inspection_changelist"))
    assert list(response.context["cl"].result_list) == [world.inspection_a]
    response = client.get(reverse("admin:oversight_correction_changelist"))
    assert list(response.context["cl"].result_list) == [world.correction_a]


def test_the_checklist_is_rendered_from_its_generic_shape(world, client):
    world.inspection_a.checklist = {
        "prepared_on": "2026-06-01",
        "period": "nhiệm kỳ 2025–2030",
        "sections": [
            {
                "key": "anything",
                "title": "Mục bất kỳ",
                "figures": [["Số lớp", "3"]],
                "columns": ["Cột một", "Cột hai"],
                "rows": [["ô 1", "ô 2"]],
            }
        ],
    }
    world.inspection_a.save()
    client.force_login(world.officer_a)
    page = client.get(reverse("admin:oversight_inspection_change", args=[world.inspection_a.pk])).content.decode()
    assert 'id="checklist-anything"' in page
    for text in ("Mục bất kỳ", "Số lớp", "Cột hai", "ô 2"):
        assert text in page


def test_each_role_gets_its_own_buttons(world, client):
    correction_url = reverse("admin:oversight_correction_change", args=[world.correction_a.pk])
    judge = reverse("admin:oversight_correction_judge", args=[world.correction_a.pk])
    report = reverse("admin:oversight_correction_report", args=[world.correction_a.pk])
    client.force_login(world.inspector)
    page = client.get(correction_url).content.decode()
    assert judge in page and report not in page
    Correction.objects.filter(pk=world.correction_a.pk).update(status=Correction.Status.REOPENED)
    client.force_login(world.officer_a)
    page = client.get(correction_url).content.decode()
    assert report in page and judge not in page
    client.force_login(world.center_staff)
    page = client.get(correction_url).content.decode()
    assert report not in page and judge not in page
