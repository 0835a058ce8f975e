"""The workbooks' paper machinery on its own: the default font reaches unstyled cells, the page setup and the
header and footer are written, and the estimate of wrapped lines never gives a text fewer lines than it needs."""

import io
import math

import openpyxl
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from common.workbook_print import (
    FONT_NAME,
    FONT_SIZE,
    print_setup,
    row_height,
    set_properties,
    set_row_height,
    use_font,
    wrapped_lines,
)

PATH = "Đảng ủy Bộ Ngoại giao › Đảng bộ Vụ Tổng hợp"


def test_a_plain_cell_takes_the_workbooks_font_and_the_sheet_its_page_setup():
    workbook = Workbook(write_only=True)
    use_font(workbook)
    set_properties(workbook, title="Quá trình bồi dưỡng", creator="Phạm Thị Lan")
    sheet = workbook.create_sheet("Học viên")
    print_setup(sheet, title_rows="2:2", landscape=False)
    assert set_row_height(sheet, 1, [(PATH, 10)])
    sheet.append([PATH, 3])
    buffer = io.BytesIO()
    workbook.save(buffer)

    loaded = openpyxl.load_workbook(buffer)
    assert (loaded.properties.title, loaded.properties.creator) == ("Quá trình bồi dưỡng", "Phạm Thị Lan")
    sheet = loaded["Học viên"]
    assert {(cell.font.name, cell.font.sz) for cell in sheet[1]} == {(FONT_NAME, FONT_SIZE)}
    assert sheet.row_dimensions[1].height == row_height(wrapped_lines(PATH, 10)) >= row_height(4)
    assert sheet.page_setup.orientation == "portrait" and sheet.page_setup.paperSize == 9
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.oddHeader.center.text == "&A" and sheet.oddHeader.center.font == f"{FONT_NAME},Regular"
    assert sheet.oddFooter.center.text == "Trang &P/&N"


def test_a_short_text_needs_no_height_of_its_own():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("T")
    assert not set_row_height(sheet, 1, [("Bí thư", 20), ("", 5)])
    assert 1 not in sheet.row_dimensions


@given(st.text(alphabet="ăâđêôơư abcdeghiklmnopqrstuvxy›,", max_size=300), st.integers(min_value=6, max_value=80))
def test_the_line_estimate_never_falls_short_of_the_characters(text, width):
    """However the words fall, a line holds at most the column's width in characters (less, to spare a cut)."""
    lines = wrapped_lines(text, width)
    assert lines >= 1
    assert lines >= math.ceil(len(text.strip()) / width)
    assert wrapped_lines(text, width * 2) <= lines
