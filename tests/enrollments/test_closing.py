"""Closing a course: results evaluated and stored with their reasons, overrides kept, a second close
changing nothing, a fixed number of queries; staff overrides with a reason; the admin pages and the
close_course command."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from courses.models import Course
from enrollments.closing import close_course, evaluate_course, evaluate_enrollment, override_result
from enrollments.models import Attendance, Enrollment
from enrollments.rules import Grade
from tests import factories

START = datetime.date(2024, 5, 6)


def make_course(world, sessions=4, code=None):
    """A running course of the center with `sessions` half-day sessions."""
    course = factories.CourseFactory(
        program=world.program,
        organizer=world.root,
        year=2024,
        start_date=START,
        end_date=START + datetime.timedelta(days=4),
        status=Course.Status.OPEN,
        **({"code": code} if code else {}),
    )
    for index in range(sessions):
        factories.SessionFactory(
            course=course, date=START + datetime.timedelta(days=index // 2), period=index % 2 + 1, topic=world.topic
        )
    return course


def enroll(world, course, name, statuses, score, **fields):
    """A trainee of A's cell with one attendance status per session (in order; the sessions left are marked
    absent, so that every held session is recorded and the course may be closed) and a score."""
    member = factories.MemberFactory(full_name=name, organization=world.cell_a)
    enrollment = factories.EnrollmentFactory(course=course, member=member, final_score=score, **fields)
    sessions = list(course.sessions.order_by("date", "period"))
    statuses = [*statuses, *[Attendance.Status.ABSENT] * (len(sessions) - len(statuses))]
    Attendance.objects.bulk_create(
        Attendance(enrollment=enrollment, session=session, status=status)
        for session, status in zip(sessions, statuses, strict=False)
    )
    return enrollment


@pytest.fixture
def course(world):
    return make_course(world, code="2024-K1-L3")


@pytest.fixture
def trainees(world, course):
    present = ["present"] * 4
    return {
        "excellent": enroll(world, course, "Nguyễn Văn An", present, Decimal("8.5")),
        "late_but_good": enroll(world, course, "Trần Thị Bình", ["present", "late", "late", "present"], Decimal("6.5")),
        "absent": enroll(world, course, "Lê Văn Cường", ["present", "present", "absent", "excused"], Decimal("7.0")),
        "two_reasons": enroll(world, course, "Phạm Anh Thiện", ["present"], None),
        "overridden": enroll(
            world,
            course,
            "Hoàng Thị Dung",
            ["absent"] * 4,
            Decimal("9.0"),
            status=Enrollment.Status.COMPLETED,
            grade=Grade.EXCELLENT,
            result_overridden=True,
            override_reason="Đi công tác nước ngoài theo quyết định của Ban Thường vụ",
        ),
        "withdrawn": enroll(world, course, "Vũ Minh Em", [], None, status=Enrollment.Status.WITHDRAWN),
    }


def fresh(enrollment):
    return Enrollment.objects.get(pk=enrollment.pk)


# -- Evaluating ---------------------------------------------------------------------------------


def test_evaluating_one_enrollment_matches_evaluating_the_whole_course(world, course, trainees):
    by_course = dict(evaluate_course(course))

    for enrollment in by_course:
        assert evaluate_enrollment(fresh(enrollment)) == by_course[enrollment]
    assert trainees["withdrawn"] not in by_course


def test_evaluating_a_course_takes_the_same_queries_whatever_its_size(world, django_assert_num_queries):
    small, large = make_course(world), make_course(world)
    for n in range(3):
        enroll(world, small, f"Nguyễn Văn {n}", ["present"] * 4, Decimal("7"))
    for n in range(30):
        enroll(world, large, f"Trần Thị {n}", ["present"] * 4, Decimal("7"))

    for course in (small, large):
        course = Course.objects.select_related("program").get(pk=course.pk)
        with django_assert_num_queries(3):
            evaluate_course(course)


# -- Closing ------------------------------------------------------------------------------------


def test_closing_stores_each_result_with_its_reasons(world, course, trainees):
    summary = close_course(course, by=world.center_staff)

    excellent = fresh(trainees["excellent"])
    assert (excellent.status, excellent.grade, excellent.attended_percent, excellent.result_reasons) == (
        Enrollment.Status.COMPLETED,
        Grade.EXCELLENT,
        Decimal("100.0"),
        "",
    )
    late = fresh(trainees["late_but_good"])
    assert (late.status, late.grade) == (Enrollment.Status.COMPLETED, Grade.GOOD)
    absent = fresh(trainees["absent"])
    assert (absent.status, absent.grade, absent.attended_percent) == (
        Enrollment.Status.NOT_COMPLETED,
        "",
        Decimal("50.0"),
    )
    assert absent.result_reasons == "vắng 2/4 buổi (cần dự ít nhất 80%)"
    assert fresh(trainees["two_reasons"]).result_reasons.splitlines() == [
        "vắng 3/4 buổi (cần dự ít nhất 80%)",
        "chưa có điểm bài thu hoạch",
    ]
    course.refresh_from_db()
    assert course.status == Course.Status.CLOSED

    assert summary.already_closed is False
    assert summary.completed == 3  # the two who passed and the overridden one
    assert [(enrollment.member.full_name, reasons) for enrollment, reasons in summary.not_completed] == [
        ("Lê Văn Cường", ["vắng 2/4 buổi (cần dự ít nhất 80%)"]),
        ("Phạm Anh Thiện", ["vắng 3/4 buổi (cần dự ít nhất 80%)", "chưa có điểm bài thu hoạch"]),
    ]
    assert summary.overridden == 1


def test_a_closer_who_chose_english_stores_the_reasons_in_vietnamese(world, course, trainees):
    with translation.override("en"):
        close_course(course, by=world.center_staff)

    assert fresh(trainees["two_reasons"]).result_reasons.splitlines() == [
        "vắng 3/4 buổi (cần dự ít nhất 80%)",
        "chưa có điểm bài thu hoạch",
    ]


def test_closing_writes_history_with_who_and_why(world, course, trainees):
    close_course(course, by=world.center_staff)

    record = fresh(trainees["absent"]).history.latest("history_date")
    assert record.status == Enrollment.Status.NOT_COMPLETED
    assert record.history_user == world.center_staff
    assert record.history_change_reason == "Kết thúc lớp"


def test_closing_leaves_overridden_and_withdrawn_rows_untouched(world, course, trainees):
    before = {key: trainees[key].history.count() for key in ("overridden", "withdrawn")}

    close_course(course, by=world.center_staff)

    overridden = fresh(trainees["overridden"])
    assert (overridden.status, overridden.grade, overridden.result_reasons) == (
        Enrollment.Status.COMPLETED,
        Grade.EXCELLENT,
        "",
    )
    assert fresh(trainees["withdrawn"]).status == Enrollment.Status.WITHDRAWN
    assert {key: trainees[key].history.count() for key in before} == before


def test_closing_a_closed_course_again_changes_nothing_and_says_so(world, course, trainees):
    close_course(course, by=world.center_staff)
    history = Enrollment.history.count()
    Attendance.objects.filter(enrollment=trainees["absent"]).update(status="present")

    summary = close_course(course, by=world.center_staff)

    assert summary.already_closed is True
    assert Enrollment.history.count() == history
    assert fresh(trainees["absent"]).status == Enrollment.Status.NOT_COMPLETED
    assert summary.completed == 3
    assert summary.not_completed_count == 2


def test_closing_an_empty_course_closes_it(world):
    course = make_course(world)

    summary = close_course(course, by=world.center_staff)

    assert (summary.completed, summary.not_completed) == (0, [])
    course.refresh_from_db()
    assert course.status == Course.Status.CLOSED


def test_only_the_center_closes_a_course(world, course):
    with pytest.raises(PermissionDenied):
        close_course(course, by=world.officer_a)

    course.refresh_from_db()
    assert course.status == Course.Status.OPEN


def history_inserts(queries):
    return sum('INSERT INTO "enrollments_historicalenrollment"' in query["sql"] for query in queries)


def test_closing_takes_the_same_queries_for_10_and_100_trainees(world):
    captured = []
    for size in (10, 100):
        course = make_course(world)
        for n in range(size):
            statuses = ["present", "present", "present", "absent" if n % 3 else "late"]
            enroll(world, course, f"Đặng Văn {n}", statuses, Decimal(n % 10))
        # A user as a request brings it, its access scope not looked up yet.
        by = User.objects.get(pk=world.center_staff.pk)
        with CaptureQueriesContext(connection) as queries:
            close_course(course, by=by)
        assert Enrollment.objects.filter(course=course, status=Enrollment.Status.WITHDRAWN).count() == 0
        assert Enrollment.history.filter(course_id=course.pk, history_change_reason="Kết thúc lớp").count() == size
        captured.append(queries.captured_queries)

    small, large = captured
    # SQLite caps a statement at 999 parameters, so there the history rows of 100 trainees take a
    # second INSERT; every other statement is the same at both sizes (a query per row would add 90).
    assert len(large) - history_inserts(large) == len(small) - history_inserts(small)
    assert history_inserts(small) == 1
    assert history_inserts(large) <= 2


# -- Overriding ---------------------------------------------------------------------------------


def test_an_override_needs_a_written_reason(world, course, trainees):
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as raised:
            override_result(trainees["absent"], completed=True, by=world.center_staff, reason=reason)
        assert raised.value.message_dict == {"reason": ["Hãy ghi lý do điều chỉnh kết quả."]}

    assert fresh(trainees["absent"]).result_overridden is False


def test_only_the_center_overrides(world, course, trainees):
    with pytest.raises(PermissionDenied):
        override_result(trainees["absent"], completed=True, by=world.officer_a, reason="Đã học bù")


def test_an_override_is_stored_and_kept_in_the_history(world, course, trainees):
    close_course(course, by=world.center_staff)
    reason = "Vắng do đi công tác theo quyết định; đã học bù đủ các chuyên đề"

    enrollment = override_result(trainees["absent"], completed=True, by=world.center_staff, reason=reason)

    enrollment = fresh(enrollment)
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert enrollment.grade == Grade.GOOD  # from the score 7.0
    assert enrollment.result_overridden is True
    assert enrollment.override_reason == reason
    assert enrollment.result_reasons == ""
    record = enrollment.history.latest("history_date")
    assert record.history_change_reason == reason
    assert record.history_user == world.center_staff
    assert record.override_reason == reason


def test_a_long_override_reason_is_kept_whole_in_the_record(world, course, trainees):
    reason = "Học viên vắng vì lý do chính đáng, có xác nhận của cấp ủy. " * 4

    override_result(trainees["absent"], completed=False, by=world.center_staff, reason=reason)

    record = trainees["absent"].history.latest("history_date")
    assert record.override_reason == reason.strip()
    assert len(record.history_change_reason) <= 100
    assert fresh(trainees["absent"]).result_reasons == reason.strip()


def test_a_grade_without_completion_is_refused(world, course, trainees):
    with pytest.raises(ValidationError) as raised:
        override_result(
            trainees["excellent"], completed=False, by=world.center_staff, reason="Gian lận", grade=Grade.GOOD
        )

    assert list(raised.value.message_dict) == ["grade"]


def test_closing_after_an_override_keeps_it(world, course, trainees):
    override_result(trainees["absent"], completed=True, by=world.center_staff, reason="Đã học bù", grade=Grade.AVERAGE)

    close_course(course, by=world.center_staff)

    absent = fresh(trainees["absent"])
    assert (absent.status, absent.grade) == (Enrollment.Status.COMPLETED, Grade.AVERAGE)


def test_a_withdrawn_trainees_result_cannot_be_overridden(world, course, trainees):
    with pytest.raises(ValidationError):
        override_result(trainees["withdrawn"], completed=True, by=world.center_staff, reason="Nhầm")


# -- The admin ----------------------------------------------------------------------------------


def test_the_close_page_lists_who_will_not_complete_and_why(world, course, trainees, client_for):
    response = client_for(world.center_staff).get(reverse("admin:courses_course_close", args=[course.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Lê Văn Cường" in content
    assert "vắng 2/4 buổi (cần dự ít nhất 80%)" in content
    assert "Nguyễn Văn An" not in content
    assert "Hoàng Thị Dung" in content  # kept as overridden
    course.refresh_from_db()
    assert course.status == Course.Status.OPEN


def test_confirming_closes_and_a_second_click_changes_nothing(world, course, trainees, client_for):
    client = client_for(world.center_staff)
    url = reverse("admin:courses_course_close", args=[course.pk])

    first = client.post(url, follow=True)
    history = Enrollment.history.count()
    second = client.post(url, follow=True)

    course.refresh_from_db()
    assert course.status == Course.Status.CLOSED
    assert "Đã kết thúc lớp 2024-K1-L3. Hoàn thành: 3; không hoàn thành: 2." in first.content.decode()
    assert "Lớp 2024-K1-L3 đã kết thúc từ trước; không có gì thay đổi." in second.content.decode()
    assert Enrollment.history.count() == history


def test_an_officer_cannot_close_a_course(world, course, client_for):
    response = client_for(world.officer_a).post(reverse("admin:courses_course_close", args=[course.pk]))

    assert response.status_code == 403
    course.refresh_from_db()
    assert course.status == Course.Status.OPEN


def test_the_changelist_action_confirms_then_closes(world, course, trainees, client_for):
    client = client_for(world.center_staff)
    url = reverse("admin:courses_course_changelist")
    chosen = {"action": "close_courses", "_selected_action": [course.pk]}

    confirmation = client.post(url, {**chosen, "index": 0})
    course.refresh_from_db()
    assert course.status == Course.Status.OPEN
    assert "vắng 2/4 buổi (cần dự ít nhất 80%)" in confirmation.content.decode()

    client.post(url, {**chosen, "post": "yes"})
    course.refresh_from_db()
    assert course.status == Course.Status.CLOSED


def test_only_the_center_is_offered_the_close_action(world, client_for):
    url = reverse("admin:courses_course_changelist")

    assert 'value="close_courses"' in client_for(world.center_staff).get(url).content.decode()
    assert 'value="close_courses"' not in client_for(world.officer_a).get(url).content.decode()


def test_the_override_form_requires_a_reason_and_keeps_the_choice(world, course, trainees, client_for):
    client = client_for(world.center_staff)
    url = reverse("admin:enrollments_enrollment_override", args=[trainees["absent"].pk])

    refused = client.post(url, {"completed": "1", "grade": "", "reason": ""})
    assert refused.status_code == 200
    assert "Hãy ghi lý do điều chỉnh kết quả." in refused.content.decode()
    assert refused.context["form"]["completed"].value() == "1"
    assert fresh(trainees["absent"]).result_overridden is False

    accepted = client.post(url, {"completed": "1", "grade": "", "reason": "Đã học bù"})
    assert accepted.status_code == 302
    enrollment = fresh(trainees["absent"])
    assert (enrollment.status, enrollment.override_reason) == (Enrollment.Status.COMPLETED, "Đã học bù")


def test_the_enrollment_page_offers_the_override_to_the_center_only(world, client_for):
    url = reverse("admin:enrollments_enrollment_change", args=[world.enrollment_x.pk])
    override = reverse("admin:enrollments_enrollment_override", args=[world.enrollment_x.pk])

    assert override in client_for(world.center_staff).get(url).content.decode()
    assert override not in client_for(world.officer_a).get(url).content.decode()


# -- The command ----------------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("close_course", *args, stdout=out)
    return out.getvalue()


def test_the_command_closes_and_prints_a_vietnamese_summary(world, course, trainees):
    output = run("2024-K1-L3", "--by", "canbo.trungtam")

    assert output.splitlines() == [
        "Đã kết thúc lớp 2024-K1-L3.",
        "Hoàn thành: 3",
        "Không hoàn thành: 2",
        "  - Lê Văn Cường: vắng 2/4 buổi (cần dự ít nhất 80%)",
        "  - Phạm Anh Thiện: vắng 3/4 buổi (cần dự ít nhất 80%); chưa có điểm bài thu hoạch",
        "Giữ nguyên 1 kết quả do cán bộ điều chỉnh.",
    ]
    assert fresh(trainees["absent"]).history.latest("history_date").history_user == world.center_staff


def test_the_command_run_twice_says_the_course_was_already_closed(world, course, trainees):
    run("2024-K1-L3")

    assert run("2024-K1-L3").splitlines()[0] == "Lớp 2024-K1-L3 đã kết thúc từ trước; không có gì thay đổi."


def test_an_unknown_code_is_an_error_and_writes_nothing(world, course, trainees):
    history = Enrollment.history.count()

    with pytest.raises(CommandError, match="Không có lớp nào mã 2099-K9-L9."):
        run("2099-K9-L9")

    assert Enrollment.history.count() == history
    assert not Course.objects.filter(status=Course.Status.CLOSED).exists()


def test_an_unknown_or_unauthorized_user_is_an_error(world, course, trainees):
    with pytest.raises(CommandError, match="Không có tài khoản khong.co"):
        run("2024-K1-L3", "--by", "khong.co")
    with pytest.raises(CommandError, match="Chỉ cán bộ Trung tâm được kết thúc lớp."):
        run("2024-K1-L3", "--by", "canbo.a")

    course.refresh_from_db()
    assert course.status == Course.Status.OPEN
