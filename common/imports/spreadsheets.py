"""Reading untrusted Excel workbooks safely and finding their tables; writing templates and error reports
(a copy of the file read within the same limits), through safe cells (text never written as a formula).

Imports of every app read their files here.
A file goes through cheap checks on its bytes and on its zip central directory, then a streaming count of
what its parts hold, before openpyxl sees it; openpyxl then opens it in read-only mode through defusedxml
for its sheet names, shared strings and styles, and the sheets' rows are read here by a streaming parser
that stops at the limits, so no part of a file, whatever it states or holds, costs more than they allow.
"""

import datetime
import io
import pyexpat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import openpyxl.utils
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from common.imports.cells import header_key, is_blank
from common.numbers import decimal
from common.vietnamese import normalize_name
from common.workbook_cells import safe_cell

# -- Limits ---------------------------------------------------------------------------------------
# Real nomination lists weigh tens of kilobytes and the whole bloc's tree about two megabytes; the
# limits leave room for that and refuse what could only be an attack or a mistake.

MAX_ENTRIES = 500
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# Spreadsheet XML compresses 5 to 30 times; a zip bomb a thousand times. Small entries are exempt,
# since a few kilobytes of repeated markup can compress as well as a bomb without harm.
MAX_COMPRESSION_RATIO = 200
RATIO_EXEMPT_BYTES = 1024 * 1024
MAX_ROWS = 50_000  # rows with data, per table
MAX_COLUMNS = 60  # columns read from each sheet; cells further right are ignored
HEADER_SEARCH_ROWS = 30  # a header row is looked for among a sheet's first rows
# A sheet ends after this many blank rows in a row, so a stray cell at row 1,048,576 or a million
# formatted empty rows cost nothing.
TRAILING_BLANK_ROWS = 1000
# What a file may hold, counted as it is read, so that a small file cannot cost gigabytes of memory or minutes
# of work (one row of ten million cells weighs 1.5 MB zipped). Together they keep a read under about 300 MB.
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # Excel's grid: no sheet it writes is larger
MAX_SHEETS = 100
MAX_CELLS_PER_ROW = EXCEL_COLUMNS
MAX_SHEET_ROWS = 2 * MAX_ROWS  # row positions read from one sheet, blank ones included
# Cells read from one workbook, those right of MAX_COLUMNS included, counted with their parts (a number is a cell
# and its value: two; an inline text three), since parsing each costs the same.
MAX_CELLS = 2_000_000
MAX_TEXT_LENGTH = 32_767  # characters in a cell or a shared string: Excel's own limit
MAX_SHARED_STRINGS = 500_000  # openpyxl loads the whole shared-strings table when it opens a file
MAX_SHARED_TEXT_LENGTH = 20_000_000  # characters in the shared-strings table
MAX_STRING_ELEMENTS = 1000  # XML elements of one shared string (rich text has a few a run)
# The parts other than sheets and shared strings (styles, theme, properties, images...) are read whole by
# openpyxl; they weigh some kilobytes in real files.
MAX_OTHER_PARTS_BYTES = 10 * 1024 * 1024
MAX_PART_ELEMENTS = 200_000  # XML elements in one of those parts
MAX_STYLES = 100_000  # XML elements of the styles part; Excel allows 64,000 cell formats
MAX_XML_DEPTH = 64
MAX_XML_TOKEN_BYTES = 1024 * 1024  # one tag with its attributes: expat holds it whole
XML_CHUNK_BYTES = 64 * 1024
DIGITS = "0123456789"

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx alike
ZIP_SIGNATURE = b"PK\x03\x04"
ENCRYPTED_OOXML_MARK = "EncryptedPackage".encode("utf-16-le")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = "[Content_Types].xml"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_PART = "xl/styles.xml"  # openpyxl reads the styles from this name, whatever the content types say
# Parts openpyxl reads whole by their name: never taken for a sheet, whatever their stated type.
READ_WHOLE = {
    CONTENT_TYPES,
    "xl/workbook.xml",
    STYLES_PART,
    "xl/theme/theme1.xml",
    "docProps/core.xml",
    "docProps/custom.xml",
}


def _unsized(sheet):
    """Sheets' rows are read by _sheet_rows, as far as the data goes, whatever a sheet states. openpyxl
    would otherwise look for a sheet's stated size when opening the workbook, reading the whole sheet when it
    states none (LibreOffice and write-only files), before any limit could apply."""


ReadOnlyWorksheet._get_size = _unsized


class SpreadsheetError(ValidationError):
    """The file cannot be read as a workbook; the message says why, in words for the user."""


def _refuse(message, code, **params):
    return SpreadsheetError(message % params if params else message, code=code)


def max_file_megabytes() -> int:
    """The largest workbook an import reads, in MB: settings.IMPORT_MAX_UPLOAD_BYTES, the upload limit too."""
    return settings.IMPORT_MAX_UPLOAD_BYTES // 1024 // 1024


def check_file_size(size: int) -> None:
    """Refuse a file of `size` bytes over the limit, before anything reads it."""
    if size > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise _refuse(
            _("Tệp lớn quá: %(size)s MB, tối đa %(limit)d MB."),
            "too_large",
            size=decimal(size / 1024 / 1024, 1),
            limit=max_file_megabytes(),
        )


def defusedxml_protects_openpyxl() -> bool:
    """True when openpyxl parses XML through defusedxml (entity expansion and external entities off)."""
    return bool(openpyxl.DEFUSEDXML)


# -- Opening a file -------------------------------------------------------------------------------


def check_workbook_bytes(data: bytes, file_name: str = "") -> None:
    """Refuse what is not a reasonable .xlsx, looking only at the bytes and the zip's central directory.

    The central directory declares each entry's sizes, and Python's zipfile never inflates an entry past
    its declared size, so checking the declared sizes bounds what openpyxl can ever decompress.
    """
    if not data:
        raise _refuse(_("Tệp rỗng."), "empty")
    check_file_size(len(data))
    if data.startswith(OLE_SIGNATURE):
        if ENCRYPTED_OOXML_MARK in data:
            raise _refuse(
                _("Tệp được đặt mật khẩu. Hãy mở tệp trong Excel, bỏ mật khẩu rồi lưu lại và tải lên lại."),
                "encrypted",
            )
        raise _refuse(
            _("Tệp là định dạng Excel cũ (.xls). Hãy mở tệp trong Excel hoặc LibreOffice và lưu thành .xlsx."),
            "xls",
        )
    if not data.startswith(ZIP_SIGNATURE):
        if _looks_like_text(data) or file_name.lower().endswith((".csv", ".txt")):
            raise _refuse(
                _("Tệp là văn bản (CSV), không phải bảng tính Excel. Hãy mở tệp trong Excel và lưu thành .xlsx."),
                "csv",
            )
        raise _refuse(_("Tệp không phải bảng tính Excel (.xlsx)."), "not_xlsx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    # What zipfile raises for a damaged central directory: BadZipFile, NotImplementedError for an unknown
    # "version needed", UnicodeDecodeError (a ValueError) for a name flagged UTF-8 that is not, struct.error for a
    # short extra field, and ValueError or OSError for offsets that point outside the file.
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, struct.error) as error:
        raise _corrupt() from error
    with archive:
        entries = archive.infolist()
        _check_entries(entries)
        names = {entry.filename for entry in entries}
        if "mimetype" in names and "content.xml" in names:
            raise _refuse(
                _("Tệp là bảng tính OpenDocument (.ods). Hãy lưu thành .xlsx (Excel 2007-365) rồi tải lên lại."),
                "ods",
            )
        if "xl/workbook.bin" in names:
            raise _refuse(_("Tệp là định dạng .xlsb. Hãy lưu thành .xlsx rồi tải lên lại."), "xlsb")
        if CONTENT_TYPES not in names or "xl/workbook.xml" not in names:
            raise _refuse(_("Tệp nén này không phải bảng tính Excel (.xlsx)."), "not_xlsx")
        try:
            _check_parts(archive, entries)
        # What inflating a damaged entry raises: a bad CRC, a broken deflate stream, a stream cut short, an
        # unknown compression method, an encrypted entry (RuntimeError).
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as error:
            raise _corrupt() from error


def _check_entries(entries):
    if len(entries) > MAX_ENTRIES:
        raise _refuse(
            _("Tệp có quá nhiều thành phần (%(count)d); không đọc tệp này."), "zip_entries", count=len(entries)
        )
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio_limited = entry.file_size > RATIO_EXEMPT_BYTES
        if ratio_limited and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise _refuse(
                _("Tệp có thành phần nén bất thường (%(name)s); không đọc tệp này."), "zip_ratio", name=entry.filename
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _refuse(
            _("Tệp giải nén ra quá lớn (%(size)d MB, tối đa %(limit)d MB); không đọc tệp này."),
            "zip_size",
            size=total // 1024 // 1024,
            limit=MAX_UNCOMPRESSED_BYTES // 1024 // 1024,
        )


def _check_parts(archive, entries):
    """Refuse a workbook whose parts hold more than openpyxl may build when it opens the file: sheets are
    left to _sheet_rows, which reads them within the limits; the shared strings and every other part are
    counted here, by a streaming parser that stops at the first limit passed."""
    if archive.getinfo(CONTENT_TYPES).file_size > MAX_OTHER_PARTS_BYTES:
        raise _other_parts_too_large(archive.getinfo(CONTENT_TYPES).file_size)
    types = _PartCounter(CONTENT_TYPES)
    types.read(archive)
    sheets = {name for name, kinds in types.kinds.items() if kinds == {WORKSHEET_TYPE}} - READ_WHOLE
    strings = {name for name, kinds in types.kinds.items() if SHARED_STRINGS_TYPE in kinds}
    others = [entry for entry in entries if entry.filename not in sheets | strings and not entry.is_dir()]
    size = sum(entry.file_size for entry in others)
    if size > MAX_OTHER_PARTS_BYTES:
        raise _other_parts_too_large(size)
    for entry in others:
        if entry.filename == CONTENT_TYPES:
            continue
        counter = _StylesCounter(entry.filename) if entry.filename == STYLES_PART else _PartCounter(entry.filename)
        counter.read(archive, strict=False)
    for name in strings & {entry.filename for entry in entries}:
        _SharedStringsCounter(name).read(archive)


def _other_parts_too_large(size):
    return _refuse(
        _(
            "Phần ngoài các trang tính của tệp (định dạng, hình ảnh...) quá lớn: %(size)s MB, tối đa %(limit)d MB; "
            "không đọc tệp này."
        ),
        "parts_size",
        size=decimal(size / 1024 / 1024, 1),
        limit=MAX_OTHER_PARTS_BYTES // 1024 // 1024,
    )


def _number(value):
    """A count as the page's language writes it: 500.000 in Vietnamese."""
    return decimal(value, 0)


# -- Streaming XML --------------------------------------------------------------------------------


class _XmlReader:
    """A streaming parse of one zip part with expat, refusing what defusedxml refuses (document types and
    entities) and anything nested deeper than MAX_XML_DEPTH or any tag longer than MAX_XML_TOKEN_BYTES. Subclasses
    handle the elements, by local name, and refuse as soon as a count passes its limit."""

    def __init__(self, name):
        self.name = name
        self.depth = 0
        parser = pyexpat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._forbidden
        parser.EntityDeclHandler = self._forbidden
        parser.UnparsedEntityDeclHandler = self._forbidden
        parser.ExternalEntityRefHandler = self._forbidden
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self.text
        self.parser = parser

    def _forbidden(self, *args):
        raise _corrupt()

    def _start(self, tag, attributes):
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise self.too_deep()
        self.start(tag.rpartition("}")[2], attributes)

    def _end(self, tag):
        self.depth -= 1
        self.end(tag.rpartition("}")[2])

    def too_deep(self):
        return _refuse(
            _("Tệp có thành phần lồng quá %(limit)d tầng (%(name)s); không đọc tệp này."),
            "xml_depth",
            limit=MAX_XML_DEPTH,
            name=self.name,
        )

    def start(self, tag, attributes):
        pass

    def end(self, tag):
        pass

    def text(self, text):
        pass

    def chunks(self, archive, strict=True):
        """Parse the part a chunk at a time, yielding after each (the handlers have run for it). Not strict, a
        part that is not well-formed XML is read up to its first error: openpyxl parses only the XML parts, and
        an image is none."""
        fed = 0
        with archive.open(self.name) as source:
            try:
                while chunk := source.read(XML_CHUNK_BYTES):
                    fed += len(chunk)
                    self.parser.Parse(chunk, False)
                    if fed - self.parser.CurrentByteIndex > MAX_XML_TOKEN_BYTES:
                        raise _refuse(
                            _("Tệp có thẻ XML dài bất thường (%(name)s); không đọc tệp này."),
                            "xml_token",
                            name=self.name,
                        )
                    yield
                self.parser.Parse(b"", True)
            except pyexpat.ExpatError as error:
                if strict:
                    raise _corrupt() from error
                return
        yield

    def read(self, archive, strict=True):
        for _chunk in self.chunks(archive, strict):
            pass


class _PartCounter(_XmlReader):
    """Counts the elements of a part openpyxl reads whole, and its sheets; notes the content types it states."""

    def __init__(self, name):
        super().__init__(name)
        self.elements = 0
        self.sheets = 0
        self.kinds = {}

    def start(self, tag, attributes):
        self.elements += 1
        if self.elements > MAX_PART_ELEMENTS:
            raise self.too_many()
        if tag == "sheet" and self.depth == 3:
            self.sheets += 1
            if self.sheets > MAX_SHEETS:
                raise _refuse(
                    _("Tệp có quá %(limit)d trang tính; hãy bỏ bớt các trang không cần nhập rồi tải lên lại."),
                    "too_many_sheets",
                    limit=MAX_SHEETS,
                )
        elif tag == "Override" and "PartName" in attributes:
            name = attributes["PartName"].lstrip("/")
            self.kinds.setdefault(name, set()).add(attributes.get("ContentType"))

    def too_many(self):
        return _refuse(
            _("Tệp có thành phần %(name)s quá %(limit)s mục; không đọc tệp này."),
            "part_elements",
            name=self.name,
            limit=_number(MAX_PART_ELEMENTS),
        )


class _StylesCounter(_PartCounter):
    def start(self, tag, attributes):
        self.elements += 1
        if self.elements > MAX_STYLES:
            raise _refuse(
                _(
                    "Tệp có quá %(limit)s kiểu định dạng ô. Hãy chép dữ liệu sang một tệp Excel mới (chỉ dán giá trị) "
                    "rồi tải lên lại."
                ),
                "too_many_styles",
                limit=_number(MAX_STYLES),
            )


class _SharedStringsCounter(_XmlReader):
    """Counts the shared strings and their characters, which openpyxl keeps in memory all along a read."""

    def __init__(self, name):
        super().__init__(name)
        self.strings = 0
        self.elements = 0
        self.length = 0
        self.string_length = self.string_elements = 0

    def start(self, tag, attributes):
        self.elements += 1
        if tag == "sst":
            declared = attributes.get("uniqueCount", "0")
            if declared.isdigit() and int(declared) > MAX_SHARED_STRINGS:
                raise self.too_many()
        elif tag == "si":
            self.strings += 1
            self.string_length = 0
            self.string_elements = 0
            if self.strings > MAX_SHARED_STRINGS:
                raise self.too_many()
        # openpyxl builds a string's elements whole before taking its text: rich text has a few elements per
        # run, and far more is no text anyone typed.
        self.string_elements += 1
        if self.string_elements > MAX_STRING_ELEMENTS:
            raise _refuse(
                _("Tệp có thành phần %(name)s quá %(limit)s mục; không đọc tệp này."),
                "part_elements",
                name=self.name,
                limit=_number(MAX_STRING_ELEMENTS),
            )
        if self.elements > 20 * MAX_SHARED_STRINGS:
            raise self.too_many()

    def text(self, text):
        if self.depth < 2:
            return
        self.length += len(text)
        self.string_length += len(text)
        if self.string_length > MAX_TEXT_LENGTH:
            raise _text_too_long()
        if self.length > MAX_SHARED_TEXT_LENGTH:
            raise _refuse(
                _("Tệp có quá %(limit)s triệu ký tự chữ; hãy chia thành nhiều tệp."),
                "shared_text_size",
                limit=_number(MAX_SHARED_TEXT_LENGTH // 1_000_000),
            )

    def too_many(self):
        return _refuse(
            _("Tệp có quá %(limit)s đoạn chữ khác nhau; hãy chia thành nhiều tệp."),
            "shared_strings",
            limit=_number(MAX_SHARED_STRINGS),
        )


def _text_too_long(sheet=None, row=None):
    if sheet is None:
        return _refuse(
            _("Tệp có ô chữ dài quá %(limit)s ký tự (giới hạn của Excel); không đọc tệp này."),
            "text_too_long",
            limit=_number(MAX_TEXT_LENGTH),
        )
    return _refuse(
        _("Trang %(sheet)s, dòng %(row)d có ô chữ dài quá %(limit)s ký tự (giới hạn của Excel); không đọc tệp này."),
        "text_too_long",
        sheet=sheet,
        row=row,
        limit=_number(MAX_TEXT_LENGTH),
    )


def _looks_like_text(data):
    head = data[:4096]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the 4 KB window is still text.
        return error.start >= len(head) - 3
    return True


def _corrupt():
    return _refuse(
        _("Tệp bị hỏng hoặc không đúng định dạng .xlsx. Hãy mở tệp trong Excel, lưu lại rồi tải lên lại."),
        "corrupt",
    )


def open_workbook(data: bytes, file_name: str = "") -> Any:
    """An openpyxl read-only workbook of data, after every check; close it when done."""
    if not defusedxml_protects_openpyxl():
        raise _refuse(_("Máy chủ chưa cài defusedxml nên chưa thể đọc tệp Excel an toàn."), "unsafe_parser")
    check_workbook_bytes(data, file_name)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises anything from KeyError to XML parse errors on bad input
        raise _corrupt() from error


# -- Finding tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column a table may have: its key in code, its header in the template, and the header variants
    that mean the same (compared by header_key)."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 18  # in the template, in characters

    def matches(self, text):
        key = header_key(text)
        return bool(key) and key in {header_key(self.label), *map(header_key, self.aliases)}


@dataclass
class Row:
    number: int  # the row number as the spreadsheet shows it
    values: dict  # column key -> the cell's value, None when empty

    def __getitem__(self, key):
        return self.values.get(key)


@dataclass
class Table:
    sheet: str
    header_row: int
    headers: dict  # column key -> the header text as written in the file
    rows: list = field(default_factory=list)


def _match_header(cells, columns):
    """column key -> (position, header text) when the row holds every required column, else None."""
    found = {}
    for position, value in enumerate(cells):
        if value is None or isinstance(value, (int, float, datetime.date)):
            continue
        for column in columns:
            if column.key not in found and column.matches(value):
                found[column.key] = (position, normalize_name(str(value)))
                break
    if all(column.key in found for column in columns if column.required):
        return found
    return None


def read_tables(data: bytes, specs: Mapping[str, Sequence["Column"]], file_name: str = "") -> dict[str, "Table | None"]:
    """Find each table of specs (name -> columns) in the workbook: the first sheet whose first rows hold a
    header row with the table's required columns, in any order, after any title or blank rows. Returns
    name -> Table, or None for a table no sheet holds. A sheet holds at most one table."""
    workbook = open_workbook(data, file_name)
    tables = dict.fromkeys(specs)
    budget = _Budget()
    try:
        for sheet in workbook.worksheets:
            if all(tables.values()):
                break
            pending = {name: columns for name, columns in specs.items() if tables[name] is None}
            table = _read_sheet(sheet, pending, budget)
            if table is not None:
                name, found = table
                tables[name] = found
    except SpreadsheetError:
        raise
    except Exception as error:  # a sheet's XML can be broken anywhere, found only while reading it
        raise _corrupt() from error
    finally:
        workbook.close()
    return tables


def _is_table(sheet):
    return hasattr(sheet, "reset_dimensions")  # not a chart sheet


def _sheet_rows(sheet, budget):
    """A worksheet's rows of values, MAX_COLUMNS wide at most, as far as the data goes: a blank row for
    each row number the sheet skips. Read as a stream, so only the rows the caller takes are read."""
    reader = _SheetReader(sheet, budget)
    position = 0
    for _chunk in reader.chunks(sheet.parent._archive):
        rows, reader.rows = reader.rows, []
        for number, cells in rows:
            if number <= position:  # a row out of order, which openpyxl skipped too
                continue
            while position < number:
                position += 1
                if position > MAX_SHEET_ROWS:
                    raise _refuse(
                        _("Trang %(sheet)s dài quá %(limit)s dòng; hãy chia thành nhiều tệp."),
                        "sheet_too_long",
                        sheet=sheet.title,
                        limit=_number(MAX_SHEET_ROWS),
                    )
                yield cells if position == number else ()
        if reader.done:
            return


class _Budget:
    """What one read of a workbook has spent, shared by its sheets."""

    def __init__(self):
        self.cells = 0


class _SheetReader(_XmlReader):
    """Reads a worksheet's rows as expat streams them, keeping the values of the first MAX_COLUMNS columns
    only and refusing a sheet past Excel's grid, a row of more than MAX_CELLS_PER_ROW cells, a workbook of more
    than MAX_CELLS and a text longer than MAX_TEXT_LENGTH, as soon as the count passes. Values are what
    openpyxl gives in read-only mode with data_only: the cached result of a formula, dates by the cell's style."""

    def __init__(self, sheet, budget):
        super().__init__(sheet._worksheet_path)
        workbook = sheet.parent
        self.title = sheet.title
        self.strings = sheet._shared_strings
        self.date_styles = workbook._date_formats
        self.duration_styles = workbook._timedelta_formats
        self.epoch = workbook.epoch
        self.budget = budget
        self.rows = []  # (row number, values) of the rows the last chunk completed
        self.in_data = self.done = False
        self.elements = 0  # outside the sheet's data
        self.row = self.column = self.cells = 0
        self.values = {}  # column -> value, in the current row
        self.cell = None  # [column, type, style, value text, inline text] of a cell within MAX_COLUMNS
        self.pieces = None  # the text being read, when it is kept
        self.length = 0
        self.phonetic = 0  # depth inside a phonetic run, whose text is no part of the value

    # The handlers below run for every element of a sheet, millions of them: they are written flat, for speed.

    def _start(self, tag, attributes):
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise self.too_deep()
        tag = tag.rpartition("}")[2]
        if not self.in_data:
            self.start_outside(tag, attributes)
            return
        if tag == "row":
            self.start_row(attributes.get("r"))
            return
        self.budget.cells += 1
        if self.budget.cells > MAX_CELLS:
            raise _refuse(
                _("Tệp có quá nhiều dữ liệu: hơn %(limit)s ô và thành phần của ô; hãy chia thành nhiều tệp."),
                "too_many_cells",
                limit=_number(MAX_CELLS),
            )
        if tag == "c":
            self.cells += 1
            if self.cells > MAX_CELLS_PER_ROW:
                raise self.too_wide()
            reference = attributes.get("r")
            self.column = column_index_from_string(reference.rstrip(DIGITS)) if reference else self.column + 1
            if self.column <= MAX_COLUMNS:
                self.cell = [self.column, attributes.get("t", "n"), attributes.get("s"), None, None]
            elif self.column > EXCEL_COLUMNS:
                raise self.too_large()
        elif self.cell is None:
            return
        elif tag == "v":
            if self.cell[1] != "inlineStr":
                self.pieces = []
                self.length = 0
        elif tag == "is":
            self.cell[4] = ""
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and self.cell[4] is not None and not self.phonetic:
            self.pieces = []
            self.length = 0

    def _end(self, tag):
        self.depth -= 1
        if not self.in_data:
            return
        tag = tag.rpartition("}")[2]
        if tag == "c":
            if self.cell is not None:
                value = self.value(*self.cell[1:])
                if value is not None:
                    self.values[self.cell[0]] = value
                self.cell = None
        elif tag == "row":
            values = self.values
            self.rows.append((self.row, tuple(map(values.get, range(1, max(values, default=0) + 1)))))
        elif self.pieces is not None and (tag == "v" or tag == "t"):
            text = "".join(self.pieces)
            if tag == "v":
                self.cell[3] = text
            else:
                self.cell[4] += text
            self.pieces = None
        elif tag == "rPh" and self.cell is not None:
            self.phonetic -= 1
        elif tag == "sheetData":
            self.in_data = False
            self.done = True

    def text(self, text):
        if self.pieces is not None:
            self.length += len(text)
            if self.length > MAX_TEXT_LENGTH:
                raise _text_too_long(self.title, self.row)
            self.pieces.append(text)

    def start_outside(self, tag, attributes):
        if tag == "sheetData":
            self.in_data = True
        elif tag == "dimension":
            self.check_dimension(attributes.get("ref", ""))
        self.elements += 1
        if self.elements > MAX_PART_ELEMENTS:
            raise _refuse(
                _("Trang %(sheet)s có quá %(limit)s mục ngoài dữ liệu; không đọc tệp này."),
                "part_elements",
                sheet=self.title,
                limit=_number(MAX_PART_ELEMENTS),
            )

    def start_row(self, number):
        if number is None:
            self.row += 1
        else:
            row = float(number)
            if not row.is_integer() or row < 1:
                raise _corrupt()
            self.row = int(row)
        if self.row > EXCEL_ROWS:
            raise self.too_large()
        self.column = self.cells = 0
        self.values = {}

    def too_wide(self):
        return _refuse(
            _("Trang %(sheet)s, dòng %(row)d có quá %(limit)s ô; không đọc tệp này."),
            "row_too_wide",
            sheet=self.title,
            row=self.row,
            limit=_number(MAX_CELLS_PER_ROW),
        )

    def value(self, kind, style, text, inline):
        if kind == "inlineStr":
            return inline
        if not text:
            return None
        if kind == "n":
            number = float(text) if "." in text or "e" in text or "E" in text else int(text)
            style = int(style) if style else 0
            if style not in self.date_styles:
                return number
            try:
                return from_excel(number, self.epoch, timedelta=style in self.duration_styles)
            except (OverflowError, ValueError):
                return "#VALUE!"
        if kind == "s":
            return self.strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str", "e" (an error such as #N/A), or a type of no meaning: its text

    def check_dimension(self, reference):
        """Refuse a sheet that states a size past Excel's grid; a size within it is not believed either, since
        the rows are read as far as the data goes."""
        try:
            _min_column, _min_row, max_column, max_row = range_boundaries(reference)
        except (ValueError, TypeError):
            return
        if (max_column or 0) > EXCEL_COLUMNS or (max_row or 0) > EXCEL_ROWS:
            raise self.too_large()

    def too_large(self):
        return _refuse(
            _("Trang %(sheet)s vượt quá khổ bảng tính của Excel (%(rows)s dòng, %(columns)s cột); không đọc tệp này."),
            "sheet_size",
            sheet=self.title,
            rows=_number(EXCEL_ROWS),
            columns=_number(EXCEL_COLUMNS),
        )


def _read_sheet(sheet, specs, budget):
    if not _is_table(sheet):
        return None
    rows = _sheet_rows(sheet, budget)
    header = None
    for number, cells in enumerate(rows, 1):
        if number > HEADER_SEARCH_ROWS:
            return None
        for name, columns in specs.items():
            found = _match_header(cells, columns)
            if found:
                header = (name, columns, number, found)
                break
        if header:
            break
    if header is None:
        return None
    name, columns, header_row, found = header
    table = Table(sheet.title, header_row, {key: text for key, (_position, text) in found.items()})
    positions = {key: position for key, (position, _text) in found.items()}
    blank_run = 0
    for number, cells in enumerate(rows, header_row + 1):
        values = {key: _cell(cells, position) for key, position in positions.items()}
        if all(is_blank(value) for value in values.values()):
            blank_run += 1
            if blank_run >= TRAILING_BLANK_ROWS:
                break
            continue
        blank_run = 0
        if len(table.rows) >= MAX_ROWS:
            raise _refuse(
                _("Trang %(sheet)s có quá %(limit)s dòng dữ liệu; hãy chia thành nhiều tệp."),
                "too_many_rows",
                sheet=sheet.title,
                limit=_number(MAX_ROWS),
            )
        table.rows.append(Row(number, values))
    return name, table


def _cell(cells, position):
    value = cells[position] if position < len(cells) else None
    if isinstance(value, str):
        value = value.strip() or None
    return value


def missing_headers_message(specs: Mapping[str, Sequence["Column"]]) -> str:
    """What to say when no sheet has the headers: the required columns of each table."""
    wanted = "; ".join(", ".join(column.label for column in columns if column.required) for columns in specs.values())
    return _(
        "Không tìm thấy dòng tiêu đề trong 30 dòng đầu của các trang. Dòng tiêu đề cần có các cột: %(columns)s."
    ) % {"columns": wanted}


# -- Writing --------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FONT = Font(color="9C0006")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
MESSAGE_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "dd/mm/yyyy"
ERROR_COLUMN = gettext_lazy("Lỗi")
GUIDANCE_SHEET = gettext_lazy("Hướng dẫn")


def template_workbook(
    sheets: Iterable[tuple[Any, Sequence["Column"]]], guidance: Iterable[tuple[Any, Any]] = ()
) -> bytes:
    """An empty workbook to fill in: a sheet with the header row for each (title, columns), then a sheet
    of guidance rows (column, what to write) when given."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, columns in sheets:
        sheet = workbook.create_sheet(str(title))
        for position, column in enumerate(columns, 1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(position)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append([_header_cell(sheet, column.label) for column in columns])
    if guidance:
        sheet = workbook.create_sheet(str(GUIDANCE_SHEET))
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 110
        sheet.append([_header_cell(sheet, _("Cột")), _header_cell(sheet, _("Cách ghi"))])
        for row in guidance:
            sheet.append([safe_cell(sheet, str(text)) for text in row])
    return save(workbook)


def _header_cell(sheet, label):
    return safe_cell(sheet, str(label), font=HEADER_FONT, fill=HEADER_FILL)


def save(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report(data: bytes, problems: Any, header_rows: Mapping[str, int]) -> bytes:
    """A copy of the workbook with an extra column of messages on the rows they are about.

    problems: sheet title -> {row number -> [messages]}; header_rows: sheet title -> header row number.
    The copy keeps every sheet's values (dates as dates) within the reading limits, not their styling;
    it is streamed in write-only mode, so its size costs no more memory than reading did.
    """
    source = open_workbook(data)
    report = openpyxl.Workbook(write_only=True)
    budget = _Budget()
    try:
        for sheet in source.worksheets:
            if not _is_table(sheet):
                continue
            copy = report.create_sheet(sheet.title)
            _copy_sheet(sheet, copy, problems.get(sheet.title, {}), header_rows, budget)
    except SpreadsheetError:
        raise
    except Exception as error:
        raise _corrupt() from error
    finally:
        source.close()
    return save(report)


def _copy_sheet(sheet, copy, problems, header_rows, budget):
    rows = list(_bounded_rows(sheet, budget))
    width = max((len(_trimmed(cells)) for cells in rows), default=0)
    header_row = header_rows.get(sheet.title)
    for position in range(1, width + 2):
        copy.column_dimensions[openpyxl.utils.get_column_letter(position)].width = 20
    copy.column_dimensions[openpyxl.utils.get_column_letter(width + 1)].width = 60
    for number, cells in enumerate(rows, 1):
        out = []
        for value in (*cells[:width], *(None,) * (width - len(cells))):
            if isinstance(value, (datetime.date, datetime.datetime)):
                out.append(safe_cell(copy, value, number_format=DATE_FORMAT))
            else:
                # The uploaded text goes back as text: '=HYPERLINK(...)' typed in a cell must not come back live.
                out.append(safe_cell(copy, value))
        messages = problems.get(number)
        if number == header_row and problems:
            out.append(safe_cell(copy, str(ERROR_COLUMN), font=HEADER_FONT, fill=ERROR_FILL))
        elif messages:
            out.append(
                safe_cell(copy, "\n".join(messages), font=ERROR_FONT, fill=ERROR_FILL, alignment=MESSAGE_ALIGNMENT)
            )
        copy.append(out)


def _bounded_rows(sheet, budget):
    """A sheet's rows within the reading limits, without its trailing blank rows."""
    pending = []
    read = 0
    for cells in _sheet_rows(sheet, budget):
        if all(is_blank(value) for value in cells):
            pending.append(())
            if len(pending) >= TRAILING_BLANK_ROWS:
                return
            continue
        read += 1
        if read > MAX_ROWS + HEADER_SEARCH_ROWS:
            return
        yield from pending
        pending = []
        yield cells


def _trimmed(cells):
    cells = list(cells)
    while cells and is_blank(cells[-1]):
        cells.pop()
    return cells
