"""The demo fills every line of the admin's home page for its center staff and its officer, whatever day it is made."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from backoffice.home import home_for
from demo.builder import seed_demo

# Today, a Saturday (a week's sessions all past) and a Monday a year on (the demo's classes placed around it).
DAYS = [None, datetime.date(2026, 12, 5), datetime.date(2027, 3, 1)]


@pytest.mark.django_db
@pytest.mark.parametrize("today", DAYS, ids=["today", "saturday", "next-year"])
def test_every_home_page_line_is_filled_for_the_demo_staff_and_officer(today, client):
    seed_demo("small", today=today)
    staff, officer = User.objects.get(username="trungtam"), User.objects.get(username="donvi")

    home = home_for(staff, today)
    lines = {
        "sessions": home.sessions,
        "ended": home.ended,
        "uncertified": home.uncertified,
        "closing": home.closing,
        "jobs": home.jobs,
        "imports": home.imports,
    }
    assert all(lines.values()), [name for name, line in lines.items() if not line]
    assert all(line.rows for line in home.closing), "each class closing soon has its committees' quotas"

    home = home_for(officer, today)
    assert home.committee == officer.officer.organization
    assert home.classes and all(line.rows for line in home.classes)
    assert home.compliance.required > 0 and home.compliance.missing > 0
    assert home.results and home.imports
    assert any(line.url for line in home.imports), "the officer's own upload waits for confirmation"

    if today is None:  # the pages themselves, once
        for user in (staff, officer):
            client.force_login(user)
            assert client.get(reverse("admin:index")).status_code == 200
