"""A class's life as one set of states (courses/lifecycle.py): the phase its dates give, each transition with its
refusals and its record, and a closed or cancelled class read-only on every path (the class page's trainee table,
the enrollment and attendance admins, the sheets, nominations and their import)."""

import datetime
import importlib
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certificates.models import Certificate
from certificates.services import issue_certificates, revoke_certificate
from courses import lifecycle
from courses.lifecycle import Phase
from courses.models import Course
from enrollments.closing import close_course, override_result, reopen_course, unrecorded_sessions
from enrollments.models import Attendance, Enrollment
from enrollments.nomination_import import import_nominations
from enrollments.nominations import nominate
from enrollments.sheets import current_attendance_version, current_score_version, mark_attendance, record_scores
from tests import factories
from tests.imports.test_nomination_import import messages, nomination_list
from tests.test_access_matrix_post import FormParser

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def make_class(world, *, start, days, code="2026-K2-L1", marked=None, status=Course.Status.OPEN, deadline=None):
    """A center class with one morning session a day from `start`, trainees member_x and member_y (scores 8.0),
    and attendance recorded (present) for both on the sessions before `marked` (default: every session)."""
    course = factories.CourseFactory(
        code=code,
        program=world.program,
        organizer=world.root,
        year=start.year,
        start_date=start,
        end_date=start + (days - 1) * DAY,
        nomination_deadline=deadline,
        status=status,
    )
    sessions = [
        factories.SessionFactory(course=course, date=start + index * DAY, period=1, topic=world.topic)
        for index in range(days)
    ]
    enrollments = [
        factories.EnrollmentFactory(course=course, member=member, final_score=Decimal("8.0"))
        for member in (world.member_x, world.member_y)
    ]
    for session in sessions:
        if marked is None or session.date < marked:
            for enrollment in enrollments:
                Attendance.objects.create(enrollment=enrollment, session=session, status=Attendance.Status.PRESENT)
    return course


def ended_class(world, **kwargs):
    return make_class(world, start=datetime.date(2024, 5, 6), days=3, code="2024-K1-L9", **kwargs)


def latest(course):
    return course.history.order_by("-history_date", "-history_id").first()


# -- phase(): the dates give the time-driven phases -----------------------------------------------------------


@given(
    start=st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)),
    length=st.integers(0, 60),
    lead=st.one_of(st.none(), st.integers(0, 60)),
    offset=st.integers(-120, 120),
)
def test_an_open_class_is_open_locked_running_then_ended_as_its_dates_pass(start, length, lead, offset):
    last = start + length * DAY
    deadline = None if lead is None else start - lead * DAY
    course = Course(status=Course.Status.OPEN, start_date=start, end_date=last, nomination_deadline=deadline)
    day = start + offset * DAY

    phase = lifecycle.phase(course, day, last=last)

    if day > last:
        assert phase == Phase.ENDED
    elif day >= start:
        assert phase == Phase.RUNNING
    elif deadline is not None and day > deadline:
        assert phase == Phase.LOCKED
    else:
        assert phase == Phase.OPEN
    # Time only moves a class forward.
    order = [Phase.OPEN, Phase.LOCKED, Phase.RUNNING, Phase.ENDED]
    assert order.index(lifecycle.phase(course, day + DAY, last=last)) >= order.index(phase)


@given(
    status=st.sampled_from([s for s in Course.Status.values if s != Course.Status.OPEN]),
    day=st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)),
)
def test_what_people_decide_is_the_phase_whatever_the_date(status, day):
    course = Course(status=status, start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 1, 5))
    assert lifecycle.phase(course, day, last=course.end_date) == status


def test_the_last_session_not_the_end_date_ends_a_class(world):
    course = make_class(world, start=datetime.date(2026, 11, 30), days=5)
    course.end_date = datetime.date(2026, 12, 20)
    course.save()
    assert lifecycle.last_day(course) == datetime.date(2026, 12, 4)
    assert lifecycle.phase(course, datetime.date(2026, 12, 4)) == Phase.RUNNING
    assert lifecycle.phase(course, datetime.date(2026, 12, 5)) == Phase.ENDED


# -- Opening the list ------------------------------------------------------------------------------------------


def test_the_center_opens_a_planned_class_and_the_history_says_who(world):
    course = factories.CourseFactory(program=world.program, organizer=world.root, status=Course.Status.PLANNED)
    with pytest.raises(PermissionDenied):
        lifecycle.open_nominations(course, by=world.officer_a)

    lifecycle.open_nominations(course, by=world.center_staff)

    course.refresh_from_db()
    assert course.status == Course.Status.OPEN
    assert (latest(course).history_user, latest(course).history_change_reason) == (
        world.center_staff,
        "Mở nhận cử học viên",
    )
    with pytest.raises(ValidationError, match="chỉ mở nhận cử học viên cho lớp dự kiến"):
        lifecycle.open_nominations(course, by=world.center_staff)


# -- Closing ---------------------------------------------------------------------------------------------------


def test_closing_before_the_last_session_is_refused_the_issue_reproduction(world):
    """`close_course 2026-K2-L1` was accepted on 03/12/2026 for a class whose last session is 04/12."""
    course = make_class(world, start=datetime.date(2026, 11, 30), days=5, marked=datetime.date(2026, 12, 3))

    with pytest.raises(ValidationError) as refused:
        close_course(course, by=world.center_staff, today=datetime.date(2026, 12, 3))

    assert "buổi học cuối cùng là ngày 04/12/2026" in refused.value.messages[0]
    assert "Chưa điểm danh đủ học viên các buổi: 03/12/2026" in refused.value.messages[0]
    course.refresh_from_db()
    assert course.status == Course.Status.OPEN
    assert not Enrollment.objects.filter(course=course, status=Enrollment.Status.COMPLETED).exists()


def test_the_close_course_command_refuses_a_class_still_running(world):
    course = make_class(world, start=today() - 2 * DAY, days=4)

    with pytest.raises(CommandError, match="buổi học cuối cùng là ngày"):
        call_command("close_course", course.code, stdout=StringIO())

    course.refresh_from_db()
    assert course.status == Course.Status.OPEN


def test_closing_is_refused_while_held_sessions_lack_attendance_listed_by_date(world):
    course = ended_class(world, marked=datetime.date(2024, 5, 7))
    assert unrecorded_sessions(course) == [datetime.date(2024, 5, 7), datetime.date(2024, 5, 8)]

    with pytest.raises(ValidationError) as refused:
        close_course(course, by=world.center_staff)

    assert "Chưa điểm danh đủ học viên các buổi: 07/05/2024, 08/05/2024." in refused.value.messages[0]
    assert Course.objects.get(pk=course.pk).status == Course.Status.OPEN


def test_one_trainee_unmarked_is_enough_to_refuse(world):
    course = ended_class(world)
    Attendance.objects.filter(enrollment__member=world.member_y, session__date=datetime.date(2024, 5, 8)).delete()
    assert unrecorded_sessions(course) == [datetime.date(2024, 5, 8)]


def test_an_ended_class_fully_recorded_closes_and_the_history_says_who(world):
    course = ended_class(world)

    summary = close_course(course, by=world.center_staff)

    assert summary.completed == 2
    course.refresh_from_db()
    assert course.status == Course.Status.CLOSED
    assert (latest(course).history_user, latest(course).history_change_reason) == (world.center_staff, "Kết thúc lớp")


def test_the_center_closes_early_with_a_written_reason_kept_in_the_history(world):
    course = make_class(world, start=datetime.date(2026, 11, 30), days=5)

    close_course(course, by=world.center_staff, reason="Lớp học dồn theo chỉ đạo", today=datetime.date(2026, 12, 3))

    course.refresh_from_db()
    assert course.status == Course.Status.CLOSED
    assert latest(course).history_change_reason == "Kết thúc lớp sớm: Lớp học dồn theo chỉ đạo"
    enrollment = course.enrollments.first()
    assert enrollment.history.latest("history_date").history_change_reason.startswith("Kết thúc lớp sớm")


def test_the_command_closes_early_with_its_reason_option(world):
    course = make_class(world, start=today() - 2 * DAY, days=4)

    call_command("close_course", course.code, "--reason", "Học dồn", stdout=StringIO())

    course.refresh_from_db()
    assert course.status == Course.Status.CLOSED
    assert latest(course).history_change_reason == "Kết thúc lớp sớm: Học dồn"


def test_an_officer_cannot_close_even_with_a_reason(world):
    course = ended_class(world)
    with pytest.raises(PermissionDenied):
        close_course(course, by=world.officer_a, reason="Muốn kết thúc")
    assert Course.objects.get(pk=course.pk).status == Course.Status.OPEN


def test_the_closing_preview_warns_before_the_button_and_asks_for_a_reason(world, client_for):
    course = make_class(world, start=today() - 2 * DAY, days=4)
    client = client_for(world.center_staff)
    url = reverse("admin:courses_course_close", args=[course.pk])

    page = client.get(url).content.decode()
    assert page.index("Chưa nên kết thúc lớp") < page.index('value="Kết thúc lớp"')
    assert "buổi học cuối cùng là ngày" in page and 'name="reason"' in page

    refused = client.post(url).content.decode()
    assert "Muốn kết thúc sớm, hãy ghi lý do." in refused
    assert Course.objects.get(pk=course.pk).status == Course.Status.OPEN

    client.post(url, {"reason": "Học dồn theo chỉ đạo"})
    assert Course.objects.get(pk=course.pk).status == Course.Status.CLOSED


# -- A closed or cancelled class is read-only everywhere ----------------------------------------------------


def course_form_data(html):
    parser = FormParser()
    parser.feed(html)
    form = next(form for form in parser.forms if form["id"] == "course_form")
    data = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    return data


def test_the_class_pages_trainee_table_saves_no_score_on_a_closed_class_the_issue_reproduction(world, client_for):
    """On a closed class the trainee table of the class page saved a new score (7.0) while the stored result
    still said "chưa có điểm bài thu hoạch"."""
    course = ended_class(world)
    Enrollment.objects.filter(course=course).update(final_score=None)
    close_course(course, by=world.center_staff)
    enrollment = Enrollment.objects.filter(course=course).order_by("pk").first()
    client = client_for(world.center_staff)
    url = reverse("admin:courses_course_change", args=[course.pk])

    data = course_form_data(client.get(url).content.decode())
    index = next(
        (
            key.split("-")[1]
            for key, value in data.items()
            if key.startswith("enrollments-") and key.endswith("-id") and value == [str(enrollment.pk)]
        ),
        "0",
    )
    data[f"enrollments-{index}-id"] = [str(enrollment.pk)]
    data[f"enrollments-{index}-course"] = [str(course.pk)]
    data[f"enrollments-{index}-final_score"] = ["7.0"]
    data["_save"] = ["Lưu"]
    client.post(url, data)

    enrollment.refresh_from_db()
    assert enrollment.final_score is None
    assert "chưa có điểm bài thu hoạch" in enrollment.result_reasons


def test_the_class_pages_schedule_is_kept_as_it_was_once_closed(world, client_for):
    course = ended_class(world)
    close_course(course, by=world.center_staff)
    session = course.sessions.order_by("date").first()
    client = client_for(world.center_staff)
    url = reverse("admin:courses_course_change", args=[course.pk])

    data = course_form_data(client.get(url).content.decode())
    data["sessions-0-id"] = [str(session.pk)]
    data["sessions-0-course"] = [str(course.pk)]
    data["sessions-0-date"] = ["08/05/2024"]
    data["sessions-0-period"] = ["2"]
    data["_save"] = ["Lưu"]
    client.post(url, data)

    session.refresh_from_db()
    assert (session.date, session.period) == (datetime.date(2024, 5, 6), 1)
    assert course.sessions.count() == 3


def test_the_enrollment_admin_neither_changes_nor_deletes_a_closed_class_enrollment(world, client_for):
    course = ended_class(world)
    close_course(course, by=world.center_staff)
    enrollment = Enrollment.objects.filter(course=course).order_by("pk").first()
    client = client_for(world.center_staff)
    model_admin = admin.site._registry[Enrollment]

    change = client.get(reverse("admin:enrollments_enrollment_change", args=[enrollment.pk])).content.decode()
    assert 'name="_save"' not in change
    assert (
        client.post(reverse("admin:enrollments_enrollment_delete", args=[enrollment.pk]), {"post": "yes"}).status_code
        == 403
    )
    changelist = reverse("admin:enrollments_enrollment_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [enrollment.pk], "post": "yes"})
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()
    assert model_admin.has_change_permission(_request(world.center_staff), enrollment) is False


def test_the_attendance_admin_changes_nothing_of_a_closed_class(world, client_for):
    course = ended_class(world)
    close_course(course, by=world.center_staff)
    attendance = Attendance.objects.filter(enrollment__course=course).first()
    client = client_for(world.center_staff)

    url = reverse("admin:enrollments_attendance_change", args=[attendance.pk])
    client.post(url, {"enrollment": attendance.enrollment_id, "session": attendance.session_id, "status": "absent"})
    assert (
        client.post(reverse("admin:enrollments_attendance_delete", args=[attendance.pk]), {"post": "yes"}).status_code
        == 403
    )

    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.PRESENT
    # Nor is a mark added for a session of the class.
    extra = factories.SessionFactory(course=course, date=datetime.date(2024, 5, 8), period=2, topic=world.topic)
    added = client.post(
        reverse("admin:enrollments_attendance_add"),
        {"enrollment": attendance.enrollment_id, "session": extra.pk, "status": "present"},
    )
    assert "đã kết thúc, kết quả đã lưu" in added.content.decode()
    assert not Attendance.objects.filter(session=extra).exists()


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("how", ["closed", "cancelled"])
def test_the_sheets_are_shown_read_only_with_a_banner_and_the_services_refuse(world, client_for, how):
    course = ended_class(world)
    if how == "closed":
        close_course(course, by=world.center_staff)
        banner = "đã kết thúc, kết quả đã lưu"
    else:
        lifecycle.cancel(course, by=world.center_staff, reason="Không đủ giảng viên")
        banner = "đã bị hủy"
    session = course.sessions.first()
    enrollment = Enrollment.objects.filter(course=course).order_by("pk").first()
    client = client_for(world.center_staff)

    for url in (
        reverse("admin:courses_course_scores", args=[course.pk]),
        reverse("admin:courses_session_attendance", args=[session.pk]),
    ):
        page = client.get(url).content.decode()
        assert banner in page
        assert 'type="submit"' not in page.split('id="content-main"')[1]
        assert "disabled" in page

    with pytest.raises(ValidationError, match=banner):
        record_scores(
            course,
            {enrollment.pk: Decimal("9.5")},
            by=world.center_staff,
            expected_version=current_score_version(course),
        )
    with pytest.raises(ValidationError, match=banner):
        mark_attendance(
            session,
            {enrollment.pk: "absent"},
            by=world.center_staff,
            expected_version=current_attendance_version(session),
        )
    enrollment.refresh_from_db()
    assert enrollment.final_score == Decimal("8.0")
    assert not Attendance.objects.filter(enrollment__course=course, status="absent").exists()


@pytest.mark.parametrize("how", ["closed", "cancelled"])
def test_nominations_and_their_import_are_refused(world, how):
    course = make_class(world, start=today() + 20 * DAY, days=3, marked=today())
    if how == "closed":
        close_course(course, by=world.center_staff, reason="Dừng lớp")
    else:
        lifecycle.cancel(course, by=world.center_staff, reason="Dừng lớp")

    with pytest.raises(ValidationError):
        nominate(course, world.secretary_a, by=world.center_staff)
    data = nomination_list(["LÊ MINH CHÂU", world.secretary_a.birth_date, "Nam", "Bí thư", "du-a-cs1-cb1", ""])
    report = import_nominations(data, course=course, by=world.center_staff, file_name="cu-di-hoc.xlsx")
    assert not report.imported
    assert "đã kết thúc" in str(messages(report)) or "đã bị hủy" in str(messages(report))
    assert not Enrollment.objects.filter(course=course, member=world.secretary_a).exists()


# -- Reopening -------------------------------------------------------------------------------------------------


def test_reopening_is_refused_while_valid_certificates_exist_then_clears_results(world):
    course = ended_class(world)
    close_course(course, by=world.center_staff)
    enrollment = Enrollment.objects.filter(course=course).order_by("pk").first()
    override_result(enrollment, completed=False, by=world.center_staff, reason="Thiếu bài thu hoạch gốc")
    other = course.enrollments.exclude(pk=enrollment.pk).get()
    issue_certificates(course, by=world.center_staff, render_pdfs=False, notify=False)
    course.refresh_from_db()
    assert course.status == Course.Status.CERTIFIED

    with pytest.raises(ValidationError, match="hãy thu hồi trước"):
        reopen_course(course, by=world.center_staff, reason="Nhập sai điểm")
    for certificate in Certificate.objects.filter(enrollment__course=course):
        revoke_certificate(certificate, by=world.center_staff, reason="Mở lại lớp để sửa điểm")

    with pytest.raises(ValidationError, match="lý do"):
        reopen_course(course, by=world.center_staff, reason="  ")
    with pytest.raises(PermissionDenied):
        reopen_course(course, by=world.officer_a, reason="Nhập sai điểm")
    reopen_course(course, by=world.center_staff, reason="Nhập sai điểm")

    course.refresh_from_db()
    assert course.status == Course.Status.OPEN
    assert latest(course).history_change_reason.endswith("Nhập sai điểm")
    assert "kể cả 1 kết quả điều chỉnh" in latest(course).history_change_reason
    for row in (enrollment, other):
        row.refresh_from_db()
        assert (row.status, row.grade, row.attended_percent, row.result_reasons) == (
            Enrollment.Status.STUDYING,
            "",
            None,
            "",
        )
        assert not row.result_overridden and row.override_reason == ""
        assert row.history.latest("history_date").history_user == world.center_staff
    # Open again: the sheets take changes, and closing stores the results afresh.
    record_scores(
        course, {other.pk: Decimal("9.0")}, by=world.center_staff, expected_version=current_score_version(course)
    )
    close_course(course, by=world.center_staff)
    assert Course.objects.get(pk=course.pk).status == Course.Status.CLOSED


def test_reopening_a_class_not_closed_is_refused(world):
    course = ended_class(world)
    with pytest.raises(ValidationError, match="chưa kết thúc"):
        reopen_course(course, by=world.center_staff, reason="Thử")


def test_the_reopen_course_command_needs_a_reason_and_reopens(world):
    course = ended_class(world)
    close_course(course, by=world.center_staff)
    with pytest.raises(CommandError):
        call_command("reopen_course", course.code, stdout=StringIO())
    out = StringIO()
    call_command("reopen_course", course.code, "--reason", "Sửa điểm", "--by", world.center_staff.username, stdout=out)
    course.refresh_from_db()
    assert course.status == Course.Status.OPEN
    assert latest(course).history_user == world.center_staff
    assert "Đã mở lại lớp" in out.getvalue()


def test_the_reopen_page_is_the_centers_and_asks_for_a_reason(world, client_for):
    course = ended_class(world)
    close_course(course, by=world.center_staff)
    url = reverse("admin:courses_course_reopen", args=[course.pk])
    change = client_for(world.center_staff).get(reverse("admin:courses_course_change", args=[course.pk]))
    assert url in change.content.decode()

    assert client_for(world.officer_a).post(url, {"reason": "x"}).status_code in (403, 404)
    client = client_for(world.center_staff)
    client.post(url, {"reason": ""})
    assert Course.objects.get(pk=course.pk).status == Course.Status.CLOSED
    client.post(url, {"reason": "Sửa điểm"})
    assert Course.objects.get(pk=course.pk).status == Course.Status.OPEN


# -- Cancelling ------------------------------------------------------------------------------------------------


def test_cancelling_is_the_centers_with_a_reason_before_closed(world, client_for):
    course = make_class(world, start=today() + 20 * DAY, days=3, marked=today())
    with pytest.raises(PermissionDenied):
        lifecycle.cancel(course, by=world.officer_a, reason="Không đủ học viên")
    with pytest.raises(ValidationError, match="lý do hủy"):
        lifecycle.cancel(course, by=world.center_staff, reason="")

    client_for(world.center_staff).post(
        reverse("admin:courses_course_cancel", args=[course.pk]), {"reason": "Không đủ học viên"}
    )

    course.refresh_from_db()
    assert course.status == Course.Status.CANCELLED
    assert latest(course).history_change_reason == "Hủy lớp: Không đủ học viên"
    with pytest.raises(ValidationError, match="chỉ hủy được lớp chưa kết thúc"):
        lifecycle.cancel(course, by=world.center_staff, reason="Lần nữa")


def test_a_closed_class_cannot_be_cancelled(world):
    course = ended_class(world)
    close_course(course, by=world.center_staff)
    with pytest.raises(ValidationError, match="chỉ hủy được lớp chưa kết thúc"):
        lifecycle.cancel(course, by=world.center_staff, reason="Nhầm")
    assert Course.objects.get(pk=course.pk).status == Course.Status.CLOSED


# -- Certificates ---------------------------------------------------------------------------------------------


def test_issuing_certificates_moves_a_closed_class_to_certified_and_refuses_an_open_one(world):
    course = ended_class(world)
    with pytest.raises(ValidationError, match="chưa kết thúc"):
        issue_certificates(course, by=world.center_staff, render_pdfs=False, notify=False)

    close_course(course, by=world.center_staff)
    issue_certificates(course, by=world.center_staff, render_pdfs=False, notify=False)

    course.refresh_from_db()
    assert course.status == Course.Status.CERTIFIED
    assert (latest(course).history_user, latest(course).history_change_reason) == (
        world.center_staff,
        "Cấp giấy chứng nhận",
    )
    assert lifecycle.is_read_only(course)


# -- Closing against the dates, for any day ------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(-3, 6), unmarked_from=st.one_of(st.none(), st.integers(0, 3)), early=st.booleans())
def test_closing_is_accepted_exactly_when_the_class_has_ended_fully_recorded_or_the_center_gives_a_reason(
    world, offset, unmarked_from, early
):
    """For a class of four daily sessions from 30/11/2026, closed on 30/11 + `offset`, with attendance missing
    from session `unmarked_from` on: refused before the last session or with a held session unrecorded, unless
    closed early with a reason; nothing is written by a refusal."""
    start = datetime.date(2026, 11, 30)
    day = start + offset * DAY
    with transaction.atomic():
        marked = None if unmarked_from is None else start + unmarked_from * DAY
        course = make_class(world, start=start, days=4, marked=marked)
        last = start + 3 * DAY
        held_unrecorded = marked is not None and marked <= day
        may_close = day >= last and not held_unrecorded
        try:
            close_course(course, by=world.center_staff, today=day, reason="Học dồn" if early else "")
        except ValidationError as refused:
            assert not may_close and not early
            assert "Muốn kết thúc sớm, hãy ghi lý do." in refused.messages[0]
            assert Course.objects.get(pk=course.pk).status == Course.Status.OPEN
            assert not Enrollment.objects.filter(course=course, grade__gt="").exists()
        else:
            assert may_close or early
            reason = latest(Course.objects.get(pk=course.pk)).history_change_reason
            if may_close:
                assert reason == ("Kết thúc lớp: Học dồn" if early else "Kết thúc lớp")
            else:
                assert reason == "Kết thúc lớp sớm: Học dồn"
        transaction.set_rollback(True)


def test_the_course_list_shows_each_phase_in_the_same_queries_for_3_and_30_classes(world, client_for):
    client = client_for(world.center_staff)
    url = reverse("admin:courses_course_changelist")
    counts = []
    for size in (3, 30):
        Course.objects.filter(code__startswith="2025-Q").delete()
        for number in range(size):
            make_class(world, start=today() - DAY, days=3, code=f"2025-Q-L{number}").enrollments.all().delete()
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200 and "Đang học" in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]


# -- The migrations that bring stored statuses to the lifecycle's ------------------------------------------------


def test_the_migrations_store_running_as_open_and_certify_closed_classes_with_certificates(world):
    from django.apps import apps

    courses_0003 = importlib.import_module("courses.migrations.0003_course_lifecycle")
    certificates_0003 = importlib.import_module("certificates.migrations.0003_courses_with_certificates_certified")
    Course.objects.filter(pk=world.root_course.pk).update(status="running")
    Course.objects.filter(pk__in=[world.course_a.pk, world.course_b.pk]).update(status=Course.Status.CLOSED)
    closed_without = make_class(world, start=datetime.date(2024, 5, 6), days=1, code="2024-X-L1")
    Course.objects.filter(pk=closed_without.pk).update(status=Course.Status.CLOSED)

    courses_0003.running_to_open(apps, None)
    certificates_0003.certify_closed_courses_with_certificates(apps, None)

    statuses = dict(Course.objects.values_list("code", "status"))
    assert statuses["2021-K1-L1"] == Course.Status.OPEN
    assert statuses["2021-A-L1"] == statuses["2021-B-L1"] == Course.Status.CERTIFIED
    assert statuses["2024-X-L1"] == Course.Status.CLOSED


def test_the_close_action_of_the_course_list_refuses_a_running_class_and_says_why(world, client_for):
    course = make_class(world, start=today() - DAY, days=3)
    response = client_for(world.center_staff).post(
        reverse("admin:courses_course_changelist"),
        {"action": "close_courses", "_selected_action": [course.pk], "post": "yes"},
        follow=True,
    )
    assert "buổi học cuối cùng là ngày" in response.content.decode()
    assert Course.objects.get(pk=course.pk).status == Course.Status.OPEN
