"""An officer goes from the admin's home page to the compliance page, down to a grassroots committee,
exports who is missing and downloads the file from the job page."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_finds_who_is_missing_and_downloads_the_list(world, page, log_in):
    log_in(page, world.officer_a, reverse("admin:login"))
    page.goto(reverse("admin:index"))
    page.get_by_role("link", name="Bồi dưỡng theo nhiệm kỳ: ai còn thiếu").click()
    expect(page.locator(".report-table").first).to_contain_text(world.grassroots_a.name)
    expect(page.locator("body")).not_to_contain_text("Bộ Tư pháp")

    page.get_by_role("link", name=world.grassroots_a.name).click()
    expect(page.locator(".report-path")).to_contain_text(world.committee_a.name)
    expect(page.locator(".report-table").last).to_contain_text("Lê Minh Châu")

    page.get_by_role("button", name="Xuất danh sách (Excel)").click()
    expect(page.locator("progress")).to_have_attribute("value", "100")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)] == ["Lê Minh Châu"]


def test_the_dashboard_draws_its_charts_without_scripts(world, page, log_in):
    log_in(page, world.center_staff, reverse("admin:login"))
    page.goto(reverse("reports:dashboard"))
    # Months, trainees per year, completion per year, committees; no lecturer was rated this year.
    expect(page.locator("svg.report-chart")).to_have_count(4)
    expect(page.locator("#content")).to_contain_text("Chưa có phiếu đánh giá nào trong năm.")
    expect(page.locator("svg.report-chart title", has_text=world.committee_b.name)).to_have_count(1)
