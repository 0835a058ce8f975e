"""Workbooks small on disk but huge in memory: each shape is refused with a message naming the limit it
passes, and reading it stays under 300 MB, measured in a child process so the figure is the read's own.

The files are written with zipfile, their big parts as a short random block repeated: that compresses about
a hundred times, like the files of the issue (under the zip-bomb check, which refuses two hundred), and
costs little to make. The child runs with a cap on its data size and CPU time, so that the code these
tests guard against fails them instead of taking the machine's memory."""

import json
import os
import random
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from common.imports import spreadsheets

pytestmark = pytest.mark.hostile

ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_MB = 300
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml."
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Chi bộ / Đảng bộ"]


# -- Writing files ------------------------------------------------------------------------------------------


def repeated(make_unit, size, block=24_000, seed=13):
    """About `size` bytes of units from make_unit(rng), as one block of different units under deflate's 32 KB
    window, repeated."""
    rng = random.Random(seed)
    units = []
    length = 0
    while length < block:
        units.append(make_unit(rng))
        length += len(units[-1])
    chunk = b"".join(units)
    return [chunk] * (size // len(chunk)), len(units) * (size // len(chunk))


def inline(text):
    return b'<c t="inlineStr"><is><t>' + text.encode() + b"</t></is></c>"


def row(cells, number=None):
    opening = b"<row>" if number is None else b'<row r="%d">' % number
    return opening + b"".join(cells) + b"</row>"


HEADER_ROW = row([inline(text) for text in HEADER])
PERSON_ROW = row([b"<c><v>1</v></c>", inline("Nguyễn Văn An"), inline("05/03/1975"), inline("Bí thư"), inline("CB1")])


def sheet_part(rows=(), head=b""):
    yield b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="' + MAIN + b'">'
    yield head
    yield b"<sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


def workbook(path, sheet=None, *, strings=None, sheets=None, styles=None, extra=None):
    """A .xlsx at path: the worksheet, shared strings and styles as iterables of bytes written as they come,
    sheets a list of sheet element attributes for the workbook part (one sheet named DS by default)."""
    sheet = sheet_part([HEADER_ROW, PERSON_ROW]) if sheet is None else sheet
    sheets = sheets or [b'name="DS" sheetId="1" r:id="rId1"']
    styles = styles or styles_part([b'<xf numFmtId="0"/>'], 1)
    types = [
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        b'<Default Extension="xml" ContentType="application/xml"/>',
        b'<Override PartName="/xl/workbook.xml" ContentType="' + TYPE + b'sheet.main+xml"/>',
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="' + TYPE + b'worksheet+xml"/>',
        b'<Override PartName="/xl/styles.xml" ContentType="' + TYPE + b'styles+xml"/>',
    ]
    relations = [
        b'<Relationship Id="rId1" Type="' + RELATIONSHIPS + b'/worksheet" Target="worksheets/sheet1.xml"/>',
        b'<Relationship Id="rId2" Type="' + RELATIONSHIPS + b'/styles" Target="styles.xml"/>',
    ]
    if strings is not None:
        types.append(b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + TYPE + b'sharedStrings+xml"/>')
        relations.append(
            b'<Relationship Id="rId3" Type="' + RELATIONSHIPS + b'/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts = {
        "[Content_Types].xml": [
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
            *types,
            b"</Types>",
        ],
        "_rels/.rels": [
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="' + RELATIONSHIPS + b'/officeDocument" Target="xl/workbook.xml"/>'
            b"</Relationships>"
        ],
        "xl/workbook.xml": [
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="' + MAIN + b'" xmlns:r="' + RELATIONSHIPS + b'">'
            b"<sheets>",
            *(b"<sheet " + attributes + b"/>" for attributes in sheets),
            b"</sheets></workbook>",
        ],
        "xl/_rels/workbook.xml.rels": [
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
            *relations,
            b"</Relationships>",
        ],
        "xl/styles.xml": styles,
        "xl/worksheets/sheet1.xml": sheet,
        **({"xl/sharedStrings.xml": strings} if strings is not None else {}),
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in parts.items():
            with archive.open(name, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return path


def styles_part(xfs, count):
    yield (
        b'<styleSheet xmlns="' + MAIN + b'"><fonts count="1"><font><sz val="11"/></font></fonts>'
        b'<fills count="1"><fill><patternFill/></fill></fills><borders count="1"><border/></borders>'
        b'<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="%d">' % count
    )
    yield from xfs
    yield b'</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    yield b"</styleSheet>"


def shared_strings(chunks, declared=None):
    count = b"" if declared is None else b' count="%d" uniqueCount="%d"' % (declared, declared)
    yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="' + MAIN + b'"' + count + b">"
    yield from chunks
    yield b"</sst>"


def digit_cell(rng):
    return b"<c><v>%d</v></c>" % rng.randrange(10)


def letters(rng, length=64):
    return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ") for _ in range(length))


# -- The shapes ---------------------------------------------------------------------------------------------


def wide_row(path):
    """One row of two million cells under a header, in a sheet that states it is three rows by five columns."""
    cells, _count = repeated(digit_cell, 2_000_000 * 16)
    rows = [HEADER_ROW, b"<row>", *cells, b"</row>"]
    return workbook(path, sheet_part(rows, head=b'<dimension ref="A1:E3"/>'))


def many_shared_strings(path):
    """Three million different shared strings in a table that declares three (as the issue's file: 1.8 GB)."""
    chunks = (
        b"".join(b"<si><t>%d</t></si>" % number for number in range(start, start + 100_000))
        for start in range(0, 3_000_000, 100_000)
    )
    return workbook(path, strings=shared_strings(chunks, declared=3))


def declared_shared_strings(path):
    """A table of shared strings that declares ten million of them."""
    return workbook(path, strings=shared_strings([b"<si><t>An</t></si>"], declared=10_000_000))


def much_shared_text(path):
    """A thousand shared strings of 30,000 letters each: thirty million characters."""
    chunks, _count = repeated(lambda rng: b"<si><t>" + letters(rng, 30_000) + b"</t></si>", 30_100_000)
    return workbook(path, strings=shared_strings(chunks))


def rich_shared_string(path):
    """One shared string of two million runs of rich text."""
    runs, _count = repeated(lambda rng: b"<r><t>%c</t></r>" % rng.choice(b"abcdefgh"), 2_000_000 * 15)
    return workbook(path, strings=shared_strings([b"<si>", *runs, b"</si>"]))


def long_shared_string(path):
    """One shared string of a hundred million characters."""
    text, _count = repeated(letters, 100_000_000)
    return workbook(path, strings=shared_strings([b"<si><t>", *text, b"</t></si>"]))


def long_cell_text(path):
    """One cell whose inline text has a hundred million characters."""
    text, _count = repeated(letters, 100_000_000)
    rows = [HEADER_ROW, b'<row><c r="B2" t="inlineStr"><is><t>', *text, b"</t></is></c></row>"]
    return workbook(path, sheet_part(rows))


def long_tag(path):
    """A cell with an attribute of fifty million characters: expat holds a tag whole."""
    text, _count = repeated(letters, 50_000_000)
    rows = [HEADER_ROW, b'<row><c r="B2" x="', *text, b'"><v>1</v></c></row>']
    return workbook(path, sheet_part(rows))


def many_sheets(path):
    """A workbook part listing 150,000 sheets, all the same worksheet."""
    sheets = [b'name="S%d" sheetId="%d" r:id="rId1"' % (number, number) for number in range(1, 150_001)]
    return workbook(path, sheets=sheets)


def many_styles(path):
    """400,000 cell formats."""
    xfs, count = repeated(lambda rng: b'<xf numFmtId="%d"/>' % rng.randrange(100), 7_000_000)
    return workbook(path, styles=styles_part(xfs, count))


def deep_styles(path):
    """Styles nested 100,000 elements deep (in 700 kB, too small for the compression-ratio check)."""
    return workbook(
        path, styles=[b'<styleSheet xmlns="' + MAIN + b'">', b"<a>" * 100_000, b"</a>" * 100_000, b"</styleSheet>"]
    )


def far_apart_rows(path):
    """A person every 990 rows down to Excel's last row: each gap is shorter than the blank rows that end a
    sheet, so the whole sheet is read."""
    person = (
        b'<row r="%d"><c r="B%d" t="inlineStr"><is><t>An</t></is></c>'
        b'<c r="E%d" t="inlineStr"><is><t>CB1</t></is></c></row>'
    )
    rows = [HEADER_ROW, *(person % (number, number, number) for number in range(2, spreadsheets.EXCEL_ROWS, 990))]
    return workbook(path, sheet_part(rows))


def many_cells(path):
    """50,000 people (the most rows a table may have) with 120 more cells each: six million cells."""
    rng = random.Random(13)
    blocks = [b"".join(digit_cell(rng) for _ in range(120)) for _ in range(16)]
    person = b'<row><c r="B%d" t="inlineStr"><is><t>An</t></is></c><c r="E%d" t="inlineStr"><is><t>CB1</t></is></c>'
    rows = [HEADER_ROW, *(person % (number, number) + rng.choice(blocks) + b"</row>" for number in range(2, 50_002))]
    return workbook(path, sheet_part(rows))


def stated_past_the_grid(path):
    """A sheet stating it has two million rows."""
    return workbook(path, sheet_part([HEADER_ROW, PERSON_ROW], head=b'<dimension ref="A1:XFD2000000"/>'))


def cell_past_the_grid(path):
    """A cell in column XFE, one right of Excel's last."""
    return workbook(path, sheet_part([HEADER_ROW, row([b'<c r="XFE2"><v>1</v></c>'])]))


def big_other_part(path):
    """Twenty megabytes of 'image' beside a sheet."""
    image, _count = repeated(letters, 20 * 1024 * 1024)
    return workbook(path, extra={"xl/media/image1.png": image})


SHAPES = {
    "wide_row": (wide_row, "row_too_wide", "16.384 ô"),
    "many_shared_strings": (many_shared_strings, "shared_strings", "500.000 đoạn chữ"),
    "declared_shared_strings": (declared_shared_strings, "shared_strings", "500.000 đoạn chữ"),
    "much_shared_text": (much_shared_text, "shared_text_size", "20 triệu ký tự"),
    "rich_shared_string": (rich_shared_string, "part_elements", "quá 1.000 mục"),
    "long_shared_string": (long_shared_string, "text_too_long", "32.767 ký tự"),
    "long_cell_text": (long_cell_text, "text_too_long", "32.767 ký tự"),
    "long_tag": (long_tag, "xml_token", "thẻ XML dài bất thường"),
    "many_sheets": (many_sheets, "too_many_sheets", "100 trang tính"),
    "many_styles": (many_styles, "too_many_styles", "100.000 kiểu định dạng"),
    "deep_styles": (deep_styles, "xml_depth", "64 tầng"),
    "far_apart_rows": (far_apart_rows, "sheet_too_long", "100.000 dòng"),
    "many_cells": (many_cells, "too_many_cells", "2.000.000 ô và thành phần của ô"),
    "stated_past_the_grid": (stated_past_the_grid, "sheet_size", "1.048.576 dòng, 16.384 cột"),
    "cell_past_the_grid": (cell_past_the_grid, "sheet_size", "1.048.576 dòng, 16.384 cột"),
    "big_other_part": (big_other_part, "parts_size", "tối đa 10 MB"),
}


# -- Reading in a child process -----------------------------------------------------------------------------

# The child's data segment and CPU time are capped only to keep a regression from taking the machine with it.
# Its peak memory is its resident set's high-water mark, VmHWM: getrusage's ru_maxrss would also count the
# parent's, which a child inherits through exec (a test run's pytest process can weigh more than the limit).
SAFETY = """
import resource
resource.setrlimit(resource.RLIMIT_DATA, (2 * 1024**3, 2 * 1024**3))
resource.setrlimit(resource.RLIMIT_CPU, (120, 120))


def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
"""

READ = """
import json, sys, time
import django
django.setup()
from django.utils import translation
from enrollments.nomination_import import SPECS
from common.imports.spreadsheets import SpreadsheetError, read_tables
translation.activate("vi")
data = open(sys.argv[1], "rb").read()
started, cpu = time.perf_counter(), time.process_time()
try:
    tables = read_tables(data, SPECS, "danh-sach.xlsx")
except SpreadsheetError as error:
    outcome = {"code": error.code, "message": error.messages[0]}
except MemoryError:
    outcome = {"code": "MemoryError"}
else:
    outcome = {"code": None, "rows": len(tables["nominations"].rows) if tables["nominations"] else None}
outcome["seconds"], outcome["cpu_seconds"] = time.perf_counter() - started, time.process_time() - cpu
outcome["peak_mb"] = peak_mb()
print(json.dumps(outcome))
"""


def in_child(code, *arguments, **environment):
    """What the child printed last, as JSON, after running code in a fresh Python with the project's settings."""
    process = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SAFETY + code), *map(str, arguments)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **environment},
        capture_output=True,
        text=True,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    outcome = json.loads(process.stdout.strip().splitlines()[-1])
    print(outcome)  # the figures, shown with pytest -s
    return outcome


@pytest.mark.parametrize("shape", SHAPES)
def test_a_hostile_workbook_is_refused_with_its_limit_and_read_in_under_300_mb(shape, tmp_path):
    make, code, limit = SHAPES[shape]
    path = make(tmp_path / f"{shape}.xlsx")
    assert path.stat().st_size < 20 * 1024 * 1024  # an upload the form takes

    outcome = in_child(READ, path)

    assert outcome["code"] == code, outcome
    assert limit in outcome["message"]
    assert outcome["peak_mb"] < PEAK_LIMIT_MB


def test_the_hostile_workbooks_pass_the_zip_checks_that_were_there_before(tmp_path):
    """Each shape is small and compresses like a workbook: only the new limits can refuse it."""
    for shape, (make, _code, _limit) in SHAPES.items():
        with zipfile.ZipFile(make(tmp_path / f"{shape}.xlsx")) as archive:
            entries = archive.infolist()
        assert len(entries) <= spreadsheets.MAX_ENTRIES, shape
        assert sum(entry.file_size for entry in entries) <= spreadsheets.MAX_UNCOMPRESSED_BYTES, shape
        for entry in entries:
            ratio_checked = entry.file_size > spreadsheets.RATIO_EXEMPT_BYTES
            assert not ratio_checked or entry.file_size <= spreadsheets.MAX_COMPRESSION_RATIO * entry.compress_size


# -- Through the upload page --------------------------------------------------------------------------------

UPLOAD = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from django.contrib.auth import get_user_model
setup_test_environment()
call_command("migrate", verbosity=0)
staff = get_user_model().objects.create_superuser("trung-tam", "tt@example.org", "x")
client = Client()
client.force_login(staff)
upload = open(sys.argv[1], "rb")
# Setting up the database costs more memory than the upload may: the peak is counted from here on.
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
response = client.post(reverse("admin:organizations_organization_import"), {"file": upload})
errors = response.context["form"].errors["file"] if response.status_code == 200 else []
print(json.dumps({
    "status": response.status_code,
    "errors": errors,
    "peak_mb": peak_mb(),
}))
"""


def test_the_upload_page_answers_a_hostile_workbook_with_the_message_in_under_300_mb(tmp_path):
    path = many_shared_strings(tmp_path / "danh-sach.xlsx")

    outcome = in_child(UPLOAD, path, DATABASE_URL="sqlite://:memory:", MEDIA_ROOT=str(tmp_path / "media"))

    assert outcome["status"] == 200
    assert outcome["errors"] == ["Tệp có quá 500.000 đoạn chữ khác nhau; hãy chia thành nhiều tệp."]
    assert outcome["peak_mb"] < PEAK_LIMIT_MB


# -- What must still be read ----------------------------------------------------------------------------------


def longest_list(path):
    """50,000 people, their text in a shared-strings table as Excel saves it."""
    names = [f"Nguyễn Văn {number}" for number in range(spreadsheets.MAX_ROWS)]
    texts = [*HEADER, "Bí thư", "CB1", *names]
    index = {text: position for position, text in enumerate(texts)}

    def shared(text):
        return b'<c t="s"><v>%d</v></c>' % index[text]

    rows = [row([shared(text) for text in HEADER])]
    for number, name in enumerate(names):
        birth = 20_000 + number % 10_000  # a date serial, read as a number
        rows.append(
            row(
                [
                    b"<c><v>%d</v></c>" % (number + 1),
                    shared(name),
                    b"<c><v>%d</v></c>" % birth,
                    shared("Bí thư"),
                    shared("CB1"),
                ]
            )
        )
    strings = shared_strings([b"".join(b"<si><t>" + text.encode() + b"</t></si>" for text in texts)], len(texts))
    return workbook(path, sheet_part(rows), strings=strings)


def test_a_list_of_the_most_rows_an_import_takes_is_still_read_in_under_300_mb(tmp_path):
    path = longest_list(tmp_path / "lon.xlsx")

    outcome = in_child(READ, path)

    assert outcome["code"] is None, outcome
    assert outcome["rows"] == spreadsheets.MAX_ROWS
    assert outcome["peak_mb"] < PEAK_LIMIT_MB
