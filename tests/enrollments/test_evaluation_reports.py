"""Evaluation averages per course and per lecturer: the numbers, the anonymity of comments, who sees what."""

import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollments.evaluation_reports import course_evaluation_summary, lecturer_evaluation_summary
from enrollments.models import Evaluation
from tests import factories


def course_url(course):
    return reverse("admin:courses_course_evaluations", args=[course.pk])


def lecturer_url(lecturer):
    return reverse("admin:courses_lecturer_evaluations", args=[lecturer.pk])


def evaluate(course, organization, ratings=(), *, member_name=None, overall=(4, 4, 4), comments=""):
    """One trainee of `organization` enrolled in `course` sends an evaluation with these lecturer ratings
    ((lecturer, topic, rating) triples)."""
    member = factories.MemberFactory(organization=organization, **({"full_name": member_name} if member_name else {}))
    enrollment = factories.EnrollmentFactory(course=course, member=member)
    evaluation = factories.EvaluationFactory(
        enrollment=enrollment,
        organization_rating=overall[0],
        content_rating=overall[1],
        materials_rating=overall[2],
        comments=comments,
    )
    for lecturer, topic, rating in ratings:
        factories.LecturerRatingFactory(evaluation=evaluation, lecturer=lecturer, topic=topic, rating=rating)
    return evaluation


@pytest.fixture
def rated(world):
    """A center's class with two topics taught by two lecturers and three evaluations, and another class
    where the first lecturer is rated too."""
    ns = world
    ns.topic_2 = factories.TopicFactory(program=world.program, order=2, title="Công tác kiểm tra, giám sát")
    ns.lecturer_2 = factories.LecturerFactory(name="Bùi Thị Lan", academic_title="ThS.")
    dates = {"start_date": datetime.date(2022, 3, 1), "end_date": datetime.date(2022, 3, 5)}
    ns.course = factories.CourseFactory(program=world.program, organizer=world.root, year=2022, **dates)
    ns.other_course = factories.CourseFactory(program=world.program, organizer=world.root, year=2022, **dates)
    first, second = (world.lecturer, world.topic), (ns.lecturer_2, ns.topic_2)
    evaluate(
        ns.course,
        world.cell_a,
        [(*first, 5), (*second, 4)],
        member_name="Nguyễn Văn Khải",
        overall=(5, 4, 3),
        comments="Rất bổ ích cho công tác chi bộ.",
    )
    evaluate(ns.course, world.cell_b, [(*first, 4), (*second, 2)], member_name="Trần Thị Loan", overall=(4, 4, 4))
    evaluate(
        ns.course,
        world.cell_a,
        [(*first, 3)],
        member_name="Lê Văn Mạnh",
        overall=(3, 5, 5),
        comments="Cần thêm tình huống thực tế.",
    )
    evaluate(ns.other_course, world.cell_a, [(*first, 2)], member_name="Phạm Thị Nga")
    return ns


def test_course_averages(rated):
    summary = course_evaluation_summary(Evaluation.objects.filter(enrollment__course=rated.course))
    assert summary.count == 3
    assert (summary.organization, summary.content, summary.materials) == pytest.approx((4.0, 13 / 3, 4.0))
    assert [(row.topic, row.lecturer, row.average, row.count) for row in summary.lecturers] == [
        ("Nghiệp vụ công tác đảng ở chi bộ", "PGS.TS. Đỗ Xuân Ánh", pytest.approx(4.0), 3),
        ("Công tác kiểm tra, giám sát", "ThS. Bùi Thị Lan", None, 2),  # two forms: too few to show
    ]
    assert summary.comments == ["Rất bổ ích cho công tác chi bộ.", "Cần thêm tình huống thực tế."]


def test_course_page_shows_averages_and_comments_without_any_name(rated, client_for):
    response = client_for(rated.center_staff).get(course_url(rated.course))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ["4,33", "4,00", "ThS. Bùi Thị Lan", "Rất bổ ích cho công tác chi bộ.", "Cần thêm tình huống"]:
        assert text in content
    for name in ["Nguyễn Văn Khải", "Trần Thị Loan", "Lê Văn Mạnh", "Phạm Thị Nga", "Khải", "Mạnh"]:
        assert name not in content


def test_a_course_without_evaluations_says_so(world, client_for):
    content = client_for(world.center_staff).get(course_url(world.course_a)).content.decode()
    assert "0 phiếu đánh giá đã gửi" in content
    assert "chỉ hiện khi lớp có từ 3 phiếu trở lên" in content


def test_lecturer_averages_across_courses(rated):
    summary = lecturer_evaluation_summary(rated.lecturer, Evaluation.objects.all())
    assert (summary.average, summary.count) == (pytest.approx(3.5), 4)
    assert sorted((row.course_code, row.average, row.count) for row in summary.courses) == sorted(
        [(rated.course.code, pytest.approx(4.0), 3), (rated.other_course.code, None, 1)]
    )


def test_lecturer_page_shows_the_average_and_links_each_course(rated, client_for):
    response = client_for(rated.center_staff).get(lecturer_url(rated.lecturer))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Điểm trung bình 3,50 trên thang 1–5, từ 4 lượt đánh giá." in content
    assert f'href="{course_url(rated.course)}"' in content
    assert f'href="{course_url(rated.other_course)}"' in content
    assert "Phạm Thị Nga" not in content


def test_pages_are_linked_from_the_course_and_lecturer_pages(world, client_for):
    client = client_for(world.center_staff)
    lecturer_page = client.get(reverse("admin:courses_lecturer_change", args=[world.lecturer.pk])).content.decode()
    assert f'href="{lecturer_url(world.lecturer)}"' in lecturer_page
    course_page = client.get(reverse("admin:courses_course_change", args=[world.course_a.pk])).content.decode()
    assert f'href="{course_url(world.course_a)}"' in course_page


def test_officers_without_the_permission_are_refused(world, client_for):
    client = client_for(world.officer_a)
    assert client.get(course_url(world.root_course)).status_code == 403
    assert client.get(lecturer_url(world.lecturer)).status_code == 403
    lecturer_page = client.get(reverse("admin:courses_lecturer_change", args=[world.lecturer.pk])).content.decode()
    assert lecturer_url(world.lecturer) not in lecturer_page


def test_an_officer_reads_only_the_courses_and_trainees_it_can_see(world, client_for):
    """With the permission, officer A reads its own class and its trainees in the center's class; the
    sibling committee's class is a 404 and is left out of the lecturer's averages."""
    rating = (world.lecturer, world.topic)
    evaluate(world.course_a, world.cell_a, [(*rating, 5)])
    evaluate(world.course_a, world.cell_a, [(*rating, 3)])
    evaluate(world.root_course, world.cell_a, [(*rating, 4)])
    evaluate(world.root_course, world.cell_b, [(*rating, 1)])
    # A member of A's sub-tree sent to B's own class: still B's class, which A cannot see.
    evaluate(world.course_b, world.cell_a, [(*rating, 1)])
    world.officer_a.user_permissions.add(
        Permission.objects.get(content_type__app_label="enrollments", codename="view_evaluation")
    )
    client = client_for(User.objects.get(pk=world.officer_a.pk))

    assert client.get(course_url(world.course_b)).status_code == 404
    # The center's class: trainee X's evaluation and the new one from A's cell, not those from B's cell.
    assert client_for(world.center_staff).get(course_url(world.root_course)).context["summary"].count == 4
    assert client.get(course_url(world.root_course)).context["summary"].count == 2
    summary = client.get(lecturer_url(world.lecturer)).context["summary"]
    assert (summary.average, summary.count) == (pytest.approx(4.0), 3)
    assert sorted(row.course_code for row in summary.courses) == sorted([world.course_a.code, world.root_course.code])


def test_pages_cost_the_same_queries_for_10_and_100_evaluations(world, client_for):
    client = client_for(world.center_staff)

    def measure(size):
        course = factories.CourseFactory(program=world.program, organizer=world.root)
        for index in range(size):
            evaluate(course, world.cell_a, [(world.lecturer, world.topic, index % 5 + 1)], comments=f"Ý kiến {index}")
        with CaptureQueriesContext(connection) as course_queries:
            assert client.get(course_url(course)).context["summary"].count == size
        with CaptureQueriesContext(connection) as lecturer_queries:
            assert client.get(lecturer_url(world.lecturer)).status_code == 200
        return len(course_queries), len(lecturer_queries)

    client.get(course_url(world.course_a))  # warm the per-process caches (content types)
    assert measure(10) == measure(100)
