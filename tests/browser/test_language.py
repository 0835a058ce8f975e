"""An English browser gets Vietnamese pages, with Vietnamese numbers, until its user presses "English"."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def english_browser(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Ho_Chi_Minh")
    yield context.new_page()
    context.close()


def test_an_english_browser_reads_vietnamese_until_it_chooses_english(english_browser, world, log_in):
    page = english_browser
    world.enrollment_x.final_score = Decimal("8.5")
    world.enrollment_x.save()
    detail = reverse("portal:course-detail", args=[world.root_course.code])

    log_in(page, world.trainee_x, reverse("login"))
    page.goto(detail)

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("main")).to_contain_text("Điểm bài thu hoạch")
    expect(page.locator("main")).to_contain_text(re.compile(r"(?<![\d.,])8,5(?![\d.,])"))

    page.locator("button[name=language][value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(page.locator("main")).to_contain_text(re.compile(r"(?<![\d.,])8\.5(?![\d.,])"))

    page.locator("button[name=language][value=vi]").click()

    expect(page.locator("html")).to_have_attribute("lang", "vi")
