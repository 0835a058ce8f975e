"""The safe workbook reader: what it refuses before openpyxl opens a file, how it finds the table in the
shapes files come in, and that it never trusts what a sheet says about its own size."""

import datetime
import io
import re
import struct
import tracemalloc
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from common.imports import spreadsheets
from common.imports.spreadsheets import Column, SpreadsheetError, read_tables
from demo.import_samples import EXCEL, LIBREOFFICE, saved_by
from organizations import checks
from tests.imports.workbooks import rewritten, with_entries, xlsx

COLUMNS = [
    Column("full_name", "Họ và tên", ("Họ tên",), required=True),
    Column("birth_date", "Ngày sinh", (), required=True),
    Column("organization", "Chi bộ / Đảng bộ", ("Chi bộ, Đảng bộ",)),
]
SPECS = {"people": COLUMNS}
HEADER = ["Họ và tên", "Ngày sinh", "Chi bộ / Đảng bộ"]
ROWS = [["Nguyễn Văn An", "05/03/1975", "CB1"], ["Lê Thị Bình", "06/04/1980", "CB2"]]


def table_of(data, file_name="danh-sach.xlsx"):
    return read_tables(data, SPECS, file_name)["people"]


def refusal(data, file_name="danh-sach.xlsx"):
    with pytest.raises(SpreadsheetError) as raised:
        read_tables(data, SPECS, file_name)
    return raised.value


# -- Files that are not a workbook to read ----------------------------------------------------------


def test_an_old_xls_file_is_refused_with_a_message_saying_to_save_it_as_xlsx():
    ole = spreadsheets.OLE_SIGNATURE + b"\x00" * 2000 + "Workbook".encode("utf-16-le")

    error = refusal(ole, "danh-sach.xls")

    assert error.code == "xls"
    assert ".xls" in error.messages[0] and "lưu thành .xlsx" in error.messages[0]


def test_a_password_protected_workbook_is_refused_with_a_message_about_the_password():
    encrypted = spreadsheets.OLE_SIGNATURE + b"\x00" * 512 + "EncryptionInfo".encode("utf-16-le")
    encrypted += b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le")

    error = refusal(encrypted, "danh-sach.xlsx")

    assert error.code == "encrypted"
    assert "mật khẩu" in error.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        "STT,Họ và tên,Ngày sinh\n1,Nguyễn Văn An,05/03/1975\n".encode(),
        "STT;Họ và tên;Ngày sinh\r\n1;Nguyễn Văn An;05/03/1975\r\n".encode("utf-8-sig"),
    ],
)
def test_a_csv_file_is_refused_with_a_message_saying_to_save_it_as_xlsx(content):
    error = refusal(content, "danh-sach.csv")

    assert error.code == "csv"
    assert "CSV" in error.messages[0]


def test_random_bytes_are_refused_as_not_a_workbook():
    assert refusal(bytes(range(256)) * 4).code == "not_xlsx"


def test_an_empty_file_is_refused():
    assert refusal(b"").code == "empty"


def test_a_file_over_the_size_limit_is_refused_before_anything_is_read(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000

    error = refusal(xlsx(("DS", [HEADER, *ROWS])))

    assert error.code == "too_large"


def test_a_truncated_workbook_is_refused_as_corrupt():
    data = xlsx(("DS", [HEADER, *ROWS]))

    assert refusal(data[: len(data) // 2]).code == "corrupt"


def test_a_zip_that_is_not_a_workbook_is_refused():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")

    assert refusal(output.getvalue()).code == "not_xlsx"


def test_an_opendocument_spreadsheet_is_refused_with_a_message_naming_ods():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")

    error = refusal(output.getvalue(), "danh-sach.ods")

    assert error.code == "ods"
    assert ".ods" in error.messages[0]


def test_a_zip_needing_an_unknown_zip_version_is_refused_as_corrupt():
    """zipfile raises NotImplementedError for it, not BadZipFile: found by the fuzz test."""
    data = bytearray(xlsx(("DS", [HEADER, *ROWS])))
    for match in re.finditer(rb"PK\x01\x02", data):
        data[match.start() + 6 : match.start() + 8] = struct.pack("<H", 64)  # version needed to extract: 6.4

    assert refusal(bytes(data)).code == "corrupt"


def test_a_sheet_with_broken_xml_is_refused_as_corrupt():
    data = rewritten(
        xlsx(("DS", [HEADER, *ROWS])),
        lambda name, content: content[: len(content) // 2] if name.startswith("xl/worksheets/") else content,
    )

    assert refusal(data).code == "corrupt"


# -- Zip bombs and XML bombs ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb():
    """A real workbook carrying 500 MB of zeros that compress to about half a megabyte."""

    def zeros(stream):
        block = b"\x00" * (1024 * 1024)
        for _ in range(500):
            stream.write(block)

    return with_entries(xlsx(("DS", [HEADER, *ROWS])), {"xl/media/image1.bin": zeros})


def test_a_zip_bomb_of_500_mb_is_refused_from_its_directory_with_little_memory(zip_bomb):
    assert len(zip_bomb) < 600 * 1024

    tracemalloc.start()
    try:
        error = refusal(zip_bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.code in ("zip_ratio", "zip_size")
    assert "không đọc tệp này" in error.messages[0]
    assert peak < 5 * 1024 * 1024


def test_entries_that_expand_past_the_total_limit_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    data = with_entries(xlsx(("DS", [HEADER, *ROWS])), {f"xl/media/{n}.bin": b"\x00" * 700_000 for n in range(4)})

    assert refusal(data).code == "zip_size"


def test_a_zip_with_too_many_entries_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ENTRIES", 20)
    data = with_entries(xlsx(("DS", [HEADER, *ROWS])), {f"xl/media/{n}.bin": b"x" for n in range(20)})

    assert refusal(data).code == "zip_entries"


def test_an_entry_whose_directory_understates_its_size_inflates_no_further_and_is_refused(monkeypatch):
    """zipfile never inflates past the declared size, so the checked sizes are all openpyxl can get."""
    data = xlsx(("DS", [HEADER, *ROWS]))
    real = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size
    # Rewrite the sheet's declared uncompressed size to 100 bytes in its local and central headers.
    name = b"xl/worksheets/sheet1.xml"
    lying = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        for match in re.finditer(re.escape(signature), lying):
            start = match.start()
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            if lying[start + name_offset : start + name_offset + len(name)] == name:
                lying[start + offset : start + offset + 4] = struct.pack("<I", 100)
    assert real > 100

    assert refusal(bytes(lying)).code == "corrupt"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_an_xml_entity_bomb_in_any_part_is_refused_by_defusedxml(part):
    data = saved_by(xlsx(("DS", [HEADER, *ROWS])), EXCEL)

    def bomb(name, content):
        if name != part:
            return content
        content = re.sub(rb"^<\?xml[^>]*\?>", b"", content)
        return BILLION_LAUGHS + content.replace(b"</t>", b"&lol3;</t>", 1).replace(b"<sheets>", b"<sheets>&lol3;")

    assert refusal(rewritten(data, bomb)).code == "corrupt"


def test_without_defusedxml_no_file_is_read_and_the_system_check_fails(monkeypatch):
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)

    assert refusal(xlsx(("DS", [HEADER, *ROWS]))).code == "unsafe_parser"
    assert [error.id for error in checks.workbooks_are_parsed_safely(None)] == ["organizations.E001"]


def test_with_defusedxml_the_system_check_passes():
    assert checks.workbooks_are_parsed_safely(None) == []


# -- Finding the table ----------------------------------------------------------------------------------


def test_the_header_is_found_after_a_merged_title_and_blank_rows():
    data = xlsx(("DS", [["DANH SÁCH CỬ ĐI HỌC"], [], [None], HEADER, *ROWS]), merge_title=True)

    table = table_of(data)

    assert table.header_row == 4
    assert [row.number for row in table.rows] == [5, 6]
    assert table.rows[0]["full_name"] == "Nguyễn Văn An"


def test_headers_match_in_any_order_whatever_their_accents_case_and_wording():
    header = ["chi bộ, đảng bộ", "NGAY SINH", "Họ  tên (ghi đủ)"]
    data = xlsx(("DS", [header, ["CB1", "05/03/1975", "Nguyễn Văn An"]]))

    table = table_of(data)

    assert table.rows[0].values == {"organization": "CB1", "birth_date": "05/03/1975", "full_name": "Nguyễn Văn An"}
    assert table.headers["birth_date"] == "NGAY SINH"


def test_the_data_is_on_the_first_sheet_that_has_the_headers():
    data = xlsx(("Công văn", [["Kính gửi Trung tâm"]]), ("DS", [HEADER, ROWS[0]]), ("DS cũ", [HEADER, ROWS[1]]))

    table = table_of(data)

    assert table.sheet == "DS"
    assert [row["full_name"] for row in table.rows] == ["Nguyễn Văn An"]


def test_no_sheet_with_the_required_headers_gives_no_table():
    assert table_of(xlsx(("DS", [["Họ và tên", "Quê quán"], ["Nguyễn Văn An", "Hà Nội"]]))) is None


def test_blank_rows_inside_the_data_are_skipped_and_trailing_ones_ignored():
    data = xlsx(("DS", [HEADER, ROWS[0], [None, None, None], ["  ", None, None], ROWS[1], *([[None]] * 50)]))

    assert [row.number for row in table_of(data).rows] == [2, 5]


def test_a_stray_cell_at_the_last_row_and_column_does_not_make_the_sheet_that_big():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    sheet.cell(row=1_048_576, column=16_384, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = table_of(buffer.getvalue())

    assert [row["full_name"] for row in table.rows] == ["Nguyễn Văn An", "Lê Thị Bình"]


def test_a_sheet_that_understates_its_dimension_is_read_to_its_last_row():
    data = rewritten(
        xlsx(("DS", [HEADER, *ROWS])),
        lambda name, content: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', content)
        if name.startswith("xl/worksheets/")
        else content,
    )

    assert len(table_of(data).rows) == 2


def test_more_rows_than_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 5)
    data = xlsx(("DS", [HEADER, *([ROWS[0]] * 6)]))

    error = refusal(data)

    assert error.code == "too_many_rows"
    assert "DS" in error.messages[0]


def test_columns_past_the_column_limit_are_not_read(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_COLUMNS", 3)
    data = xlsx(("DS", [["STT", "Ghi chú", "Quê quán", *HEADER], [1, None, None, *ROWS[0]]]))

    assert table_of(data) is None


@pytest.mark.parametrize("application", [EXCEL, LIBREOFFICE])
def test_text_in_a_shared_strings_table_as_excel_and_libreoffice_save_it_is_read(application):
    data = saved_by(xlsx(("DS", [HEADER, *ROWS])), application, drop_dimension=True, drop_cell_references=True)
    assert b"xl/sharedStrings.xml" in data

    assert [row["full_name"] for row in table_of(data).rows] == ["Nguyễn Văn An", "Lê Thị Bình"]


# -- The streaming reader ---------------------------------------------------------------------------------


def openpyxl_rows(data):
    """Each sheet's rows as openpyxl's own read-only reader gives them, trailing empty cells dropped."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {
            sheet.title: [_without_trailing_blanks(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def streamed_rows(data):
    workbook = spreadsheets.open_workbook(data)
    try:
        return {
            sheet.title: [
                _without_trailing_blanks(row) for row in spreadsheets._sheet_rows(sheet, spreadsheets._Budget())
            ]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def _without_trailing_blanks(row):
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return row


def typed_workbook():
    """Every kind of cell value, with gaps between rows and columns, a formula and rich text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Kiểu"
    sheet.append(["Nguyễn Văn An", 42, 3.25, -1e-7, True, False, datetime.date(1975, 3, 5)])
    sheet.append([datetime.datetime(2021, 3, 1, 7, 30), datetime.time(8, 15), None, "", "  có dấu cách  "])
    sheet.cell(row=5, column=4, value="sau hai dòng trống")
    sheet.cell(row=5, column=9, value=1_234_567_890_123)
    sheet.cell(row=6, column=1, value="=1+1")
    sheet.cell(row=6, column=2, value=CellRichText("đậm ", TextBlock(InlineFont(b=True), "và thường")))
    workbook.create_sheet("Trống")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("shape", ["openpyxl", "excel", "libreoffice"])
def test_the_streaming_reader_gives_the_values_openpyxl_gives(shape):
    data = typed_workbook()
    if shape == "excel":
        data = saved_by(data, EXCEL)
    elif shape == "libreoffice":
        data = saved_by(data, LIBREOFFICE, drop_dimension=True, drop_cell_references=True)

    assert streamed_rows(data) == openpyxl_rows(data)


def test_the_streaming_reader_keeps_only_the_first_columns_and_skips_rows_out_of_order(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_COLUMNS", 2)
    data = rewritten(
        xlsx(("DS", [["a", "b", "c"], ["d", "e", "f"]])),
        lambda name, content: content.replace(b"</sheetData>", b'<row r="1"><c r="A1"><v>9</v></c></row></sheetData>')
        if name.startswith("xl/worksheets/")
        else content,
    )

    assert streamed_rows(data) == {"DS": [["a", "b"], ["d", "e"]]}


def test_the_text_of_a_phonetic_run_is_no_part_of_the_value():
    runs = '<r><t>Hà</t></r><r><t xml:space="preserve"> Nội</t></r><rPh sb="0" eb="1"><t>ha</t></rPh>'
    data = rewritten(
        xlsx(("DS", [["x"]])),
        lambda name, content: re.sub(
            rb"<is><t>x</t></is>",
            f"<is>{runs}</is>".encode(),
            content,
        )
        if name.startswith("xl/worksheets/")
        else content,
    )

    assert streamed_rows(data) == {"DS": [["Hà Nội"]]}


@pytest.mark.parametrize(
    ("limit", "value", "code"),
    [
        ("MAX_CELLS_PER_ROW", 2, "row_too_wide"),
        ("MAX_CELLS", 5, "too_many_cells"),
        ("MAX_SHEET_ROWS", 2, "sheet_too_long"),
        ("MAX_TEXT_LENGTH", 5, "text_too_long"),
        ("MAX_SHARED_STRINGS", 2, "shared_strings"),
        ("MAX_SHARED_TEXT_LENGTH", 10, "shared_text_size"),
        ("MAX_STRING_ELEMENTS", 1, "part_elements"),
        ("MAX_SHEETS", 1, "too_many_sheets"),
        ("MAX_STYLES", 10, "too_many_styles"),
        ("MAX_PART_ELEMENTS", 10, "part_elements"),
        ("MAX_OTHER_PARTS_BYTES", 10_000, "parts_size"),
    ],
)
def test_a_file_past_a_reading_limit_is_refused_with_a_message(monkeypatch, limit, value, code):
    """The hostile-workbook suite refuses files past each limit at its real size; here each limit is lowered."""
    monkeypatch.setattr(spreadsheets, limit, value)
    data = saved_by(xlsx(("DS", [HEADER, *ROWS]), ("DS cũ", [HEADER, *ROWS])), EXCEL)

    error = refusal(data)

    assert error.code == code
    assert error.messages[0]
