"""A trainee reads their results on /my/, sends the course evaluation once, and the page fits a phone."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollments.closing import close_course
from enrollments.models import Attendance, Evaluation, LecturerRating
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def results(world):
    """Both of trainee X's courses closed. Course A passed with 8.5 (Giỏi), with the certificate the
    world issued, and its evaluation open; the root's course failed on a missed session and a low
    score, and X evaluated it already."""
    factories.AttendanceFactory(enrollment=world.enrollment_x_in_a, session=world.session_a)
    world.enrollment_x_in_a.final_score = Decimal("8.5")
    world.enrollment_x_in_a.save()
    missed = factories.SessionFactory(
        course=world.root_course, date=datetime.date(2021, 3, 2), period=1, topic=world.topic, lecturer=world.lecturer
    )
    factories.AttendanceFactory(enrollment=world.enrollment_x, session=missed, status=Attendance.Status.ABSENT)
    # Every held session recorded for every trainee, or closing is refused.
    factories.AttendanceFactory(enrollment=world.enrollment_y, session=missed)
    world.enrollment_x.final_score = Decimal("4")
    world.enrollment_x.save()
    close_course(world.course_a, by=world.center_staff)
    close_course(world.root_course, by=world.center_staff)
    return world


def card(page, code):
    return page.locator(".card").filter(has_text=code)


def test_trainee_reads_results_and_sends_the_evaluation_once(results, page, log_in, live_server):
    world = results
    log_in(page, world.trainee_x, "/accounts/login/")

    expect(page).to_have_url(live_server.url + reverse("portal:course-list"))
    expect(page.get_by_role("heading", name="Lớp của tôi")).to_be_visible()
    passed = card(page, "2021-A-L1")
    expect(passed).to_contain_text("Hoàn thành — Giỏi")
    expect(passed).to_contain_text("8,5")
    expect(passed).to_contain_text(world.certificate_a.register_number)
    expect(passed.get_by_role("link", name="Tải giấy chứng nhận (PDF)")).to_be_visible()
    failed = card(page, "2021-K1-L1")
    expect(failed).to_contain_text("Không hoàn thành")
    expect(failed).to_contain_text("4,0")
    expect(failed.locator("li")).to_have_text(
        ["vắng 1/2 buổi (cần dự ít nhất 80%)", "điểm bài thu hoạch 4,0 dưới điểm đạt 5,0"]
    )
    expect(failed).to_contain_text("Đã gửi ngày")
    expect(failed.get_by_role("link", name="Điền phiếu đánh giá")).to_have_count(0)

    passed.get_by_role("link", name="Điền phiếu đánh giá").click()
    expect(page.get_by_role("heading", name="Phiếu đánh giá lớp học")).to_be_visible()
    ratings = {
        "Công tác tổ chức lớp": "5",
        "Nội dung chương trình": "4",
        "Tài liệu học tập": "3",
        "PGS.TS. Đỗ Xuân Ánh — Nghiệp vụ công tác đảng ở chi bộ": "5",
    }
    for question, rating in ratings.items():
        # The radios are drawn as buttons (Bootstrap's btn-check): the trainee taps the label.
        group = page.get_by_role("group", name=question)
        group.locator("label").filter(has_text=rating).click()
        expect(group.get_by_role("radio", name=rating)).to_be_checked()
    page.get_by_label("Ý kiến khác").fill("Nên phát tài liệu trước một tuần để học viên đọc trước.")
    page.get_by_role("button", name="Gửi phiếu đánh giá").click()

    expect(page).to_have_url(live_server.url + reverse("portal:course-detail", args=["2021-A-L1"]))
    expect(page.get_by_role("alert").first).to_have_text("Đã gửi phiếu đánh giá. Cảm ơn đồng chí đã góp ý.")
    expect(page.get_by_text("Đồng chí đã gửi phiếu đánh giá lúc")).to_be_visible()
    evaluation = Evaluation.objects.get(enrollment=world.enrollment_x_in_a)
    assert (evaluation.organization_rating, evaluation.content_rating, evaluation.materials_rating) == (5, 4, 3)
    assert evaluation.comments == "Nên phát tài liệu trước một tuần để học viên đọc trước."
    assert list(LecturerRating.objects.filter(evaluation=evaluation).values_list("lecturer", "topic", "rating")) == [
        (world.lecturer.pk, world.topic.pk, 5)
    ]

    page.goto(reverse("portal:course-evaluation", args=["2021-A-L1"]))
    expect(page.get_by_text("Đồng chí đã gửi phiếu đánh giá lúc")).to_be_visible()
    expect(page.get_by_role("button", name="Gửi phiếu đánh giá")).to_have_count(0)
    page.goto(reverse("portal:course-list"))
    expect(card(page, "2021-A-L1")).to_contain_text("Đã gửi ngày")
    expect(page.get_by_role("link", name="Điền phiếu đánh giá")).to_have_count(0)
    assert Evaluation.objects.filter(enrollment__member=world.member_x).count() == 2


def test_my_courses_fit_a_phone_screen_without_sideways_scrolling(results, new_page, log_in, tmp_path):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(page, results.trainee_x, "/accounts/login/")
    expect(card(page, "2021-K1-L1")).to_contain_text("điểm bài thu hoạch 4,0 dưới điểm đạt 5,0")

    screenshot = page.screenshot(path=tmp_path / "my-courses-390.png", full_page=True)

    assert screenshot.startswith(b"\x89PNG")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[1] == PHONE["width"]
    assert widths[0] <= widths[1], f"/my/ is {widths[0]}px wide on a {widths[1]}px phone screen"
