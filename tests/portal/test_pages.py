"""The trainee's pages: own courses only, what each shows, and a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from enrollments.models import Attendance
from tests import factories


def get(client, name, *args):
    return client.get(reverse(name, args=args))


def test_my_courses_lists_only_own_courses(world, client_for):
    response = get(client_for(world.trainee_y), "portal:course-list")

    page = response.content.decode()
    assert response.status_code == 200
    assert world.root_course.code in page
    assert world.course_a.code not in page and world.course_b.code not in page


def test_my_courses_shows_result_certificate_and_evaluation_status(world, client_for):
    world.root_course.status = Course.Status.CLOSED
    world.root_course.save()
    world.enrollment_x.status = "completed"
    world.enrollment_x.grade = "good"
    world.enrollment_x.final_score = Decimal("7.5")
    world.enrollment_x.save()

    page = get(client_for(world.trainee_x), "portal:course-list").content.decode()

    assert "7,5" in page
    assert "Hoàn thành — Khá" in page
    assert "Đã hoàn thành, chờ cấp giấy chứng nhận" in page
    assert "Đã gửi ngày" in page  # root_course, evaluated in the world
    assert reverse("portal:course-evaluation", args=[world.course_a.code]) in page  # course_a, not yet


def test_a_staff_login_without_member_record_gets_a_helpful_page(world, client_for):
    response = get(client_for(world.center_staff), "portal:course-list")

    page = response.content.decode()
    assert response.status_code == 200
    assert "chưa gắn với hồ sơ học viên" in page
    assert reverse("admin:index") in page


def test_a_trainee_without_courses_is_told_so(world, client_for):
    user = factories.UserFactory(username="hocvien.moi")
    factories.MemberFactory(user=user, organization=world.cell_a)

    page = get(client_for(user), "portal:course-list").content.decode()

    assert "chưa được cử tham gia lớp bồi dưỡng nào" in page


def test_course_detail_shows_schedule_attendance_score_and_reasons(world, client_for):
    factories.SessionFactory(course=world.root_course, date=datetime.date(2021, 3, 2), period=1)
    world.enrollment_x.final_score = Decimal("4.5")
    world.enrollment_x.save()

    page = get(client_for(world.trainee_x), "portal:course-detail", world.root_course.code).content.decode()

    assert "01/03/2021 · Sáng" in page
    assert "Có mặt" in page
    assert "Chưa điểm danh" in page
    assert "Nghiệp vụ công tác đảng ở chi bộ" in page
    assert "PGS.TS. Đỗ Xuân Ánh" in page
    assert "4,5" in page
    assert "vắng 1/2 buổi" in page
    assert "điểm bài thu hoạch 4,5 dưới điểm đạt 5,0" in page


def test_course_detail_embeds_the_evaluation_form_while_it_is_open(world, client_for):
    page = get(client_for(world.trainee_x), "portal:course-detail", world.course_a.code).content.decode()

    assert reverse("portal:course-evaluation", args=[world.course_a.code]) in page
    assert 'name="evaluation-organization_rating"' in page


@pytest.mark.parametrize("name", ["portal:course-detail", "portal:course-evaluation"])
def test_another_trainees_course_is_not_found(world, client_for, name):
    only_y = factories.CourseFactory(code="2021-Y-L1", program=world.program, organizer=world.root)
    factories.EnrollmentFactory(course=only_y, member=world.member_y)

    assert get(client_for(world.trainee_y), name, only_y.code).status_code == 200
    assert get(client_for(world.trainee_x), name, only_y.code).status_code == 404
    assert client_for(world.trainee_x).post(reverse(name, args=[only_y.code])).status_code in (404, 405)


@pytest.mark.parametrize("name", ["portal:course-list", "portal:course-detail", "portal:course-evaluation"])
def test_anonymous_visitors_are_sent_to_the_portal_login(world, client_for, name):
    url = reverse(name, args=[] if name == "portal:course-list" else [world.root_course.code])

    response = client_for().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def add_courses(world, count, sessions_each):
    """`count` more courses for trainee_x, each with sessions taught by different lecturers, all marked."""
    for number in range(count):
        course = factories.CourseFactory(
            program=world.program,
            organizer=world.root,
            start_date=datetime.date(2021, 5, 3),
            end_date=datetime.date(2021, 5, 3) + datetime.timedelta(days=sessions_each),
        )
        enrollment = factories.EnrollmentFactory(course=course, member=world.member_x)
        if number % 2:
            factories.EvaluationFactory(enrollment=enrollment)
        for day in range(sessions_each):
            session = factories.SessionFactory(
                course=course, date=course.start_date + datetime.timedelta(days=day), period=1
            )
            factories.AttendanceFactory(enrollment=enrollment, session=session, status=Attendance.Status.LATE)
    return course


# Session and user, the member id, then enrollments with their courses, and their sessions,
# attendance and certificates.
PAGE_QUERIES = 7


@pytest.mark.parametrize(("courses", "sessions_each"), [(1, 1), (8, 6)])
def test_my_courses_costs_a_fixed_number_of_queries(
    world, client_for, courses, sessions_each, django_assert_max_num_queries
):
    add_courses(world, courses, sessions_each)
    client = client_for(world.trainee_x)

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = get(client, "portal:course-list")

    assert response.content.decode().count('class="card mb-3') == courses + 2


@pytest.mark.parametrize("sessions_each", [1, 12])
@pytest.mark.parametrize("name", ["portal:course-detail", "portal:course-evaluation"])
def test_course_pages_cost_a_fixed_number_of_queries(
    world, client_for, name, sessions_each, django_assert_max_num_queries
):
    course = add_courses(world, 1, sessions_each)
    course.end_date = timezone.localdate() - datetime.timedelta(days=1)
    course.save()
    client = client_for(world.trainee_x)

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = get(client, name, course.code)

    assert response.status_code == 200
