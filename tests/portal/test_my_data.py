"""A trainee's export of their own data from the portal: their person, posts, classes, results and certificates as a
PDF and as an Excel workbook, never another trainee's, recorded in the access log and never cached."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from enrollments.models import Enrollment
from organizations.models import AccessLog
from tests import factories

PDF_URL = reverse("portal:my-data-pdf")
XLSX_URL = reverse("portal:my-data-xlsx")


def pdf_text(content):
    """The PDF's text without white space: a table cell breaks a long value over lines wherever it fits."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def squeezed(text):
    return "".join(text.split())


def workbook_values(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def strings(values):
    return " | ".join(str(value) for rows in values.values() for row in rows for value in row if value is not None)


def test_the_pdf_holds_the_trainees_person_posts_classes_results_and_certificates(world, client_for):
    world.member_x.workplace = "Vụ Tổng hợp, Bộ Ngoại giao"
    world.member_x.save()

    response = client_for(world.trainee_x).get(PDF_URL)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="du-lieu-ca-nhan-')
    text = pdf_text(response.content)
    for expected in [
        "Nguyễn Thị Hà",
        "Chi bộ Phòng Hành chính Bộ Ngoại giao",
        "Vụ Tổng hợp, Bộ Ngoại giao",
        "hocvien.x",
        "Cấp ủy viên",
        world.root_course.code,
        world.course_a.code,
        world.certificate_a.register_number,
    ]:
        assert squeezed(expected) in text, expected


def test_the_pdf_never_shows_another_trainees_data(world, client_for):
    text = pdf_text(client_for(world.trainee_x).get(PDF_URL).content)

    for foreign in [
        "Trần Văn Đức",
        "Chi bộ Phòng Hành chính Bộ Tư pháp",
        world.certificate_b.register_number,
        "Bí thư",
    ]:
        assert squeezed(foreign) not in text, foreign


def test_the_workbook_holds_one_sheet_per_part_with_dates_and_numbers_as_such(world, client_for):
    Enrollment.objects.filter(pk=world.enrollment_x_in_a.pk).update(final_score="8.5")

    response = client_for(world.trainee_x).get(XLSX_URL)

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    values = workbook_values(response.content)
    person, posts, classes, certificates = values.values()
    assert ["Họ và tên", "Nguyễn Thị Hà"] in person
    assert posts[1][:3] == ["Cấp ủy viên", "Chi bộ Phòng Hành chính Bộ Ngoại giao", world.appointment_x.term_label]
    assert posts[1][3].date() == world.appointment_x.start_date
    assert {row[0] for row in classes[1:]} == {world.root_course.code, world.course_a.code}
    assert 8.5 in next(row for row in classes if row[0] == world.course_a.code)
    assert [row[0] for row in certificates[1:]] == [world.certificate_a.register_number]


def test_the_workbook_never_shows_another_trainees_data(world, client_for):
    text = strings(workbook_values(client_for(world.trainee_y).get(XLSX_URL).content))

    assert "Trần Văn Đức" in text
    for foreign in ["Nguyễn Thị Hà", world.course_a.code, world.certificate_a.register_number, "Cấp ủy viên"]:
        assert foreign not in text, foreign


def test_text_that_looks_like_a_formula_is_written_as_text(world, client_for):
    world.member_x.workplace = '=HYPERLINK("http://example.invalid","bấm vào đây")'
    world.member_x.job_title = "@SUM(1+1)"
    world.member_x.save()

    workbook = openpyxl.load_workbook(io.BytesIO(client_for(world.trainee_x).get(XLSX_URL).content))

    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert world.member_x.workplace in [cell.value for cell in cells]


@pytest.mark.parametrize(("url", "extension"), [(PDF_URL, "pdf"), (XLSX_URL, "xlsx")])
def test_each_export_is_recorded_in_the_access_log_and_not_kept_by_caches(world, client_for, url, extension):
    response = client_for(world.trainee_x).get(url, REMOTE_ADDR="203.0.113.9")

    row = AccessLog.objects.latest("pk")
    assert (row.user, row.action, row.object_id, row.client_address, row.parameters) == (
        world.trainee_x,
        AccessLog.Action.OWN_DATA,
        str(world.member_x.pk),
        "203.0.113.9",
        {"format": extension},
    )
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("url", [PDF_URL, XLSX_URL])
def test_a_login_without_a_member_record_gets_404_and_no_row(world, client_for, url):
    before = AccessLog.objects.count()

    response = client_for(world.center_staff).get(url)

    assert response.status_code == 404
    assert AccessLog.objects.count() == before


def test_the_export_costs_the_same_queries_for_few_and_many_classes(world, client_for):
    """Whatever a trainee's history holds: a fixed number of queries, one of them the access log's INSERT."""
    client = client_for(world.trainee_x)
    client.get(XLSX_URL)  # fills per-process caches (content types) once

    def measured():
        with CaptureQueriesContext(connection) as queries:
            client.get(XLSX_URL)
        return [query["sql"] for query in queries.captured_queries]

    few = measured()
    for number in range(1, 16):
        course = factories.CourseFactory(code=f"2022-K1-L{number}", program=world.program, organizer=world.root)
        factories.EnrollmentFactory(course=course, member=world.member_x)
        factories.AppointmentFactory(member=world.member_x, organization=world.cell_a)
    many = measured()

    assert len(many) == len(few)
    assert len([sql for sql in many if AccessLog._meta.db_table in sql]) == 1
    assert len(workbook_values(client.get(XLSX_URL).content)["Lớp bồi dưỡng và kết quả"]) == 1 + 2 + 15


def test_the_course_list_links_to_both_exports(world, client_for):
    page = client_for(world.trainee_x).get(reverse("portal:course-list")).content.decode()

    assert PDF_URL in page and XLSX_URL in page
