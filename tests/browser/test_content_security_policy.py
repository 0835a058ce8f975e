"""Under the Content-Security-Policy (scripts from the site's own files only) the pages' scripts still run and the
browser reports no violation: the admin's widgets, the party tree, the portal and the verification page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def violations(page):
    """The browser's Content-Security-Policy complaints while the test runs."""
    found = []
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_the_admins_scripts_run_under_the_policy(world, page, log_in, violations):
    log_in(page, world.center_staff, reverse("admin:login"))

    page.goto(reverse("admin:organizations_appointment_add"))
    # DateTimeShortcuts.js adds the calendar links and autocomplete.js turns the selects into select2 boxes.
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-search__field")).to_be_focused()
    page.keyboard.press("Escape")

    for name, arguments in [
        ("admin:index", []),
        ("admin:organizations_organization_changelist", []),
        ("admin:organizations_member_changelist", []),
        ("admin:courses_course_change", [world.root_course.pk]),
        ("admin:courses_session_attendance", [world.root_session.pk]),
    ]:
        response = page.goto(reverse(name, args=arguments))
        assert response.status == 200, name
        assert response.headers["content-security-policy"].count("script-src 'self'") == 1

    assert violations == []


def test_the_portal_and_the_verification_page_run_under_the_policy(world, page, log_in, violations):
    page.goto(reverse("certificates:verify-detail", args=[world.certificate_a.verification_code]))
    expect(page.locator("h1")).to_contain_text("Kết quả tra cứu")
    log_in(page, world.trainee_x, reverse("login"))
    page.goto(reverse("portal:course-detail", args=[world.course_a.code]))
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    assert violations == []
