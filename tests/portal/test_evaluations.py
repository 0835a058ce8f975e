"""The course evaluation: sent once by the trainee after the course, with ratings kept anonymous to staff."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from enrollments.evaluations import evaluation_closed_reason, submit_evaluation
from enrollments.models import Enrollment, Evaluation, LecturerRating
from tests import factories


@pytest.fixture
def finished(world):
    """trainee_x's enrollment in course_a, which ended in 2021, with a second lecturer and topic."""
    topic = factories.TopicFactory(program=world.program, order=2, title="Công tác kiểm tra, giám sát của chi bộ")
    lecturer = factories.LecturerFactory(name="Lương Thị Ngọc Diệp", academic_title="TS.")
    factories.SessionFactory(
        course=world.course_a, date=datetime.date(2021, 3, 2), period=2, topic=topic, lecturer=lecturer
    )
    factories.SessionFactory(
        course=world.course_a, date=datetime.date(2021, 3, 3), period=1, topic=topic, lecturer=lecturer
    )
    factories.SessionFactory(course=world.course_a, date=datetime.date(2021, 3, 3), period=2, topic=None, lecturer=None)
    world.second_lecturer, world.second_topic = lecturer, topic
    return world.enrollment_x_in_a


def answers(world, **overrides):
    """What submit_evaluation() takes for `finished`; without its second lecturer, only the course."""
    lecturer_ratings = {(world.lecturer.pk, world.topic.pk): 5}
    if hasattr(world, "second_lecturer"):
        lecturer_ratings[(world.second_lecturer.pk, world.second_topic.pk)] = 4
    return {
        "organization_rating": 5,
        "content_rating": 4,
        "materials_rating": 3,
        "comments": "  Nên phát tài liệu sớm hơn.  ",
        "lecturer_ratings": lecturer_ratings,
        **overrides,
    }


def form_data(world, **overrides):
    data = {
        "evaluation-organization_rating": "5",
        "evaluation-content_rating": "4",
        "evaluation-materials_rating": "3",
        "evaluation-comments": "Nên phát tài liệu sớm hơn.",
        f"evaluation-lecturer_{world.lecturer.pk}_{world.topic.pk}": "5",
        f"evaluation-lecturer_{world.second_lecturer.pk}_{world.second_topic.pk}": "4",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def evaluation_url(course):
    return reverse("portal:course-evaluation", args=[course.code])


# -- The service -----------------------------------------------------------------------------------


def test_submitting_records_the_ratings_and_one_per_lecturer_and_topic(world, finished):
    evaluation = submit_evaluation(finished, **answers(world), by=world.trainee_x)

    evaluation.refresh_from_db()
    assert (evaluation.organization_rating, evaluation.content_rating, evaluation.materials_rating) == (5, 4, 3)
    assert evaluation.comments == "Nên phát tài liệu sớm hơn."
    ratings = {(r.lecturer_id, r.topic_id): r.rating for r in LecturerRating.objects.filter(evaluation=evaluation)}
    assert ratings == answers(world)["lecturer_ratings"]


def test_a_second_submission_is_refused(world, finished):
    submit_evaluation(finished, **answers(world), by=world.trainee_x)

    with pytest.raises(ValidationError, match="chỉ gửi một lần"):
        submit_evaluation(finished, **answers(world, organization_rating=1), by=world.trainee_x)
    assert Evaluation.objects.get(enrollment=finished).organization_rating == 5


def test_only_the_trainee_may_submit(world, finished):
    for someone_else in [world.trainee_y, world.center_staff]:
        with pytest.raises(PermissionDenied):
            submit_evaluation(finished, **answers(world), by=someone_else)
    assert not Evaluation.objects.filter(enrollment=finished).exists()


def test_it_opens_only_after_the_end_date_or_when_the_course_is_closed(world):
    today = timezone.localdate()
    course = factories.CourseFactory(program=world.program, organizer=world.root, start_date=today, end_date=today)
    enrollment = factories.EnrollmentFactory(course=course, member=world.member_x)

    with pytest.raises(ValidationError, match=f"mở sau ngày bế giảng {today:%d/%m/%Y}"):
        submit_evaluation(enrollment, **answers(world, lecturer_ratings={}), by=world.trainee_x)
    assert evaluation_closed_reason(enrollment, today + datetime.timedelta(days=1)) is None

    course.status = Course.Status.CLOSED
    course.save()
    assert submit_evaluation(enrollment, **answers(world, lecturer_ratings={}), by=world.trainee_x).pk


def test_a_withdrawn_trainee_cannot_submit(world, finished):
    finished.status = Enrollment.Status.WITHDRAWN
    finished.save()

    with pytest.raises(ValidationError, match="rút khỏi lớp"):
        submit_evaluation(finished, **answers(world), by=world.trainee_x)


@pytest.mark.parametrize("missing", ["lecturer", "extra"])
def test_the_lecturer_ratings_must_match_who_taught(world, finished, missing):
    ratings = dict(answers(world)["lecturer_ratings"])
    if missing == "lecturer":
        ratings.pop((world.lecturer.pk, world.topic.pk))
    else:
        ratings[(factories.LecturerFactory().pk, world.topic.pk)] = 3

    with pytest.raises(ValidationError, match="đúng các giảng viên"):
        submit_evaluation(finished, **answers(world, lecturer_ratings=ratings), by=world.trainee_x)
    assert not Evaluation.objects.filter(enrollment=finished).exists()


def test_an_out_of_range_rating_is_refused_and_nothing_is_saved(world, finished):
    with pytest.raises(ValidationError) as refused:
        submit_evaluation(finished, **answers(world, content_rating=6), by=world.trainee_x)

    assert "content_rating" in refused.value.message_dict
    assert not Evaluation.objects.filter(enrollment=finished).exists()


# -- The page ---------------------------------------------------------------------------------------


def test_the_form_asks_one_rating_per_lecturer_and_topic(world, client_for, finished):
    page = client_for(world.trainee_x).get(evaluation_url(world.course_a)).content.decode()

    assert "PGS.TS. Đỗ Xuân Ánh — Nghiệp vụ công tác đảng ở chi bộ" in page
    assert "TS. Lương Thị Ngọc Diệp — Công tác kiểm tra, giám sát của chi bộ" in page
    assert page.count('type="radio"') == 5 * 5


def test_submitting_the_form_saves_and_thanks(world, client_for, finished):
    response = client_for(world.trainee_x).post(evaluation_url(world.course_a), form_data(world), follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:course-detail", args=[world.course_a.code])
    assert "Cảm ơn đồng chí" in response.content.decode()
    evaluation = Evaluation.objects.get(enrollment=finished)
    assert evaluation.lecturer_ratings.count() == 2


def test_a_second_submission_from_the_page_is_refused_with_a_message(world, client_for, finished):
    client = client_for(world.trainee_x)
    client.post(evaluation_url(world.course_a), form_data(world))

    response = client.post(evaluation_url(world.course_a), form_data(world, **{"evaluation-content_rating": "1"}))

    assert response.status_code == 200
    assert "mỗi học viên chỉ gửi một lần" in response.content.decode()
    assert Evaluation.objects.get(enrollment=finished).content_rating == 4


def test_bad_input_shows_messages_by_the_field_and_keeps_what_was_typed(world, client_for, finished):
    data = form_data(
        world,
        **{
            "evaluation-organization_rating": None,
            "evaluation-materials_rating": "7",
            "evaluation-comments": "Phòng học hơi nóng vào buổi chiều.",
        },
    )

    response = client_for(world.trainee_x).post(evaluation_url(world.course_a), data)

    page = response.content.decode()
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["organization_rating"] == ["Hãy chọn một mức từ 1 đến 5."]
    assert form.errors["materials_rating"] == ["Mức đánh giá phải từ 1 đến 5."]
    assert "Hãy chọn một mức từ 1 đến 5." in page and "Mức đánh giá phải từ 1 đến 5." in page
    assert "Phòng học hơi nóng vào buổi chiều.</textarea>" in page
    assert re.search(r'<input[^>]*name="evaluation-content_rating" value="4"[^>]*checked', page)
    assert not Evaluation.objects.filter(enrollment=finished).exists()


def test_before_the_end_date_the_page_says_when_it_opens(world, client_for):
    today = timezone.localdate()
    course = factories.CourseFactory(
        program=world.program, organizer=world.root, start_date=today, end_date=today + datetime.timedelta(days=4)
    )
    factories.EnrollmentFactory(course=course, member=world.member_x)
    client = client_for(world.trainee_x)

    page = client.get(evaluation_url(course)).content.decode()
    posted = client.post(evaluation_url(course), {"evaluation-organization_rating": "5"})

    opens = f"Phiếu đánh giá mở sau ngày bế giảng {course.end_date:%d/%m/%Y}."
    assert opens in page and 'type="radio"' not in page
    assert opens in posted.content.decode()
    assert not Evaluation.objects.filter(enrollment__course=course).exists()


def test_a_sent_evaluation_shows_as_sent(world, client_for):
    page = client_for(world.trainee_x).get(evaluation_url(world.root_course)).content.decode()

    assert "Đồng chí đã gửi phiếu đánh giá lúc" in page
    assert 'type="radio"' not in page


# -- The admin ------------------------------------------------------------------------------------


def test_staff_read_evaluations_without_who_sent_them(world, client_for, settings):
    settings.EVALUATION_MIN_FORMS = 2  # the world's class has two forms
    factories.LecturerRatingFactory(evaluation=world.evaluation_x, lecturer=world.lecturer, topic=world.topic, rating=4)
    client = client_for(world.center_staff)

    pages = [
        client.get(reverse("admin:enrollments_evaluation_changelist")),
        client.get(reverse("admin:enrollments_evaluation_change", args=[world.evaluation_x.pk])),
    ]

    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert world.root_course.code in page
        for name in ["Nguyễn Thị Hà", "Trần Văn Đức", "hocvien.x", "hocvien.y"]:
            assert name not in page
    assert world.evaluation_x.comments in pages[1].content.decode()
    assert "Đỗ Xuân Ánh" in pages[1].content.decode()


def test_nobody_adds_changes_or_deletes_an_evaluation_in_the_admin(world, client_for, settings):
    settings.EVALUATION_MIN_FORMS = 2  # the world's class has two forms
    client = client_for(world.center_staff)
    change = reverse("admin:enrollments_evaluation_change", args=[world.evaluation_x.pk])

    assert client.get(reverse("admin:enrollments_evaluation_add")).status_code == 403
    assert client.get(reverse("admin:enrollments_evaluation_delete", args=[world.evaluation_x.pk])).status_code == 403
    client.post(change, {"organization_rating": "1"})
    assert (
        Evaluation.objects.get(pk=world.evaluation_x.pk).organization_rating == world.evaluation_x.organization_rating
    )
    assert 'name="organization_rating"' not in client.get(change).content.decode()
