"""Every workbook the product writes (import templates, import error reports, the yearly workbook, the list of
who is missing, the demo's sample files) keeps text that starts like a formula as visible text, never a formula,
and keeps numbers, negative ones too, and dates as numbers and dates."""

import datetime
import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ERROR_CODES

from common.imports.spreadsheets import Column, template_workbook
from common.workbook_cells import FORMULA_START, clean_text, safe_cell
from demo import import_samples
from enrollments.models import Enrollment
from enrollments.nomination_import import import_template as nomination_template
from organizations.models import Member, Post
from organizations.tree_import import import_template as organization_template
from oversight import compliance
from reports.workbook import YearWorkbook, missing_workbook
from tests import factories
from tests.imports.workbooks import xlsx

# The world counts 2021 certificates: the current term is 2020–2025 here (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("in_the_2020_term")

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "#N/A",
]


def cells_of(data):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(data, *, shows=()):
    """No cell is a formula, text a spreadsheet would run or read as an error carries the quote prefix (shown
    as typed, not evaluated when edited), and each of `shows` is a cell's text."""
    cells = cells_of(data)
    assert [(cell.parent.title, cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"] == []
    risky = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START)]
    risky += [cell for cell in cells if cell.value in ERROR_CODES]
    assert [cell.value for cell in risky if cell.data_type != "s" or not cell.quotePrefix] == []
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert set(shows) - texts == set()
    return cells


def saved(write):
    buffer = io.BytesIO()
    write(buffer)
    return buffer.getvalue()


@pytest.fixture
def hostile(world):
    """Members named with each hostile text (names are normalized, so tabs and line breaks go from the name
    but stay in the workplace), each holding a post that must be trained and enrolled in the 2021 class."""
    members = []
    for text in HOSTILE:
        member = factories.MemberFactory(full_name=text, organization=world.cell_a, workplace=text, phone="")
        factories.AppointmentFactory(member=member, organization=world.cell_a, post=Post.SECRETARY, term_label=text)
        factories.EnrollmentFactory(course=world.root_course, member=member, status=Enrollment.Status.COMPLETED)
        members.append(Member.objects.get(pk=member.pk))
    world.lecturer.name, world.lecturer.academic_title = '=cmd|" /C calc"!A0', ""
    world.lecturer.save()
    world.hostile_members = members
    return world


def test_the_import_error_report_copies_uploaded_formulas_back_as_text(world, tmp_path):
    """The reproduction: an uploaded '=HYPERLINK(...)' came back in the error report as a live formula."""
    people = [["Họ và tên", "Ngày sinh", "Mã tổ chức", "Chức vụ", "Nhiệm kỳ", "Từ ngày"]]
    for text in HOSTILE:
        people.append([text, "31/02/1980", "DU-A-CS1-CB1", "", "", ""])
    people.append(["Lê Văn Tư", datetime.date(1975, 3, 5), -5, 2.5, "", ""])
    upload = tmp_path / "loi.xlsx"
    # Typed as text in the upload (as Excel stores a cell typed with a leading apostrophe).
    upload.write_bytes(_text_cells_workbook(people))
    report = tmp_path / "bao-cao.xlsx"

    with pytest.raises(CommandError):
        call_command("import_organizations", str(upload), "--report", str(report), stdout=io.StringIO())

    cells = assert_no_formula(report.read_bytes(), shows=[clean_text(text) for text in HOSTILE])
    by_coordinate = {cell.coordinate: cell for cell in cells}
    last = len(people)
    assert by_coordinate[f"B{last}"].is_date
    assert by_coordinate[f"B{last}"].value == datetime.datetime(1975, 3, 5)
    assert (by_coordinate[f"C{last}"].data_type, by_coordinate[f"C{last}"].value) == ("n", -5)
    assert (by_coordinate[f"D{last}"].data_type, by_coordinate[f"D{last}"].value) == ("n", 2.5)


def _text_cells_workbook(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([safe_cell(sheet, value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_uploaded_formula_comes_back_as_its_value_or_empty_never_as_a_formula(world, tmp_path):
    """A real formula in the upload is read as its computed value (none here: openpyxl stores none)."""
    upload = tmp_path / "cong-thuc.xlsx"
    upload.write_bytes(
        xlsx(("Người", [["Họ và tên", "Ngày sinh", "Mã tổ chức"], ['=HYPERLINK("http://x","y")', "=1+1", "x"]]))
    )
    report = tmp_path / "bao-cao.xlsx"

    with pytest.raises(CommandError):
        call_command("import_organizations", str(upload), "--report", str(report), stdout=io.StringIO())

    assert_no_formula(report.read_bytes())


def test_templates_write_their_headers_and_guidance_as_text():
    columns = [Column(key=f"c{index}", label=text) for index, text in enumerate(HOSTILE)]
    data = template_workbook([("Mẫu", columns)], guidance=[(text, text) for text in HOSTILE])

    assert_no_formula(data, shows=[clean_text(text) for text in HOSTILE])
    assert_no_formula(organization_template(), shows=["Mã tổ chức"])
    assert_no_formula(nomination_template(), shows=["Họ và tên"])


def test_the_yearly_workbook_writes_user_text_as_text(hostile):
    data = saved(lambda target: YearWorkbook(hostile.center_staff, 2021).save(target))

    names = [member.full_name for member in hostile.hostile_members]
    cells = assert_no_formula(data, shows=[*names, '=cmd|" /C calc"!A0'])
    assert any(cell.is_date for cell in cells)  # the birth dates


def test_the_list_of_who_is_missing_writes_user_text_as_text(hostile):
    user, organization = hostile.center_staff, hostile.root
    period = compliance.default_period()
    holders = compliance.holders_in(user, period, organization)
    labels = organization.__class__.objects.for_user(user).path_labels()

    data = saved(lambda target: missing_workbook(compliance.missing(holders), labels, period, organization, target))

    names = [member.full_name for member in hostile.hostile_members]
    assert_no_formula(data, shows=[*names, *(clean_text(text) for text in HOSTILE)])  # names and term labels


def test_the_demo_sample_files_write_user_text_as_text(hostile):
    members = hostile.hostile_members
    names = [member.full_name for member in members]
    for member in members:
        member.organization = hostile.cell_a

    assert_no_formula(import_samples.nomination_list_excel(hostile.root_course, members), shows=names)
    assert_no_formula(import_samples.nomination_list_libreoffice(hostile.root_course, members))
    hostile.committee_a.name = "=1+1"
    assert_no_formula(import_samples.yearly_update(hostile.committee_a))
    node = SimpleNamespace(organization=hostile.cell_a, parent=None)
    holdings = [
        SimpleNamespace(
            is_current=True,
            member=member,
            organization=hostile.cell_a,
            post=Post.SECRETARY,
            term_label=member.workplace,
            start_date=datetime.date(2020, 6, 15),
        )
        for member in members
    ]
    tree = import_samples.tree_workbook(SimpleNamespace(nodes=[node]), SimpleNamespace(holdings=holdings))
    assert_no_formula(tree, shows=[*names, *(clean_text(text) for text in HOSTILE)])


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(-(10**15), 10**15), st.floats(-1e15, 1e15), st.dates()))
def test_any_value_keeps_its_type_and_text_its_letters(value):
    """Text is stored as text (control characters the format cannot hold removed), numbers, negative ones
    too, as numbers and dates as dates."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("T")
    sheet.append([safe_cell(sheet, value)])
    data = saved(workbook.save)  # always saved: an unsaved write-only sheet complains when collected
    cell = cells_of(data)[0] if not _empty(value) else None
    if isinstance(value, str):
        if cell is None:
            return
        assert cell.data_type == "s"
        # XML turns a carriage return into a line feed when the file is read back.
        assert cell.value == clean_text(value)
    elif isinstance(value, datetime.date):
        assert cell.is_date and cell.value.date() == value
    else:
        assert cell.data_type == "n" and cell.value == pytest.approx(value, rel=1e-14)  # Excel keeps 15 digits


def _empty(value):
    return isinstance(value, str) and not clean_text(value)
