"""The pages each persona works on pass axe-core (no serious or critical violation, headings in order), and the
admin's buttons sit beside, never over, what they belong to at the widths the center's screens have.

Every browser test's pages are checked at its end by tests/browser/conftest.py; the tests here open the
portal, verification, report and admin pages on purpose, and check a form in the state a person meets it.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollments.closing import close_course
from tests import factories
from tests.browser.accessibility import VisitedPages, accessibility_violations, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = [{"width": 1366, "height": 768}, {"width": 1920, "height": 1080}]


def overlap(first, second):
    """The area two boxes share, in square pixels: 0 when they do not overlap."""
    width = min(first["x"] + first["width"], second["x"] + second["width"]) - max(first["x"], second["x"])
    height = min(first["y"] + first["height"], second["y"] + second["height"]) - max(first["y"], second["y"])
    return max(width, 0) * max(height, 0)


def overlaps(buttons, others):
    """Each (button, other element) pair of locators whose boxes overlap, with their texts."""
    found = []
    for button in buttons.all():
        button_box = button.bounding_box()
        for other in others.all():
            if overlap(button_box, other.bounding_box()):
                found.append((button.inner_text(), other.inner_text()[:60]))
    return found


def check_each(page, paths):
    """Opens each page and checks it, where the page's heading says it is the page asked for."""
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)


@pytest.fixture
def evaluation_open(world):
    """Course A closed, so trainee X (who has not evaluated it) meets its evaluation form."""
    factories.AttendanceFactory(enrollment=world.enrollment_x_in_a, session=world.session_a)
    close_course(world.course_a, by=world.center_staff)
    return world


def test_the_verification_pages_are_accessible(world, page):
    check_each(
        page,
        [
            reverse("certificates:verify"),
            reverse("certificates:verify-detail", args=[world.certificate_a.verification_code]),
        ],
    )
    page.goto(reverse("certificates:verify-detail", args=["KHONGCOMAMAYNAY"]))
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)


def test_the_portal_pages_and_the_evaluation_form_are_accessible(evaluation_open, page, log_in):
    world = evaluation_open
    page.goto(reverse("login"))
    assert_accessible(page)
    log_in(page, world.trainee_x, reverse("login"))
    check_each(
        page,
        [
            reverse("portal:course-list"),
            reverse("portal:course-detail", args=[world.course_a.code]),
            reverse("portal:course-evaluation", args=[world.course_a.code]),
        ],
    )
    # The form as the trainee meets it: its two sections are headings one level under the page's.
    expect(page.get_by_role("heading", level=2)).to_have_text(["Về lớp học", "Về giảng viên, theo từng chuyên đề"])
    page.get_by_role("button", name="Gửi phiếu đánh giá").click()  # nothing chosen: sent back with the errors
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert_accessible(page)


def test_the_report_pages_are_accessible(world, page, log_in):
    log_in(page, world.center_staff, reverse("admin:login"))
    check_each(
        page,
        [
            reverse("reports:dashboard"),
            reverse("oversight:compliance"),
            reverse("oversight:compliance") + f"?org={world.committee_a.pk}",
            reverse("reports:year-report"),
        ],
    )


def test_the_admin_pages_are_accessible_to_the_center_staff(world, page, log_in):
    page.goto(reverse("admin:login"))
    assert_accessible(page)
    log_in(page, world.center_staff, reverse("admin:login"))
    check_each(
        page,
        [
            reverse("admin:index"),
            reverse("admin:courses_course_changelist"),
            reverse("admin:organizations_member_changelist"),
            reverse("admin:courses_course_change", args=[world.root_course.pk]),
            reverse("admin:courses_course_add"),
            reverse("admin:organizations_member_change", args=[world.member_x.pk]),
            reverse("admin:organizations_appointment_add"),
            reverse("admin:enrollments_enrollment_changelist"),
            reverse("admin:enrollments_enrollment_change", args=[world.enrollment_x.pk]),
            reverse("admin:organizations_organization_changelist"),
            reverse("admin:certificates_certificate_changelist"),
            reverse("admin:courses_course_history", args=[world.root_course.pk]),
            reverse("admin:courses_session_attendance", args=[world.root_session.pk]),
        ],
    )


def test_the_admin_pages_are_accessible_to_an_officer(world, page, log_in):
    log_in(page, world.officer_a, reverse("admin:login"))
    check_each(
        page,
        [
            reverse("admin:index"),
            reverse("admin:organizations_member_changelist"),
            reverse("admin:organizations_member_change", args=[world.secretary_a.pk]),
            reverse("admin:courses_course_change", args=[world.course_a.pk]),
        ],
    )


def test_axe_runs_under_the_content_security_policy(world, page):
    """axe is injected through the debugging protocol, which the page's policy does not govern: the check runs on
    the page as served, policy and all, and the browser reports no policy violation while it does."""
    complaints = []
    page.on("console", lambda message: "Content Security Policy" in message.text and complaints.append(message.text))
    response = page.goto(reverse("certificates:verify"))
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # The check sees the page: an image without a text alternative, put in by the test, is a critical violation.
    page.evaluate("document.querySelector('h1').insertAdjacentHTML('afterend', '<img src=\"/static/x.png\">')")
    assert [violation["id"] for violation in accessibility_violations(page)] == ["image-alt"]
    page.evaluate("document.querySelector('h1 + img').remove()")
    assert accessibility_violations(page) == []
    assert complaints == []


def test_the_check_at_a_tests_end_reads_the_page_as_left_and_opens_the_others_again(world, browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    try:
        page = context.new_page()
        visited = VisitedPages(page, live_server.url)
        page.goto(reverse("certificates:verify"))
        page.goto(reverse("certificates:verify-detail", args=[world.certificate_a.verification_code]))
        page.evaluate("document.querySelector('h1').insertAdjacentHTML('afterend', '<img src=\"/static/x.png\">')")
        found = visited.violations()
        assert page.url == live_server.url + reverse("certificates:verify")  # opened again
    finally:
        context.close()

    detail = live_server.url + reverse("certificates:verify-detail", args=[world.certificate_a.verification_code])
    assert [(url, [violation["id"] for violation in violations]) for url, violations in found] == [
        (detail, ["image-alt"])
    ]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: f"{screen['width']}px")
def test_the_class_pages_buttons_do_not_cover_its_title(world, new_page, log_in, screen):
    page = new_page(viewport=screen)
    log_in(page, world.center_staff, reverse("admin:login"))
    page.goto(reverse("admin:courses_course_change", args=[world.root_course.pk]))
    buttons = page.locator("#content .object-tools a")
    expect(buttons.first).to_be_visible()
    assert buttons.count() >= 5  # sheets, nominations, closing, history: the row that used to cover the title

    titles = page.locator("#content h1, #content > h2, #content-main fieldset")
    assert overlaps(buttons, titles) == []
    assert overlaps(buttons, buttons) == [(text, text) for text in buttons.all_inner_texts()]  # only themselves


@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: f"{screen['width']}px")
def test_the_report_tabs_do_not_cover_the_figures(world, new_page, log_in, screen):
    page = new_page(viewport=screen)
    log_in(page, world.center_staff, reverse("admin:login"))
    for path in (reverse("reports:dashboard"), reverse("oversight:compliance")):
        page.goto(path)
        tabs = page.locator(".report-links a")
        expect(tabs).to_have_count(4)
        content = page.locator("#content h1, .report-filters, .report-figure, .report-panel, .report-table")
        assert content.count() >= 3, path
        assert overlaps(tabs, content) == [], path
