"""A member's training record (quá trình bồi dưỡng) on their admin page, and as a PDF and a workbook for a personnel
file: every class with attendance share, score, result and reasons, certificate number and status; for whoever may
see the member only; each download written to the access log; a fixed number of queries however long the record."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from certificates.services import revoke_certificate
from courses.models import Course
from enrollments.models import Enrollment
from organizations.models import AccessLog
from tests import factories


def page_url(member):
    return reverse("admin:organizations_member_change", args=[member.pk])


def pdf_url(member):
    return reverse("admin:organizations_member_training_record_pdf", args=[member.pk])


def xlsx_url(member):
    return reverse("admin:organizations_member_training_record_xlsx", args=[member.pk])


def squeezed(text):
    return "".join(text.split())


def pdf_text(content):
    """The PDF's text without white space: a table cell breaks a long value over lines wherever it fits."""
    return squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def record_rows(content):
    """The workbook's one sheet, from its header row of classes down, as openpyxl reads it back."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert len(workbook.worksheets) == 1
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    header = next(index for index, row in enumerate(rows) if row and row[0] == "STT")
    return rows[:header], rows[header], rows[header + 1 :]


@pytest.fixture
def closed_a(world):
    """Course A closed: Nguyễn Thị Hà completed it with 8,5 (Giỏi) and holds certificate A; course B's trainee
    stays as the world made it."""
    Course.objects.filter(pk=world.course_a.pk).update(status=Course.Status.CERTIFIED)
    Enrollment.objects.filter(pk=world.enrollment_x_in_a.pk).update(
        status=Enrollment.Status.COMPLETED,
        final_score=Decimal("8.5"),
        grade="excellent",
        attended_percent=Decimal("100.0"),
    )
    return world


def test_the_member_page_lists_each_class_with_its_result_and_certificate(closed_a, center_staff, client_for):
    world = closed_a
    response = client_for(center_staff).get(page_url(world.member_x))

    assert response.status_code == 200
    page = response.content.decode()
    record = page[page.index('id="training-record"') :]
    assert world.root_course.code in record and world.course_a.code in record
    assert world.certificate_a.register_number in record
    assert reverse("admin:certificates_certificate_change", args=[world.certificate_a.pk]) in record
    assert reverse("admin:enrollments_enrollment_change", args=[world.enrollment_x_in_a.pk]) in record
    assert reverse("admin:courses_course_change", args=[world.course_a.pk]) in record
    assert "Hoàn thành — Giỏi" in record
    assert "8,5" in record and "100,0%" in record
    assert "Đã cấp" in record
    # The class still running shows where it stands, not a result.
    rows = {row.course.code: row for row in response.context["training_record"].rows}
    assert rows[world.root_course.code].result_label != "Hoàn thành"
    assert pdf_url(world.member_x) in page and xlsx_url(world.member_x) in page


def test_a_closed_class_s_reasons_and_a_revoked_certificate_show_as_such(closed_a, center_staff, client_for):
    world = closed_a
    Enrollment.objects.filter(pk=world.enrollment_x_in_a.pk).update(
        status=Enrollment.Status.NOT_COMPLETED, grade="", result_reasons="Vắng 3/10 buổi"
    )
    revoke_certificate(world.certificate_a, by=None, reason="Cấp nhầm")

    record = client_for(center_staff).get(page_url(world.member_x)).content.decode()

    assert "Không hoàn thành" in record
    assert "Vắng 3/10 buổi" in record
    assert "Đã bị thu hồi" in record and world.certificate_a.register_number in record


def test_a_member_without_classes_says_so(world, center_staff, client_for):
    response = client_for(center_staff).get(page_url(factories.MemberFactory(organization=world.cell_b)))
    assert "Chưa tham gia lớp bồi dưỡng nào." in response.content.decode()


def test_a_class_the_officer_may_not_open_is_listed_without_a_link(world, officer_a, client_for):
    """Officer A keeps Nguyễn Thị Hà, also a trainee of committee B's own class: the row is there, its class page
    (B's) is not linked."""
    enrollment = factories.EnrollmentFactory(course=world.course_b, member=world.member_x)

    record = client_for(officer_a).get(page_url(world.member_x)).content.decode()

    assert world.course_b.code in record
    assert reverse("admin:courses_course_change", args=[world.course_b.pk]) not in record
    assert reverse("admin:enrollments_enrollment_change", args=[enrollment.pk]) in record


def test_the_pdf_holds_the_member_and_every_class_with_score_result_and_certificate(closed_a, officer_a, client_for):
    world = closed_a
    response = client_for(officer_a).get(pdf_url(world.member_x))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="qua-trinh-boi-duong-')
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    for expected in [
        "QUÁ TRÌNH BỒI DƯỠNG",
        "Nguyễn Thị Hà",
        # Where the member sits, from the cell up to the affiliated committee.
        "Chi bộ Phòng Hành chính Bộ Ngoại giao › Đảng bộ Vụ Tổng hợp Bộ Ngoại giao › Đảng ủy Bộ Ngoại giao",
        world.root_course.code,
        world.course_a.code,
        world.course_a.title,
        "8,5",
        "100,0%",
        "Hoàn thành — Giỏi",
        world.certificate_a.register_number,
    ]:
        assert squeezed(expected) in text, expected
    assert squeezed("Trần Văn Đức") not in text


def test_the_workbook_holds_one_row_per_class_with_numbers_and_dates_as_such(closed_a, center_staff, client_for):
    world = closed_a
    response = client_for(center_staff).get(xlsx_url(world.member_x))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    person, header, rows = record_rows(response.content)
    assert ["Họ và tên", None, "Nguyễn Thị Hà"] in [row[:3] for row in person]
    assert "Số vào sổ giấy chứng nhận" in header
    by_code = {row[header.index("Mã lớp")]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_code) == {world.root_course.code, world.course_a.code}
    row_a = by_code[world.course_a.code]
    assert row_a["Lớp"] == world.course_a.title
    assert row_a["Điểm"] == 8.5
    assert row_a["Chuyên cần (%)"] == 100.0
    assert row_a["Kết quả"] == "Hoàn thành — Giỏi"
    assert row_a["Số vào sổ giấy chứng nhận"] == world.certificate_a.register_number
    assert row_a["Ngày cấp"] == datetime.datetime.combine(world.certificate_a.issued_on, datetime.time())
    assert row_a["Tình trạng giấy chứng nhận"] == "Đã cấp"
    assert row_a["Từ ngày"] == datetime.datetime(2021, 3, 1)


def test_the_workbook_prints_as_the_yearly_one_does_with_its_author(closed_a, center_staff, client_for):
    center_staff.last_name, center_staff.first_name = "Trần", "Văn Bình"
    center_staff.save()

    workbook = openpyxl.load_workbook(io.BytesIO(client_for(center_staff).get(xlsx_url(closed_a.member_x)).content))

    assert workbook.properties.creator == "Trần Văn Bình"
    assert workbook.properties.title == "Quá trình bồi dưỡng — Nguyễn Thị Hà"
    sheet = workbook.worksheets[0]
    assert sheet.oddFooter.center.text == "Trang &P/&N" and sheet.oddHeader.center.text == "&A"
    assert sheet.page_setup.fitToWidth == 1 and str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.print_title_rows == "$10:$10" and sheet.cell(10, 1).value == "STT"
    assert {cell.font.name for row in sheet.iter_rows() for cell in row if cell.value is not None} == {
        "Times New Roman"
    }


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(world, center_staff, client_for):
    world.member_x.workplace = '=HYPERLINK("http://example.invalid")'
    world.member_x.save()

    content = client_for(center_staff).get(xlsx_url(world.member_x)).content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == world.member_x.workplace]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


@pytest.mark.parametrize("url", [page_url, pdf_url, xlsx_url], ids=["page", "pdf", "xlsx"])
def test_another_committee_s_member_is_a_404_for_an_officer(url, world, officer_b, client_for):
    assert client_for(officer_b).get(url(world.member_x)).status_code == 404


@pytest.mark.parametrize("url", [pdf_url, xlsx_url], ids=["pdf", "xlsx"])
def test_a_trainee_cannot_download_a_record_in_the_admin(url, world, trainee_x, client_for):
    response = client_for(trainee_x).get(url(world.member_x))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("extension", ["pdf", "xlsx"])
def test_each_download_is_written_to_the_access_log(extension, world, officer_a, client_for):
    url = {"pdf": pdf_url, "xlsx": xlsx_url}[extension](world.member_x)
    client_for(officer_a).get(url)

    entry = AccessLog.objects.latest("at")
    assert (entry.user, entry.action, entry.object_id) == (officer_a, AccessLog.Action.EXPORT, str(world.member_x.pk))
    assert entry.parameters == {"record": "training", "format": extension}


def give_classes(world, member, count):
    """`count` more classes for the member, each closed with a result, a session attended and a certificate."""
    for _index in range(count):
        course = factories.CourseFactory(program=world.program, organizer=world.root, status=Course.Status.CERTIFIED)
        session = factories.SessionFactory(course=course, date=course.start_date, topic=world.topic)
        enrollment = factories.EnrollmentFactory(
            course=course, member=member, status=Enrollment.Status.COMPLETED, final_score=Decimal("7.0"), grade="good"
        )
        factories.AttendanceFactory(enrollment=enrollment, session=session)
        factories.CertificateFactory(enrollment=enrollment, issuer=world.issuer_center)


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("url", [page_url, pdf_url, xlsx_url], ids=["page", "pdf", "xlsx"])
def test_a_record_costs_the_same_queries_for_2_and_10_classes(url, world, center_staff, client_for):
    member = factories.MemberFactory(organization=world.cell_a)
    client = client_for(center_staff)
    give_classes(world, member, 2)
    queries_of(client, url(member))  # fills per-process caches (content types, site) once
    small = queries_of(client, url(member))
    give_classes(world, member, 8)
    large = queries_of(client, url(member))

    assert len(large) == len(small), "\n".join(sorted(set(large) - set(small)))
    if url is page_url:
        assert len(client.get(url(member)).context["training_record"].rows) == 10
    elif url is xlsx_url:
        assert len(record_rows(client.get(url(member)).content)[2]) == 10
