"""Random and mutated files fed to both imports: the only outcomes are a preview or a clear refusal.

A preview is an ImportReport (whatever its rows say); a refusal is a SpreadsheetError with a message.
Anything else — an exception escaping, a 500 in the admin — fails.
"""

import datetime
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.imports.report import ImportReport
from common.imports.spreadsheets import SpreadsheetError
from enrollments.nomination_import import import_nominations
from organizations.tree_import import import_organizations
from tests.imports.workbooks import xlsx

FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
NOMINATION_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Chi bộ / Đảng bộ", "Email"]
PEOPLE_HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Mã tổ chức", "Chức vụ", "Nhiệm kỳ", "Từ ngày", "Đến ngày"]
ORGANIZATION_HEADER = ["Mã tổ chức", "Tên tổ chức", "Loại", "Mã tổ chức cấp trên"]


def previews_or_refuses(data, world, course):
    """Both imports' previews of data, as the officer and as the center; each must be a report or a refusal."""
    for run in (
        lambda: import_nominations(data, course=course, by=world.officer_a, dry_run=True, create_members=True),
        lambda: import_organizations(data, by=world.center_staff, dry_run=True),
    ):
        try:
            report = run()
        except SpreadsheetError as error:
            assert error.messages and all(message.strip() for message in error.messages)
        else:
            assert isinstance(report, ImportReport)
            assert all(row.messages for row in report.refused_rows)


# Text a person might type, with Vietnamese letters, combining marks, separators, digits and punctuation.
typed = st.text(
    alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẠẢÃàáạảãĐđ  0123456789/-.,:;()'\"\u0301\u0323\n")),
    max_size=40,
)
cell = st.one_of(
    st.none(),
    typed,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)),
    st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 12, 31)),
    st.booleans(),
    st.sampled_from(["Bí thư", "Nam", "Nữ", "Chi bộ", "DU-A-CS1-CB1", "DU-A", "2020-2025", "31/02/1980", "1975"]),
)


def rows_of(width):
    return st.lists(st.lists(cell, min_size=0, max_size=width + 2), max_size=12)


@pytest.fixture(scope="module")
def valid_workbook():
    return xlsx(
        ("Tổ chức", [ORGANIZATION_HEADER, ["DU-A-CS9", "Đảng bộ Cục Mới", "Đảng bộ cơ sở", "DU-A"]]),
        (
            "Người",
            [PEOPLE_HEADER, ["Lê Văn Tư", "5/3/1975", "Nam", "DU-A-CS9", "Bí thư", "2020-2025", "1/6/2020", None]],
        ),
        ("DS", [NOMINATION_HEADER, [1, "Lê Minh Châu", "5/3/1975", "Nam", "Bí thư", "DU-A-CS1-CB1", None]]),
    )


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_are_refused_clearly(world, course, data):
    previews_or_refuses(data, world, course)


@FUZZ
@given(prefix=st.sampled_from([b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b""]), data=st.binary(max_size=2048))
def test_bytes_that_start_like_a_workbook_are_refused_clearly(world, course, prefix, data):
    previews_or_refuses(prefix + data, world, course)


@FUZZ
@given(
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8), cut=st.booleans()
)
def test_a_workbook_with_bytes_changed_or_cut_off_previews_or_is_refused(world, course, valid_workbook, flips, cut):
    data = bytearray(valid_workbook)
    for position, value in flips:
        data[position % len(data)] = value
    if cut:
        data = data[: flips[0][0] % len(data)]
    previews_or_refuses(bytes(data), world, course)


@FUZZ
@given(
    part=st.sampled_from(
        [
            "xl/workbook.xml",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet3.xml",
            "xl/styles.xml",
            "[Content_Types].xml",
        ]
    ),
    junk=st.binary(max_size=300),
    at=st.integers(min_value=0),
)
def test_a_workbook_with_a_part_garbled_previews_or_is_refused(world, course, valid_workbook, part, junk, at):
    source = zipfile.ZipFile(io.BytesIO(valid_workbook))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == part:
                position = at % (len(content) + 1)
                content = content[:position] + junk + content[position + len(junk) :]
            target.writestr(entry.filename, content)
    previews_or_refuses(output.getvalue(), world, course)


@FUZZ
@given(
    title=st.lists(cell, max_size=3),
    nominations=rows_of(len(NOMINATION_HEADER)),
    people=rows_of(len(PEOPLE_HEADER)),
    organizations=rows_of(len(ORGANIZATION_HEADER)),
)
def test_any_cell_values_under_the_right_headers_give_a_preview(
    world, course, title, nominations, people, organizations
):
    nomination_list = xlsx(("DS", [title, [], NOMINATION_HEADER, *nominations]))
    tree = xlsx(("Tổ chức", [title, ORGANIZATION_HEADER, *organizations]), ("Người", [PEOPLE_HEADER, *people]))

    nominations_report = import_nominations(
        nomination_list, course=course, by=world.officer_a, dry_run=True, create_members=True
    )
    tree_report = import_organizations(tree, by=world.center_staff, dry_run=True)

    written = [
        row
        for row in nominations
        if any(str(value).strip() for value in row[: len(NOMINATION_HEADER)] if value is not None)
    ]
    assert len(nominations_report.rows) == len(written)
    assert all(row.messages for row in [*nominations_report.refused_rows, *tree_report.refused_rows])
