"""The center's staff take a session's attendance in the admin, by keyboard, and it is saved."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollments.models import Attendance
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def session(world):
    """A second session of the root's course, not marked yet, with three trainees on the roster."""
    factories.EnrollmentFactory(course=world.root_course, member=world.secretary_a)
    return factories.SessionFactory(
        course=world.root_course, date=datetime.date(2021, 3, 2), period=1, topic=world.topic, lecturer=world.lecturer
    )


def test_staff_mark_one_trainee_absent_by_keyboard_and_the_sheet_is_saved(world, session, page, log_in, live_server):
    log_in(page, world.center_staff, "/admin/login/")
    page.goto(reverse("admin:courses_course_change", args=[world.root_course.pk]))
    page.get_by_role("link", name="Điểm danh buổi 02/03/2021").click()
    expect(page).to_have_url(live_server.url + reverse("admin:courses_session_attendance", args=[session.pk]))

    # Rows follow the Vietnamese roster order, by given name: Châu, Đức, Hà; all start as present.
    names = ["Lê Minh Châu", "Trần Văn Đức", "Nguyễn Thị Hà"]
    expect(page.locator(".sheet-table tbody th[scope=row]")).to_have_text(names)
    rows = {name: page.get_by_role("group", name=name) for name in names}
    for group in rows.values():
        expect(group.get_by_role("radio", name="Có mặt")).to_be_checked()

    # From the first row, Tab moves to the next trainee's choices and the arrows walk through them.
    rows["Lê Minh Châu"].get_by_role("radio", name="Có mặt").focus()
    page.keyboard.press("Tab")
    expect(rows["Trần Văn Đức"].get_by_role("radio", name="Có mặt")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    absent = rows["Trần Văn Đức"].get_by_role("radio", name="Vắng không phép")
    expect(absent).to_be_focused()
    expect(absent).to_be_checked()
    page.keyboard.press("Tab")
    expect(rows["Nguyễn Thị Hà"].get_by_role("radio", name="Có mặt")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Lưu điểm danh")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".messagelist .success")).to_have_text("Đã lưu 3 thay đổi.")
    expect(page.get_by_role("group", name="Trần Văn Đức").get_by_role("radio", name="Vắng không phép")).to_be_checked()
    expect(page.get_by_role("group", name="Nguyễn Thị Hà").get_by_role("radio", name="Có mặt")).to_be_checked()
    saved = {
        attendance.enrollment.member.full_name: attendance.status
        for attendance in Attendance.objects.filter(session=session).select_related("enrollment__member")
    }
    assert saved == {
        "Lê Minh Châu": Attendance.Status.PRESENT,
        "Trần Văn Đức": Attendance.Status.ABSENT,
        "Nguyễn Thị Hà": Attendance.Status.PRESENT,
    }
    absent_record = Attendance.history.get(session=session, status=Attendance.Status.ABSENT)
    assert absent_record.history_user == world.center_staff
