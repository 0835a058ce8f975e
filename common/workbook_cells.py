"""The one cell writer of every workbook this product makes: values keep their type, text stays text.

Templates, import error reports, exported lists and the yearly workbook all put their cells through
safe_cell(), so text that arrived from a user (an uploaded cell, a member's name) can never become a
formula, a command or an error value in the file someone later opens. It is shared machinery: every app
may import it; it imports no app.
"""

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell

# Excel, LibreOffice and CSV readers treat text starting with these as a formula or a command.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Text openpyxl would store as an error value (#N/A, #DIV/0!, ...).
ERROR_TEXTS = frozenset(ERROR_CODES)


def clean_text(text: str) -> str:
    """Text as a cell may hold it: control characters, which the file format cannot store, removed, and line
    breaks as a reader sees them (XML turns CR LF and CR into LF, unless lxml writes them escaped)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def is_plain(value: Any) -> bool:
    """True when openpyxl may take value as it is: not text, or text with nothing to remove and nothing a
    spreadsheet would run or show as an error. A writer that builds its own cells for speed asks this
    first and hands every other value to safe_cell()."""
    if not isinstance(value, str):
        return True
    return value.isprintable() and not value.startswith(FORMULA_START) and value not in ERROR_TEXTS


def safe_cell(sheet, value: Any, *, style: str | None = None, **formatting: Any) -> Cell:
    """A cell of sheet (write-only or not) holding value, for sheet.append().

    Numbers (negative ones too), dates and booleans are written as themselves. Text is cleaned, and text
    that starts like a formula or reads like an error value is stored as a string with Excel's quote
    prefix: the file shows it as it was typed, and neither opening nor editing the cell evaluates it.
    style is a named style of the workbook; formatting sets cell attributes (font, fill, alignment,
    number_format).
    """
    if isinstance(value, str):
        value = clean_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if style:
        cell.style = style
    for name, setting in formatting.items():
        setattr(cell, name, setting)
    if isinstance(value, str) and (value.startswith(FORMULA_START) or value in ERROR_TEXTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def safe_row(sheet, values: Iterable[Any]) -> list:
    """A row for sheet.append(): plain values as they are, every other one through safe_cell()."""
    return [value if is_plain(value) else safe_cell(sheet, value) for value in values]
