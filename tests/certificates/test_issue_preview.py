"""Issuing from the closed class's page: a preview with the issue date (today unless typed), how many certificates,
the first and last register number they will take (peeked at, not taken) and who signs; its button issues them.
A wrong date shows the form again with the reason and the typed value; only center staff issue."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.models import Certificate, RegisterCounter
from certificates.rules import next_register_numbers
from certificates.services import issue_certificates, preview_issuing
from common.localtime import local_today
from courses.models import Course
from tests import factories
from tests.certificates.test_issue_dates import closed_class

DAY = datetime.timedelta(days=1)


@pytest.fixture
def center_issuer(world):
    issuer = factories.IssuerProfileFactory(organization=world.root, register_suffix="CC-TTBDCT")
    issuer.signer_title, issuer.signer_name = "PHÓ GIÁM ĐỐC", "Lê Thị Mai"
    issuer.save()
    return issuer


@pytest.fixture
def course(world, center_issuer):
    return closed_class(world, end=local_today() - 3 * DAY, trainees=3)


def issue_url(course):
    return reverse("admin:courses_course_issue", args=[course.pk])


def test_next_numbers_follow_the_last_one_without_taking_them():
    assert next_register_numbers(0, 3) == range(1, 4)
    assert next_register_numbers(18, 1) == range(19, 20)
    assert list(next_register_numbers(5, 0)) == []


def test_the_preview_peeks_at_the_register_book_and_issuing_takes_those_numbers(course, center_issuer, center_staff):
    today = local_today()
    RegisterCounter.objects.create(issuer=center_issuer, year=today.year, last_number=18)

    preview = preview_issuing(course, by=center_staff)

    assert (preview.issued_on, preview.count, preview.already_issued) == (today, 3, 0)
    assert preview.first_number == f"0019/{today.year}/CC-TTBDCT"
    assert preview.last_number == f"0021/{today.year}/CC-TTBDCT"
    assert RegisterCounter.objects.get(issuer=center_issuer, year=today.year).last_number == 18
    assert not Certificate.objects.filter(enrollment__course=course).exists()
    issued = issue_certificates(course, by=center_staff, render_pdfs=False, notify=False).issued
    assert [c.register_number for c in issued][:: len(issued) - 1] == [preview.first_number, preview.last_number]


def test_the_class_page_has_the_button_only_when_closed_and_for_the_center(
    world, course, client_for, center_staff, officer_a
):
    change = reverse("admin:courses_course_change", args=[course.pk])
    assert issue_url(course) in client_for(center_staff).get(change).content.decode()
    assert issue_url(course) not in client_for(officer_a).get(change).content.decode()
    Course.objects.filter(pk=course.pk).update(status=Course.Status.OPEN)
    assert issue_url(course) not in client_for(center_staff).get(change).content.decode()


def test_the_page_shows_the_date_count_numbers_and_signer(course, client_for, center_staff):
    today = local_today()
    page = client_for(center_staff).get(issue_url(course)).content.decode()

    assert f'value="{today:%d/%m/%Y}"' in page
    for shown in [
        f"0001/{today.year}/CC-TTBDCT",
        f"0003/{today.year}/CC-TTBDCT",
        "TRUNG TÂM BỒI DƯỠNG CHÍNH TRỊ",
        "PHÓ GIÁM ĐỐC",
        "Lê Thị Mai",
        'name="confirm"',
    ]:
        assert shown in page, shown
    assert ">3<" in page
    assert not Certificate.objects.filter(enrollment__course=course).exists()


def test_another_date_previews_that_years_book_and_confirming_issues_on_it(course, client_for, center_staff):
    client = client_for(center_staff)
    day = course.end_date
    typed = f"{day:%d/%m/%Y}"
    page = client.post(issue_url(course), {"issued_on": typed, "preview": "1"}).content.decode()
    assert f"0001/{day.year}/CC-TTBDCT" in page and f'value="{typed}"' in page
    assert not Certificate.objects.filter(enrollment__course=course).exists()

    response = client.post(issue_url(course), {"issued_on": typed, "confirm": "1"}, follow=True)

    certificates = Certificate.objects.filter(enrollment__course=course)
    assert set(certificates.values_list("issued_on", "year")) == {(day, day.year)}
    assert certificates.count() == 3
    page = response.content.decode()
    assert f"đã cấp 3 giấy chứng nhận. Ngày cấp {typed}" in page
    assert f"0001/{day.year}/CC-TTBDCT" in page and f"0003/{day.year}/CC-TTBDCT" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("15/01/2025", "trước ngày bế giảng"),
        ("31/12/2099", "sau ngày hôm nay"),
        ("31/02/2026", "Hãy nhập ngày cấp dạng ngày/tháng/năm"),
    ],
)
def test_a_wrong_date_shows_the_form_again_with_why_and_writes_nothing(
    course, client_for, center_staff, typed, message
):
    response = client_for(center_staff).post(issue_url(course), {"issued_on": typed, "confirm": "1"})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and f'value="{typed}"' in page
    assert 'name="confirm"' not in page
    assert not Certificate.objects.filter(enrollment__course=course).exists()
    assert not RegisterCounter.objects.filter(issuer__organization=course.organizer).exists()


def test_a_class_closed_before_its_end_asks_for_a_date(world, center_issuer, client_for, center_staff):
    course = closed_class(world, end=local_today() + 2 * DAY)
    page = client_for(center_staff).get(issue_url(course)).content.decode()
    assert "hãy ghi rõ ngày cấp" in page and 'name="confirm"' not in page


def test_a_class_not_closed_is_not_issued(world, center_issuer, client_for, center_staff):
    course = closed_class(world, end=local_today() - DAY)
    Course.objects.filter(pk=course.pk).update(status=Course.Status.OPEN)
    client = client_for(center_staff)
    assert "chưa kết thúc" in client.get(issue_url(course)).content.decode()
    client.post(issue_url(course), {"issued_on": f"{local_today():%d/%m/%Y}", "confirm": "1"})
    assert not Certificate.objects.filter(enrollment__course=course).exists()


def test_officers_may_not_issue(course, client_for, officer_a):
    client = client_for(officer_a)
    assert client.get(issue_url(course)).status_code == 403
    assert client.post(issue_url(course), {"issued_on": f"{local_today():%d/%m/%Y}", "confirm": "1"}).status_code == 403
    assert not Certificate.objects.filter(enrollment__course=course).exists()


def test_the_preview_costs_the_same_queries_for_a_small_and_a_larger_class(
    world, center_issuer, client_for, center_staff
):
    def queries(code, size):
        course = closed_class(world, code=code, end=local_today() - DAY, trainees=size)
        client = client_for(User.objects.get(pk=center_staff.pk))
        with CaptureQueriesContext(connection) as captured:
            page = client.get(issue_url(course)).content.decode()
        assert f"/{local_today().year}/CC-TTBDCT" in page
        return len(captured)

    assert queries("2026-Q-S", 2) == queries("2026-Q-L", 9)
