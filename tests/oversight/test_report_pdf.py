"""The inspection report: a party document in the shipped fonts holding the organization inspected, the checklist's
sections as stored (figures and tables), the findings, the conclusion and the corrections with their due dates;
downloaded from the Inspection admin by whoever may see the inspection (404 outside the scope), each download
written to the access log, at a fixed number of queries however many findings and corrections."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from organizations.models import AccessLog
from oversight.models import Correction, Inspection
from oversight.report_pdf import checklist_sections, inspection_report_pdf
from tests import factories
from tests.certificates.test_pdf import assert_shipped_fonts_only

CHECKLIST = {
    "prepared_on": "2021-05-04",
    "period": "nhiệm kỳ 2020–2025",
    "sections": [
        {
            "key": "compliance",
            "title": "Tỷ lệ người giữ chức vụ đã được bồi dưỡng",
            "figures": [["Chức vụ phải bồi dưỡng", "12"], ["Đã có giấy chứng nhận", "9"], ["Tỷ lệ", "75,0%"]],
            "columns": ["Họ và tên", "Chức vụ", "Tổ chức đảng"],
            "rows": [
                ["Lê Minh Châu", "Bí thư", "Chi bộ Vụ Lễ tân"],
                ["Đặng Quốc Huy", "Phó Bí thư", "Chi bộ Vụ Châu Âu"],
            ],
        },
        {
            "key": "classes",
            "title": "Các lớp tự tổ chức",
            "figures": [["Số lớp", "3"]],
            "columns": ["Mã lớp", "Chuyên cần bình quân"],
            "rows": [],
        },
    ],
}


def text_of(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeezed(text):
    return re.sub(r"\s+", " ", text)


def report_url(inspection):
    return reverse("admin:oversight_inspection_report", args=[inspection.pk])


def loaded(inspection):
    return Inspection.objects.select_related("plan", "organization").get(pk=inspection.pk)


@pytest.fixture
def inspection(world):
    world.inspection_a.delete()  # the personas' own inspection of committee A makes way for this one
    plan = world.inspection_plan
    plan.decision_number = "125-QĐ/UBKTĐUK"
    plan.save()
    inspection = factories.InspectionFactory(
        plan=plan,
        organization=world.committee_a,
        status=Inspection.Status.CONCLUDED,
        checklist=CHECKLIST,
        conclusion="Đảng ủy cơ bản thực hiện tốt việc cử cán bộ đi bồi dưỡng.",
        concluded_on=datetime.date(2021, 5, 20),
    )
    leader = factories.UserFactory(last_name="Phạm Văn", first_name="Khải")
    inspection.team.add(leader)
    factories.FindingFactory(inspection=inspection, text="Còn ba bí thư chi bộ chưa được bồi dưỡng quá 12 tháng.")
    factories.CorrectionFactory(
        inspection=inspection,
        organization=world.grassroots_a,
        text="Cử các đồng chí bí thư chưa bồi dưỡng đi học lớp gần nhất.",
        due_date=datetime.date(2021, 9, 30),
        status=Correction.Status.ACCEPTED,
    )
    factories.CorrectionFactory(inspection=inspection, due_date=datetime.date(2021, 12, 1))
    return inspection


def test_the_report_holds_the_organization_checklist_findings_and_corrections(inspection, world):
    content = inspection_report_pdf(loaded(inspection))
    text = squeezed(text_of(content))
    for expected in (
        "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TRUNG ƯƠNG",
        "ỦY BAN KIỂM TRA",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Hà Nội, ngày 20 tháng 5 năm 2021",
        "BÁO CÁO KẾT QUẢ KIỂM TRA CÔNG TÁC BỒI DƯỠNG",
        world.committee_a.name,
        "125-QĐ/UBKTĐUK",
        "Từ ngày 04/05/2021 đến ngày 08/05/2021",
        "Phạm Văn Khải",
        "Số liệu lập ngày 04/05/2021, nhiệm kỳ 2020–2025",
        # The checklist's sections, figures and tables, as stored.
        "Tỷ lệ người giữ chức vụ đã được bồi dưỡng",
        "Chức vụ phải bồi dưỡng 12",
        "Đã có giấy chứng nhận 9",
        "75,0%",
        "Lê Minh Châu",
        "Đặng Quốc Huy",
        "Các lớp tự tổ chức",
        "Số lớp 3",
        "Không có trường hợp nào.",  # the second section's table has no row
        "Còn ba bí thư chi bộ chưa được bồi dưỡng quá 12 tháng.",
        "Đảng ủy cơ bản thực hiện tốt việc cử cán bộ đi bồi dưỡng.",
        "Kết luận ngày 20/05/2021",
        world.grassroots_a.name,
        "30/09/2021",
        "01/12/2021",
        "Đã khắc phục",
        "Phải khắc phục",
        "T/M ĐOÀN KIỂM TRA",
        "TRƯỞNG ĐOÀN",
    ):
        assert expected in text, expected
    # The due dates in their order, the earlier first.
    assert text.index("30/09/2021") < text.index("01/12/2021")
    assert_shipped_fonts_only(content)


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="pdffonts (poppler-utils) is not installed")
def test_pdffonts_lists_every_font_as_embedded(inspection):
    content = inspection_report_pdf(loaded(inspection))
    listing = subprocess.run(["pdffonts", "-"], input=content, capture_output=True, check=True).stdout.decode()
    rows = listing.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)


def test_a_planned_inspection_without_checklist_findings_or_corrections_says_so(world):
    inspection = factories.InspectionFactory(
        plan=factories.InspectionPlanFactory(year=2022), organization=world.committee_b
    )
    text = squeezed(text_of(inspection_report_pdf(loaded(inspection))))
    assert world.committee_b.name in text
    assert "Chưa lập số liệu kiểm tra (cuộc kiểm tra chưa mở)." in text
    assert "Đoàn kiểm tra chưa ghi nhận phát hiện nào." in text
    assert "Chưa có kết luận." in text
    assert "Không có yêu cầu khắc phục." in text
    assert "Chưa phân công" in text


def test_names_typed_with_combining_accents_print_as_single_letters(world):
    decomposed = "Chi bộ Vụ Pha\u0301p chê\u0301"
    organization = factories.OrganizationFactory(parent=world.committee_a, name=decomposed)
    inspection = factories.InspectionFactory(organization=organization)
    assert "Chi bộ Vụ Pháp chế" in text_of(inspection_report_pdf(loaded(inspection)))


def test_a_malformed_checklist_part_is_left_out():
    checklist = {"sections": [{"title": "Đánh giá", "figures": [["Số phiếu", 4], ["lẻ"]], "rows": "x"}, "x"]}
    (section,) = checklist_sections(checklist)
    assert section.figures == [("Số phiếu", "4")] and section.rows == [] and section.columns == []
    assert checklist_sections({}) == [] and checklist_sections([]) == []


def test_the_download_is_an_attachment_written_to_the_access_log(inspection, officer_a, client_for):
    response = client_for(officer_a).get(report_url(inspection))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-kiem-tra-2021-{inspection.pk}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert "Còn ba bí thư chi bộ" in text_of(response.content)
    entry = AccessLog.objects.latest("at")
    assert (entry.user, entry.action, entry.object_id) == (officer_a, AccessLog.Action.EXPORT, str(inspection.pk))
    assert entry.parameters == {"report": "inspection", "format": "pdf"}


def test_another_committee_s_inspection_is_a_404_and_a_trainee_is_sent_to_the_login(
    inspection, officer_b, trainee_x, client_for
):
    assert client_for(officer_b).get(report_url(inspection)).status_code == 404
    response = client_for(trainee_x).get(report_url(inspection))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert client_for(None).get(report_url(inspection)).status_code == 302
    assert client_for(officer_b).get(reverse("admin:oversight_inspection_report", args=["x"])).status_code == 404
    assert not AccessLog.objects.filter(parameters__report="inspection").exists()


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def grow(inspection, count):
    for _ in range(count):
        factories.FindingFactory(inspection=inspection)
        factories.CorrectionFactory(inspection=inspection)
        inspection.team.add(factories.UserFactory())


def test_the_report_costs_the_same_queries_for_2_and_12_findings_and_corrections(inspection, center_staff, client_for):
    client = client_for(center_staff)
    url = report_url(inspection)
    queries_of(client, url)  # fills per-process caches (content types) once
    grow(inspection, 1)
    small = queries_of(client, url)
    grow(inspection, 10)
    large = queries_of(client, url)
    assert len(large) == len(small), "\n".join(sorted(set(large) - set(small)))
    assert "Phát hiện số" in text_of(client.get(url).content)
