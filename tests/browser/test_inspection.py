"""One inspection from plan to accepted correction: the inspector plans it and opens it (the checklist is prepared),
concludes it with a correction for a grassroots committee; committee A's officer reports with an attachment; the
inspector accepts the report. Every page visited is checked with axe-core (tests/browser/conftest.py)."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from common.localtime import local_today
from oversight.models import Correction, Inspection
from tests.oversight.world import PDF_BYTES

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_inspection_from_plan_to_accepted_correction(world, new_page, log_in):
    today = local_today()
    inspector_page = new_page()
    log_in(inspector_page, world.inspector, "/admin/login/")

    # The plan of the year, then one inspection in it.
    inspector_page.goto(reverse("admin:oversight_inspectionplan_add"))
    inspector_page.locator("#id_year").fill(str(today.year))
    inspector_page.locator("#id_decision_number").fill("05-QĐ/UBKT")
    inspector_page.locator("input[name=_save]").click()
    expect(inspector_page.locator(".messagelist .success")).to_be_visible()

    inspector_page.goto(reverse("admin:oversight_inspection_add"))
    inspector_page.locator("#id_plan").select_option(label=f"Kế hoạch kiểm tra năm {today.year}")
    inspector_page.locator("#id_organization + .select2").click()
    inspector_page.locator(".select2-search__field").fill("dang uy bo ngoai giao")
    inspector_page.locator(".select2-results__option", has_text="Đảng ủy Bộ Ngoại giao").first.click()
    inspector_page.locator("#id_team").select_option(value=str(world.inspector.pk))
    inspector_page.locator("#id_start_date").fill(today.strftime("%d/%m/%Y"))
    inspector_page.locator("#id_end_date").fill((today + datetime.timedelta(days=3)).strftime("%d/%m/%Y"))
    inspector_page.locator("#id_topics").fill("Việc cử bí thư chi bộ đi bồi dưỡng")
    inspector_page.locator("input[name=_save]").click()
    expect(inspector_page.locator(".messagelist .success")).to_be_visible()
    inspection = Inspection.objects.get(plan__year=today.year, organization=world.committee_a)
    assert list(inspection.team.all()) == [world.inspector]

    # Opening prepares the checklist from the records.
    inspector_page.goto(reverse("admin:oversight_inspection_change", args=[inspection.pk]))
    inspector_page.get_by_role("link", name="Mở cuộc kiểm tra").click()
    inspector_page.get_by_role("button", name="Mở cuộc kiểm tra").click()
    expect(inspector_page.locator(".messagelist .success")).to_contain_text("Đã mở cuộc kiểm tra")
    expect(inspector_page.locator("#checklist-compliance h3")).to_have_text("Tỷ lệ cán bộ đã được bồi dưỡng")
    expect(inspector_page.locator("#checklist-untrained")).to_contain_text(world.secretary_a.full_name)

    # The conclusion requires one correction of grassroots A, due in a month.
    inspector_page.get_by_role("link", name="Kết luận").click()
    inspector_page.locator("#id_conclusion").fill("Còn bí thư chi bộ chưa được bồi dưỡng.")
    inspector_page.locator("#id_corrections-0-text").fill("Cử bí thư chi bộ đi bồi dưỡng")
    inspector_page.locator("#id_corrections-0-organization").select_option(value=str(world.grassroots_a.pk))
    due = today + datetime.timedelta(days=30)
    inspector_page.locator("#id_corrections-0-due_date").fill(due.strftime("%d/%m/%Y"))
    inspector_page.get_by_role("button", name="Kết luận").click()
    expect(inspector_page.locator(".messagelist .success")).to_contain_text("Đã kết luận cuộc kiểm tra.")
    correction = Correction.objects.get(inspection=inspection)

    # Committee A's officer reports, with a PDF.
    officer_page = new_page()
    log_in(officer_page, world.officer_a, "/admin/login/")
    officer_page.goto(reverse("admin:oversight_correction_change", args=[correction.pk]))
    officer_page.get_by_role("link", name="Báo cáo kết quả khắc phục").click()
    officer_page.locator("#id_text").fill("Đã cử bí thư chi bộ vào lớp tháng sau.")
    officer_page.locator("#id_attachment").set_input_files(
        files=[{"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    officer_page.get_by_role("button", name="Lưu").click()
    expect(officer_page.locator(".messagelist .success")).to_contain_text("Đã gửi báo cáo kết quả khắc phục.")
    # The storage adds a suffix when an earlier test left a file of that name.
    expect(officer_page.get_by_role("link", name=re.compile(r"^bao-cao.*\.pdf$"))).to_be_visible()

    # The inspector accepts it.
    inspector_page.goto(reverse("admin:oversight_correction_change", args=[correction.pk]))
    inspector_page.get_by_role("link", name="Xem xét kết quả khắc phục").click()
    inspector_page.get_by_label("Chấp nhận").check()
    inspector_page.get_by_role("button", name="Lưu").click()
    expect(inspector_page.locator(".messagelist .success")).to_contain_text("Đã ghi ý kiến của đoàn.")
    correction.refresh_from_db()
    assert correction.status == Correction.Status.ACCEPTED
