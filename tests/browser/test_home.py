"""The admin's home page as each role sees it: the center's staff follow a line to where its work is done and issue a
closed class's certificates from the button at the top of its page; an officer reads which committee they act for."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from common.localtime import local_today
from tests.backoffice.test_home import add_work
from tests.certificates.test_issue_dates import closed_class

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_center_follows_its_home_page_to_the_attendance_sheet_and_issues_from_the_class_page(
    world, page, log_in, live_server
):
    [(running, _b, _ended, _closing)] = add_work(world, local_today())
    course = closed_class(world, end=local_today() - datetime.timedelta(days=3), trainees=2)
    log_in(page, world.center_staff, "/admin/login/")

    page.goto(reverse("admin:index"))
    sessions = page.locator("#home-sessions")
    expect(sessions.get_by_role("heading")).to_contain_text("Buổi học tuần này")
    expect(sessions.locator("li").filter(has_text=running.code).first).to_contain_text("đã điểm danh")
    expect(page.locator("#home-closing caption")).to_contain_text("HAN-0")
    expect(page.locator("details.home-app-list summary")).to_have_text("Tất cả danh mục quản trị")

    sessions.get_by_role("link").filter(has_text=running.code).first.click()
    expect(page).to_have_url(
        live_server.url
        + reverse("admin:courses_session_attendance", args=[running.sessions.order_by("date").first().pk])
    )

    page.goto(reverse("admin:index"))
    page.locator("#home-uncertified").get_by_role("link", name=course.code).click()
    expect(page.locator("#issue-preview")).to_be_visible()

    page.goto(reverse("admin:courses_course_change", args=[course.pk]))
    box = page.locator("#course-issue")
    expect(box).to_contain_text("2 giấy chứng nhận, số vào sổ từ 0001/")
    box.get_by_role("button", name="Cấp giấy chứng nhận").click()
    expect(page.locator(".messagelist .success")).to_contain_text(f"Lớp {course.code}: đã cấp 2 giấy chứng nhận.")


def test_an_officer_reads_their_committee_and_its_classes(world, page, log_in):
    add_work(world, local_today())
    log_in(page, world.officer_a, "/admin/login/")
    page.goto(reverse("admin:index"))
    expect(page.locator(".home-committee")).to_have_text("Đồng chí làm việc cho Đảng ủy Bộ Ngoại giao.")
    expect(page.locator("#home-classes tbody tr").locator("th, td")).to_have_text(
        ["Đảng ủy Bộ Ngoại giao", "1", "5", "4"]
    )
    expect(page.locator("#home-compliance")).to_contain_text("còn 1 người chưa có giấy chứng nhận")
