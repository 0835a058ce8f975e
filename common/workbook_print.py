"""How a workbook this product makes looks on paper: one font, A4 fitted to the page's width, a header with the
sheet's name and a footer with "Trang X/Y" on every page, row heights for wrapped text, and the file's properties.

Spreadsheet programs size a row to its wrapped text only when someone edits it (LibreOffice does it for some rows
on opening, not for all): a row whose cells wrap is given its height here, from an estimate of its lines, or its
text is cut on screen and on paper. Shared machinery like common.workbook_cells: it imports no app.
"""

import math
import textwrap
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.worksheet import Worksheet

# The font of Vietnamese administrative documents, with every Vietnamese glyph on the computers that open these
# files. Where it is missing, LibreOffice takes Liberation Serif (Debian's fonts-liberation2), of the same widths,
# so the line estimate below holds there too; a wider stand-in (DejaVu Serif) would cut some wrapped lines.
FONT_NAME = "Times New Roman"
FONT_SIZE = 11
# A line of text takes about 1.3 times the font's size (Excel's default row is 15 points for 11-point text).
LINE_HEIGHT = 1.35
# The share of a column's width (in characters of the default font) that one line of wrapped text fills: less
# than one, so the estimate errs towards an extra line rather than a cut one.
FILL = 0.95
FOOTER = "Trang &P/&N"  # page X of Y
SHEET_NAME = "&A"


def font(*, size: float = FONT_SIZE, **attributes) -> Font:
    """A font of the workbooks (bold, italic, colour as given), so no cell falls back to the program's default."""
    return Font(name=FONT_NAME, size=size, **attributes)


def use_font(workbook, *, size: float = FONT_SIZE) -> None:
    """Make the workbook's default font (its Normal style, which every unstyled cell takes) the workbooks' font.

    Must be called on a new workbook, before any other style is added: the default font is the first of the
    workbook's fonts, which openpyxl keeps in a private list and offers no setter for.
    """
    default = font(size=size)
    workbook._fonts = IndexedList([default])
    workbook._named_styles["Normal"].font = default


def set_properties(workbook, *, title: str, creator: str, subject: str = "") -> None:
    """The file's title and author, which a file manager and File › Properties show."""
    workbook.properties.title = title
    workbook.properties.subject = subject
    workbook.properties.creator = creator
    workbook.properties.lastModifiedBy = creator


def print_setup(sheet, *, title_rows: str | None = None, landscape: bool = True) -> None:
    """A4, fitted to the page's width only (as many pages down as it takes), the title rows (e.g. "4:4") repeated
    on every page, the sheet's name above and "Trang X/Y" below. Call it before the sheet's first row."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    if title_rows:
        sheet.print_title_rows = title_rows
    for part, text in ((sheet.oddHeader.center, SHEET_NAME), (sheet.oddFooter.center, FOOTER)):
        part.text = text
        part.font = f"{FONT_NAME},Regular"
        part.size = FONT_SIZE - 1


def one_line_length(width: float, *, size: float = FONT_SIZE) -> int:
    """The most characters one line of a column width characters wide holds, by the estimate below: text no longer
    (and without a line break) takes one line, which a writer of many rows may test before counting."""
    return max(1, int(width * FILL * FONT_SIZE / size))


def wrapped_lines(text: str, width: float, *, size: float = FONT_SIZE) -> int:
    """How many lines text takes when wrapped in a column width characters wide (an estimate, rounded up)."""
    if not text:
        return 1
    per_line = one_line_length(width, size=size)
    return sum(max(1, len(textwrap.wrap(line, per_line, break_long_words=True))) for line in text.split("\n"))


def row_height(lines: int, *, size: float = FONT_SIZE) -> float:
    """The height in points of a row holding lines lines of text."""
    return math.ceil(lines * size * LINE_HEIGHT + 2)


def set_row_height(sheet, row: int, cells: Iterable[tuple[str, float]], *, size: float = FONT_SIZE) -> bool:
    """Give row the height its tallest wrapped cell needs; cells are (text, column width) pairs. Returns whether
    it needed more than one line (a write-only sheet writes the height when the row is appended)."""
    lines = max((wrapped_lines(text, width, size=size) for text, width in cells), default=1)
    if lines <= 1:
        return False
    set_row_height_points(sheet, row, row_height(lines, size=size))
    return True


def set_row_height_points(sheet, row: int, height: float) -> None:
    """Give row a fixed height in points (in a write-only sheet: before the row is appended)."""
    sheet.row_dimensions[row] = RowDimension(sheet, index=row, ht=height, customHeight=True)


def issuer_name(user):
    """Who the report is from, for the file's author: the user who asked for it, or the center when the command
    ran it for the whole bloc (a user that is not saved). A name in the Vietnamese order: family name first."""
    if user is None or user.pk is None:
        return _("Trung tâm Bồi dưỡng chính trị")
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()
