"""The demo's inspection plan (demo/inspections.py): the inspector login, and a plan for the current year with a
concluded, an open and a planned inspection, and an overdue correction on the inspector's and the committee's
home pages."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from demo.builder import DEMO_PASSWORD, INSPECTOR_LOGIN, OFFICER_LOGIN, seed_demo
from organizations import roles
from organizations.access import INSPECTING, scope_of
from organizations.permissions import is_center
from oversight.models import Correction, Inspection, InspectionPlan


@pytest.mark.django_db
def test_small_demo_has_an_inspector_and_this_years_plan(client):
    today = timezone.localdate()
    summary = seed_demo("small", today=today)
    inspector = User.objects.get(username=INSPECTOR_LOGIN)
    assert list(inspector.groups.values_list("name", flat=True)) == [roles.INSPECTOR]
    assert inspector.check_password(DEMO_PASSWORD) and inspector.officer.organization.depth == 1
    assert scope_of(inspector) == INSPECTING and not is_center(inspector)
    assert INSPECTOR_LOGIN in dict(summary.logins)

    plan = InspectionPlan.objects.get(year=today.year)
    statuses = sorted(plan.inspections.values_list("status", flat=True))
    assert statuses == sorted([Inspection.Status.CONCLUDED, Inspection.Status.OPEN, Inspection.Status.PLANNED])
    opened = plan.inspections.get(status=Inspection.Status.OPEN)
    assert [section["key"] for section in opened.checklist["sections"]][:2] == ["compliance", "untrained"]
    corrections = Correction.objects.filter(inspection__plan=plan)
    assert sorted(corrections.values_list("status", flat=True)) == sorted(
        [Correction.Status.REQUIRED, Correction.Status.REPORTED, Correction.Status.ACCEPTED]
    )
    [overdue] = Correction.objects.overdue(today)

    officer = User.objects.get(username=OFFICER_LOGIN)
    for user in (inspector, officer):
        client.force_login(user)
        home = client.get("/admin/").context["home"]
        assert [line.object for line in home.overdue] == [overdue]
