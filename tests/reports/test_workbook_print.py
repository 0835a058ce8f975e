"""The yearly workbook on paper: one font, A4 fitted to the width with the header row on every page, the sheet's
name above and "Trang X/Y" below, wrapped organization paths in rows tall enough to show them, the file's title
and author, and the monthly chart's two series on two axes; then printed by LibreOffice and read back."""

import io
import re

import openpyxl
import pytest
from django.core.management import call_command

from common.workbook_print import FONT_NAME, row_height, wrapped_lines
from organizations.models import Organization
from reports.workbook import YearWorkbook
from tests import factories
from tests.pdf_reading import page_texts, smallest_text_size, workbook_as_pdf
from tests.reports import test_workbook

SHEETS = test_workbook.SHEETS
year = test_workbook.year  # the fixture: the world's 2021 classes with results

pytestmark = pytest.mark.usefixtures("in_the_2020_term")

LONG_GRASSROOTS = "Đảng bộ cơ sở Cục Quản lý xuất nhập cảnh và Lãnh sự vùng Đồng bằng sông Cửu Long"
LONG_CELL = "Chi bộ Phòng Tổng hợp, Hành chính và Quản trị cơ sở vật chất số 2"


@pytest.fixture
def long_path(year):
    """A trainee of a cell whose path (committee › grassroots › cell) is three times a column's width."""
    grassroots = factories.OrganizationFactory(
        parent=year.committee_a, kind=Organization.Kind.GRASSROOTS_COMMITTEE, name=LONG_GRASSROOTS
    )
    cell = factories.OrganizationFactory(parent=grassroots, name=LONG_CELL)
    member = factories.MemberFactory(full_name="Hoàng Thị Xuân Quỳnh", organization=cell)
    factories.EnrollmentFactory(course=year.root_course, member=member, status="completed", attended_percent=100)
    year.long_path = " › ".join([year.committee_a.name, LONG_GRASSROOTS, LONG_CELL])
    return year


def export(user):
    buffer = io.BytesIO()
    YearWorkbook(user, 2021).save(buffer)
    return buffer.getvalue()


def test_every_sheet_is_set_up_for_paper(long_path):
    staff = long_path.center_staff
    staff.last_name, staff.first_name = "Phạm Thị", "Lan"
    workbook = openpyxl.load_workbook(io.BytesIO(export(staff)))
    assert workbook.properties.title == "Báo cáo công tác bồi dưỡng năm 2021"
    assert workbook.properties.creator == "Phạm Thị Lan"  # who asked for it, family name first
    assert workbook.properties.subject == "Đảng bộ Khối Các cơ quan Trung ương"
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert (setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (9, 1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$4:$4"
        assert sheet.oddHeader.center.text == "&A" and sheet.oddFooter.center.text == "Trang &P/&N"
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == FONT_NAME, (sheet.title, cell.coordinate)
                    assert cell.font.sz >= 11
    # Sheets wider than a portrait page are printed landscape.
    orientations = {sheet.title: sheet.page_setup.orientation for sheet in workbook.worksheets}
    assert orientations["Học viên"] == orientations["Các lớp"] == "landscape"
    assert orientations["Lũy kế"] == "portrait"


def test_long_paths_wrap_in_rows_tall_enough_and_headers_get_their_lines(long_path):
    sheet = openpyxl.load_workbook(io.BytesIO(export(long_path.center_staff)))["Học viên"]
    width = sheet.column_dimensions["D"].width
    (row,) = [row for row in sheet.iter_rows(min_row=5) if row[0].value == "Hoàng Thị Xuân Quỳnh"]
    path = row[3]
    assert path.value == long_path.long_path and path.alignment.wrap_text
    lines = wrapped_lines(path.value, width)
    assert lines >= 3
    assert sheet.row_dimensions[path.row].height == row_height(lines)
    # A one-line row keeps the default height; the header row is as tall as its longest wrapped header.
    assert sheet.row_dimensions[5].height is None or sheet.row_dimensions[5].height >= row_height(1)
    assert sheet["A4"].alignment.wrap_text and sheet.row_dimensions[4].height >= row_height(2)


def test_an_officers_workbook_is_authored_by_the_officer_and_the_commands_by_the_center(long_path, tmp_path):
    officer = long_path.officer_a
    assert not officer.first_name and not officer.last_name
    assert openpyxl.load_workbook(io.BytesIO(export(officer))).properties.creator == officer.username
    target = tmp_path / "bao-cao.xlsx"
    call_command("export_year_report", "2021", "-o", str(target))
    assert openpyxl.load_workbook(target).properties.creator == "Trung tâm Bồi dưỡng chính trị"


def test_the_monthly_chart_puts_classes_and_trainees_on_two_axes(long_path):
    (chart,) = openpyxl.load_workbook(io.BytesIO(export(long_path.center_staff)))["Tổng hợp"]._charts
    bars, line = chart._charts
    assert [type(bars).__name__, type(line).__name__] == ["BarChart", "LineChart"]
    assert bars.y_axis.axId != line.y_axis.axId
    assert line.y_axis.crosses == "max"
    assert not bars.y_axis.delete and not line.y_axis.delete


@pytest.mark.libreoffice
def test_libreoffice_prints_every_sheet_whole_with_its_name_and_page_numbers(long_path, tmp_path):
    source = tmp_path / "bao-cao-nam-2021.xlsx"
    source.write_bytes(export(long_path.center_staff))
    pdf = workbook_as_pdf(source, tmp_path)
    pages = page_texts(pdf)
    text = " ".join(" ".join(page.split()) for page in pages)
    # Every page numbered, and every sheet starting on a page headed by its name.
    assert all(re.search(r"Trang \d+/\d+", page) for page in pages)
    assert text.count("Trang 1/") >= 1
    for title in SHEETS:
        assert any(page.split()[: len(title.split())] == title.split() for page in pages), title
    # The long path is printed whole (wrapped over lines of its cell, never cut at the column's edge).
    assert long_path.long_path in text
    # Headers whole, even the longest ones that wrap.
    for header in ("Tỷ lệ hoàn thành (lớp đã kết thúc)", "Giấy chứng nhận còn hiệu lực", "Số học viên lũy kế"):
        assert header in text
    # Fitted to the width, the widest sheet still prints its 11-point text at 8.5 points or more (it was 6).
    assert smallest_text_size(pdf) >= 8.5
    # The chart is drawn beside the summary, on its first page.
    assert "Lớp và học viên theo tháng khai giảng" in " ".join(pages[0].split())
