"""Overdue corrections on the inspector's and the committee officer's home pages, and this year's inspections on
the inspector's."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.localtime import local_today
from oversight.models import Correction, Inspection, InspectionPlan

HOME = reverse("admin:index")


def home_of(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.context["home"]


def test_the_inspector_has_a_home_of_their_own(client, world):
    plan = InspectionPlan.objects.create(year=local_today().year)
    today = local_today()
    planned = Inspection.objects.create(
        plan=plan, organization=world.committee_b, start_date=today, end_date=today, topics="Bồi dưỡng"
    )
    home = home_of(client, world.inspector)
    assert home.role == "inspector"
    assert [line.object for line in home.inspections] == [planned]
    # Both of the world's corrections were due at the end of 2021 and are still waiting for the team's verdict.
    assert [line.object for line in home.overdue] == [world.correction_a, world.correction_b]
    assert world.correction_a.text in client.get(HOME).content.decode()


def test_the_committee_sees_its_own_overdue_corrections_only(client, world):
    home = home_of(client, world.officer_a)
    assert [line.object for line in home.overdue] == [world.correction_a]
    Correction.objects.filter(pk=world.correction_a.pk).update(status=Correction.Status.ACCEPTED)
    assert home_of(client, world.officer_a).overdue == []


def test_a_correction_not_yet_due_is_not_listed(client, world):
    Correction.objects.update(due_date=local_today() + datetime.timedelta(days=1))
    assert home_of(client, world.inspector).overdue == []


def _more_corrections(world, copies):
    for n in range(copies):
        Correction.objects.create(
            inspection=world.inspection_a,
            organization=world.cell_a,
            text=f"Khắc phục {n}",
            due_date=datetime.date(2022, 1, 1),
        )


@pytest.mark.parametrize("persona", ["inspector", "officer_a"])
def test_the_home_page_costs_the_same_queries_whatever_the_number_of_corrections(
    persona, client, world, django_assert_num_queries
):
    user = getattr(world, persona)
    client.force_login(user)
    client.get(HOME)
    with CaptureQueriesContext(connection) as small:
        client.get(HOME)
    _more_corrections(world, 8)
    with django_assert_num_queries(len(small)):
        client.get(HOME)
