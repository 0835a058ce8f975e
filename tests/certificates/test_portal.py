"""The trainee portal: each course's certificate status, and the trainee's own PDF, nobody else's."""

import datetime

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import issue_certificates, revoke_certificate
from courses.models import Course
from enrollments.models import Enrollment
from tests import factories
from tests.certificates.world import close_with_results


def course_list(client):
    return client.get(reverse("portal:course-list")).content.decode()


def test_each_course_shows_where_the_certificate_stands(world, client_for, center_staff):
    client = client_for(world.trainee_x)
    waiting = factories.CourseFactory(code="2021-K3-L1", program=world.program, organizer=world.root)
    close_with_results(factories.EnrollmentFactory(course=waiting, member=world.member_x))

    page = course_list(client)
    assert "Đã cấp" in page and "0001/2021/CC-DBVTH" in page
    assert reverse("portal:course-certificate", args=[world.course_a.code]) in page
    assert "Đã hoàn thành, chờ cấp giấy chứng nhận" in page
    assert "Chưa đủ điều kiện" in page  # root_course: still studying

    revoke_certificate(world.certificate_a, by=center_staff, reason="Sai họ tên")
    page = client.get(reverse("portal:course-detail", args=[world.course_a.code])).content.decode()
    assert "Đã bị thu hồi" in page
    assert reverse("portal:course-certificate", args=[world.course_a.code]) not in page


def test_the_trainee_downloads_the_stored_pdf(world, client_for):
    response = client_for(world.trainee_x).get(reverse("portal:course-certificate", args=[world.course_a.code]))

    assert response.status_code == 200
    certificate = world.certificate_a
    certificate.refresh_from_db()
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    with certificate.pdf.open("rb") as stored:
        assert response.content == stored.read()


@pytest.mark.parametrize("persona", ["trainee_y", "center_staff", "officer_a"])
def test_another_persons_certificate_is_not_found(world, client_for, persona):
    url = reverse("portal:course-certificate", args=[world.course_a.code])
    assert client_for(getattr(world, persona)).get(url).status_code == 404


def test_a_revoked_certificate_is_no_longer_downloaded(world, client_for, center_staff):
    revoke_certificate(world.certificate_a, by=center_staff, reason="Sai họ tên")
    url = reverse("portal:course-certificate", args=[world.course_a.code])
    assert client_for(world.trainee_x).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    url = reverse("portal:course-certificate", args=[world.course_a.code])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_course_list_costs_the_same_queries_with_more_certificates(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.trainee_x)
    with django_assert_max_num_queries(100) as captured:
        course_list(client)
    few = len(captured)
    for number in range(3):
        course = factories.CourseFactory(
            code=f"2022-K1-L{number + 1}", program=world.program, organizer=world.root, year=2022
        )
        close_with_results(factories.EnrollmentFactory(course=course, member=world.member_x))
        factories.SessionFactory(course=course, topic=world.topic)
    for course in Course.objects.filter(year=2022):
        issue_certificates(course, by=None, notify=False)
    assert Enrollment.objects.filter(member=world.member_x, certificates__isnull=False).count() == 4
    with django_assert_max_num_queries(few):
        page = course_list(client)
    assert page.count("Tải giấy chứng nhận (PDF)") == 4


def test_a_revoked_certificate_shows_when_in_the_portal_and_offers_no_download(world, client_for, center_staff):
    revoke_certificate(world.certificate_a, by=center_staff, reason="Sai họ tên")
    Certificate.objects.filter(pk=world.certificate_a.pk).update(
        revoked_at=datetime.datetime(2026, 3, 31, 20, 30, tzinfo=datetime.UTC)
    )
    page = client_for(world.trainee_x).get(reverse("portal:course-detail", args=[world.course_a.code])).content.decode()
    assert "đã bị thu hồi ngày 01/04/2026" in page
    assert reverse("portal:course-certificate", args=[world.course_a.code]) not in page
