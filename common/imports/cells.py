"""Parsing the cells of an imported table the ways people type them (dates, names, phone numbers, e-mail
addresses, choices), taking a row's cells into an import's report, and the messages that name a cell."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from common.vietnamese import normalize_name, search_key

CHUNK = 2000  # values per IN (...) list


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def header_key(text):
    """A header cell reduced for comparison: no accents, case, punctuation or notes in brackets."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", str(text))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", search_key(text)).split())


# -- Cells ----------------------------------------------------------------------------------------


class CellError(Exception):
    """A cell that cannot be taken; the message says why, without the row or column."""


def shown(value):
    """A cell's value as the user sees it, for messages."""
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class DateValue:
    """A date from a cell; year_only when the cell gave only a year (the date is then 1 January)."""

    date: datetime.date
    year_only: bool = False

    def matches(self, day):
        """Whether a stored date is this one: the same day, or the same year when the cell gave only a year."""
        return day is not None and (day.year == self.date.year if self.year_only else day == self.date)

    def __str__(self):
        return str(self.date.year) if self.year_only else self.date.strftime("%d/%m/%Y")


_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?")
_YEAR = re.compile(r"\d{4}")
FIRST_YEAR, LAST_YEAR = 1900, 2100
# Excel's serial numbers for 1 January 1900 and 31 December 2100.
FIRST_SERIAL, LAST_SERIAL = 1, 73415


def parse_date(value):
    """A DateValue from an Excel date, a serial number, 'dd/mm/yyyy' (also d/m/yyyy, dd-mm-yyyy,
    dd.mm.yyyy), 'yyyy-mm-dd', or a year alone. None for an empty cell; CellError otherwise."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return _in_range(value.date(), value)
    if isinstance(value, datetime.date):
        return _in_range(value, value)
    if isinstance(value, bool):
        raise _not_a_date(value)
    if isinstance(value, (int, float)):
        if float(value).is_integer() and FIRST_YEAR <= value <= LAST_YEAR:
            return DateValue(datetime.date(int(value), 1, 1), year_only=True)
        if FIRST_SERIAL <= value <= LAST_SERIAL:
            return _in_range(from_excel(value).date(), value)
        raise _not_a_date(value)
    text = str(value).strip()
    for pattern, order in ((_DAY_MONTH_YEAR, (3, 2, 1)), (_YEAR_MONTH_DAY, (1, 2, 3))):
        match = pattern.fullmatch(text)
        if match:
            try:
                day = datetime.date(*(int(match[group]) for group in order))
            except ValueError as error:
                raise _not_a_date(value) from error
            return _in_range(day, value)
    if _YEAR.fullmatch(text) and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return DateValue(datetime.date(int(text), 1, 1), year_only=True)
    raise _not_a_date(value)


def _in_range(day, value):
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _not_a_date(value)
    return DateValue(day)


def _not_a_date(value):
    return CellError(_("'%(value)s' không phải ngày hợp lệ") % {"value": shown(value)})


def parse_text(value, max_length):
    """Text in NFC with single spaces; numbers as written. None for an empty cell."""
    if is_blank(value):
        return None
    text = normalize_name(shown(value))
    if len(text) > max_length:
        raise CellError(_("dài %(length)d ký tự, tối đa %(limit)d") % {"length": len(text), "limit": max_length})
    return text


def parse_person_name(value, max_length):
    """A person's name: NFC, single spaces, and written in capitals turned into 'Nguyễn Văn An'."""
    text = parse_text(value, max_length)
    if text and text == text.upper() and text != text.lower():
        text = text.title()
    return text


def parse_email(value, max_length=254):
    text = parse_text(value, max_length)
    if text is None:
        return None
    try:
        validate_email(text)
    except ValidationError as error:
        raise CellError(_("'%(value)s' không phải địa chỉ thư điện tử hợp lệ") % {"value": text}) from error
    return text


def parse_phone(value, max_length):
    """A phone number as text; a number Excel stored without its leading zero gets it back."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        digits = str(int(value))
        return parse_text("0" + digits if len(digits) == 9 else digits, max_length)
    return parse_text(value, max_length)


def parse_choice(value, choices, what):
    """The value of choices (a list of (value, name, *variants)) whose name or variant the cell gives."""
    if is_blank(value):
        return None
    choice = _choice_index(choices).get(header_key(shown(value)))
    if choice is not None:
        return choice
    accepted = ", ".join(str(names[0]) for _choice, *names in choices)
    raise CellError(
        _("'%(value)s' không phải %(what)s hợp lệ (chọn một trong: %(accepted)s)")
        % {"value": shown(value), "what": what, "accepted": accepted}
    )


_choice_indexes: dict[tuple[int, str | None], dict] = {}


def _choice_index(choices):
    """{header_key(name): value} for a list of choices, built once per list and interface language (the
    names include the interface's labels)."""
    key = (id(choices), get_language())
    index = _choice_indexes.get(key)
    if index is None:
        index = {}
        for choice, *names in reversed(choices):
            index.update((header_key(name), choice) for name in names)
        _choice_indexes[key] = index
    return index


# -- Messages -------------------------------------------------------------------------------------


def cell_message(row_number, header, message):
    return _("Dòng %(row)d, cột %(column)s: %(message)s") % {"row": row_number, "column": header, "message": message}


def row_message(row_number, message):
    return _("Dòng %(row)d: %(message)s") % {"row": row_number, "message": message}


def take(result, table, row, column, parser, *args, required=False):
    """The cell of row under column, parsed; None (and the row refused) when it cannot be taken."""
    header = table.headers.get(column.key, str(column.label))
    try:
        value = parser(row[column.key], *args)
    except CellError as error:
        result.refuse(str(error), column=header)
        return None
    if value is None and required:
        result.refuse(_("không được để trống"), column=header)
    return value


def in_chunks(values):
    """The values in lists of CHUNK, for the IN (...) lists of an import's bulk queries."""
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
