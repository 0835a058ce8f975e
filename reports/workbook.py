"""The yearly Excel workbook and the list of who is missing (openpyxl, write-only so memory stays flat however
many rows); every cell goes through common.workbook_cells, so user text is never written as a formula."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.workbook_cells import is_plain, safe_cell
from enrollments.models import Enrollment
from enrollments.rules import Grade
from organizations.models import Post
from reports.yearly import YearReport, workbook_period

HEADER_ROW = 4  # title, subtitle, blank line, then the column headers
PROGRESS_ROWS = 5000  # how often the roster sheet reports progress


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    style: str | None = None  # one of the named styles below


def _styles():
    thin = Side(style="thin", color="999999")
    return [
        NamedStyle("title", font=Font(bold=True, size=14)),
        NamedStyle("subtitle", font=Font(italic=True, color="555555")),
        NamedStyle(
            "header",
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="DDE4EE"),
            alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
            border=Border(bottom=thin, top=thin, left=thin, right=thin),
        ),
        NamedStyle("date", number_format="DD/MM/YYYY"),
        NamedStyle("percent", number_format="0.0%"),
        NamedStyle("decimal", number_format="0.00"),
        NamedStyle("total", font=Font(bold=True)),
        NamedStyle("total_percent", font=Font(bold=True), number_format="0.0%"),
    ]


def new_workbook():
    """A streaming workbook with the report styles registered."""
    workbook = Workbook(write_only=True)
    for style in _styles():
        workbook.add_named_style(style)
    return workbook


class Sheet:
    """One write-only sheet: title lines, a frozen header row repeated on every printed page, A4 landscape."""

    def __init__(self, workbook, title, heading, subtitle, columns):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        self.styles = [column.style for column in columns]
        self.style_arrays = {style: self._style_array(style) for style in self.styles if style}
        for index, column in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self.ws.freeze_panes = f"A{HEADER_ROW + 1}"
        self.ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.row = 0
        self.append([self.cell(heading, "title")])
        self.append([self.cell(subtitle, "subtitle")])
        self.append([])
        self.append([self.cell(column.header, "header") for column in columns])

    def _style_array(self, style):
        """openpyxl's StyleArray for a named style, read (from its private attribute) off a cell given that style;
        Cell() takes it as style_array."""
        cell = WriteOnlyCell(self.ws)
        cell.style = style
        return cell._style

    def cell(self, value, style=None):
        return safe_cell(self.ws, value, style=style)

    def append(self, values):
        self.ws.append(values)
        self.row += 1

    def add(self, values, total=False):
        """A data row; each value styled by its column, user text made safe."""
        if total:
            styles = ["total_percent" if style == "percent" else "total" for style in self.styles]
            self.append([self.cell(_number(value), style) for value, style in zip(values, styles, strict=True)])
            return
        row = []
        for value, style in zip(values, self.styles, strict=True):
            if not is_plain(value):
                row.append(self.cell(value, style))
                continue
            value = _number(value)
            # A styled cell gets a copy of its column's style array: giving each cell its named style by name
            # (a lookup in the workbook's styles) cost more than creating the cell, 100,000 times a sheet.
            row.append(value if style is None else Cell(self.ws, 1, 1, value, self.style_arrays[style]))
        self.append(row)


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _fraction(percent):
    """A stored percentage (93.5) as the fraction Excel formats with %."""
    return None if percent is None else float(percent) / 100


def _rating(value):
    return None if value is None else round(float(value), 2)


class YearWorkbook:
    """Writes the eight sheets of the yearly report for what `user` may see of `year`."""

    SHEETS = 8

    def __init__(self, user, year, progress=None, term=None):
        self.report = YearReport(user, year, period=workbook_period(year, term) if term else None)
        self.year = year
        self.progress = progress or (lambda fraction: None)
        self.workbook = new_workbook()
        self.top = self.report.top
        self.subtitle = _("%(organization)s — năm %(year)d — lập ngày %(today)s") % {
            "organization": self.top.name if self.top else "",
            "year": year,
            "today": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
        }

    def sheet(self, title, heading, columns):
        return Sheet(self.workbook, title, heading, self.subtitle, columns)

    def save(self, target):
        steps = [
            self.summary_sheet,
            self.committee_sheet,
            self.post_sheet,
            self.course_sheet,
            self.trainee_sheet,
            self.lecturer_sheet,
            self.missing_sheet,
            self.cumulative_sheet,
        ]
        for done, step in enumerate(steps):
            step(done)
            self.progress((done + 1) / self.SHEETS)
        self.workbook.save(target)

    # --- 1. Tổng hợp --------------------------------------------------------------------------------------

    def summary_sheet(self, step):
        summary = self.report.summary()
        sheet = self.sheet(
            _("Tổng hợp"),
            _("Tổng hợp công tác bồi dưỡng năm %(year)d") % {"year": self.year},
            [Column(pgettext("hàng của bảng tổng hợp", "Chỉ tiêu"), 52), Column(_("Giá trị"), 16), Column("", 16)],
        )
        tally = summary.tally
        lines = [
            (_("Số lớp đã mở"), summary.courses, None),
            (_("— do Trung tâm tổ chức"), summary.center_courses, None),
            (_("— do đảng ủy trực thuộc tự tổ chức"), summary.own_courses, None),
            (_("Số lượt được cử đi học"), tally.nominated, None),
            (_("Số học viên theo học (trừ rút khỏi lớp)"), tally.enrolled, None),
            (_("— đang học (lớp chưa kết thúc)"), tally.studying, None),
            (_("Số học viên hoàn thành"), tally.completed, None),
            (_("Tỷ lệ hoàn thành (lớp đã kết thúc)"), tally.completion_rate, "percent"),
            (_("Giấy chứng nhận đã cấp"), summary.issued, None),
            (_("— đã thu hồi"), summary.revoked, None),
            (_("— còn hiệu lực"), summary.issued - summary.revoked, None),
            (_("Chức vụ phải bồi dưỡng (%(period)s)") % {"period": self.report.period.label}, tally.required, None),
            (_("— đã có giấy chứng nhận"), tally.certified, None),
            (_("— tỷ lệ đạt yêu cầu"), tally.compliance_rate, "percent"),
            (_("Số phiếu đánh giá"), summary.evaluations, None),
            (_("Đánh giá công tác tổ chức lớp (1–5)"), _rating(summary.organization_rating), "decimal"),
            (_("Đánh giá nội dung chương trình (1–5)"), _rating(summary.content_rating), "decimal"),
            (_("Đánh giá tài liệu học tập (1–5)"), _rating(summary.materials_rating), "decimal"),
            (_("Đánh giá giảng viên (1–5)"), _rating(summary.lecturer_rating), "decimal"),
        ]
        for label, value, style in lines:
            sheet.append([sheet.cell(label), sheet.cell(value, style)])
        sheet.append([])
        sheet.append([sheet.cell(header, "header") for header in (_("Tháng"), _("Số lớp"), _("Số học viên"))])
        first = sheet.row + 1
        for month, courses, enrollments in summary.by_month:
            sheet.append([month, courses, enrollments])
        last = sheet.row
        chart = BarChart()
        chart.type = "col"
        chart.title = _("Lớp và học viên theo tháng khai giảng")
        chart.y_axis.title = _("Số lượng")
        chart.x_axis.title = _("Tháng")
        data = Reference(sheet.ws, min_col=2, max_col=3, min_row=first - 1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet.ws, min_col=1, min_row=first, max_row=last))
        chart.width, chart.height = 22, 10
        sheet.ws.add_chart(chart, f"E{HEADER_ROW}")

    # --- 2 and 3. Theo đảng ủy, Theo chức vụ --------------------------------------------------------------

    def _tally_columns(self, first):
        return [
            Column(first, 48),
            Column(_("Được cử"), 11),
            Column(_("Theo học"), 11),
            Column(_("Đang học"), 11),
            Column(_("Hoàn thành"), 12),
            Column(_("Tỷ lệ hoàn thành (lớp đã kết thúc)"), 13, "percent"),
            Column(_("Giấy chứng nhận còn hiệu lực"), 15),
            Column(_("Chức vụ phải bồi dưỡng"), 14),
            Column(_("Đã có giấy chứng nhận"), 14),
            Column(_("Tỷ lệ đạt yêu cầu"), 13, "percent"),
        ]

    def _tally_sheet(self, title, heading, first, rows, total):
        sheet = self.sheet(title, heading, self._tally_columns(first))
        for tally in [*rows, total]:
            sheet.add(
                [
                    tally.label,
                    tally.nominated,
                    tally.enrolled,
                    tally.studying,
                    tally.completed,
                    tally.completion_rate,
                    tally.certificates,
                    tally.required,
                    tally.certified,
                    tally.compliance_rate,
                ],
                total=tally is total,
            )

    def committee_sheet(self, step):
        rows, total = self.report.by_committee()
        self._tally_sheet(
            _("Theo đảng ủy"),
            _("Kết quả bồi dưỡng theo đơn vị, năm %(year)d; chức vụ phải bồi dưỡng tính theo %(period)s")
            % {"year": self.year, "period": self.report.period.label},
            _("Đơn vị"),
            rows,
            total,
        )

    def post_sheet(self, step):
        rows, total = self.report.by_post()
        self._tally_sheet(
            _("Theo chức vụ"),
            _("Kết quả bồi dưỡng theo chức vụ, năm %(year)d; chức vụ phải bồi dưỡng tính theo %(period)s")
            % {"year": self.year, "period": self.report.period.label},
            _("Chức vụ"),
            rows,
            total,
        )

    # --- 4. Các lớp ---------------------------------------------------------------------------------------

    def course_sheet(self, step):
        sheet = self.sheet(
            _("Các lớp"),
            _("Các lớp bồi dưỡng năm %(year)d") % {"year": self.year},
            [
                Column(_("Mã lớp"), 14),
                Column(_("Tên lớp"), 60),
                Column(_("Đơn vị tổ chức"), 36),
                Column(_("Khai giảng"), 12, "date"),
                Column(_("Bế giảng"), 12, "date"),
                Column(_("Số buổi"), 9),
                Column(_("Được cử"), 10),
                Column(_("Theo học"), 10),
                Column(_("Hoàn thành"), 11),
                Column(_("Chuyên cần bình quân"), 13, "percent"),
                Column(_("Đánh giá bình quân (1–5)"), 13, "decimal"),
            ],
        )
        for row in self.report.course_rows():
            course = row.course
            sheet.add(
                [
                    course.code,
                    course.title,
                    course.organizer.name,
                    course.start_date,
                    course.end_date,
                    row.sessions,
                    row.nominated,
                    row.enrolled,
                    row.completed,
                    _fraction(row.attendance),
                    _rating(row.evaluation),
                ]
            )

    # --- 5. Học viên --------------------------------------------------------------------------------------

    def trainee_sheet(self, step):
        sheet = self.sheet(
            _("Học viên"),
            _("Học viên các lớp năm %(year)d") % {"year": self.year},
            [
                Column(_("Họ và tên"), 28),
                Column(_("Ngày sinh"), 12, "date"),
                Column(_("Chức vụ khi học"), 22),
                Column(_("Tổ chức đảng"), 70),
                Column(_("Lớp"), 14),
                Column(_("Chuyên cần"), 11, "percent"),
                Column(_("Điểm"), 8),
                Column(_("Xếp loại"), 12),
                Column(_("Kết quả"), 18),
                Column(_("Số vào sổ"), 22),
            ],
        )
        labels = self.report.organization_labels()
        posts = {value: str(label) for value, label in Post.choices}
        grades = {value: str(label) for value, label in Grade.choices}
        statuses = {value: str(label) for value, label in Enrollment.Status.choices}
        count = 0
        for name, birth_date, post, path, code, attended, score, grade, status, number in self.report.trainee_rows():
            sheet.add(
                [
                    name,
                    birth_date,
                    posts.get(post, ""),
                    labels.get(path, ""),
                    code,
                    _fraction(attended),
                    score,
                    grades.get(grade, ""),
                    statuses.get(status, ""),
                    number or "",
                ]
            )
            count += 1
            if count % PROGRESS_ROWS == 0:
                self.progress((step + 0.5) / self.SHEETS)

    # --- 6. Giảng viên ------------------------------------------------------------------------------------

    def lecturer_sheet(self, step):
        sheet = self.sheet(
            _("Giảng viên"),
            _("Giảng viên và đánh giá của học viên, năm %(year)d") % {"year": self.year},
            [
                Column(_("Giảng viên"), 32),
                Column(_("Chuyên đề"), 52),
                Column(_("Số buổi"), 9),
                Column(_("Số giờ"), 9),
                Column(_("Số lớp"), 9),
                Column(_("Đánh giá bình quân (1–5)"), 13, "decimal"),
                Column(_("Số lượt đánh giá"), 12),
            ],
        )
        for row in self.report.lecturer_rows():
            sheet.add([row.lecturer, row.topic, row.sessions, row.hours, row.courses, _rating(row.rating), row.ratings])

    # --- 7. Chưa bồi dưỡng --------------------------------------------------------------------------------

    def missing_sheet(self, step):
        sheet = self.sheet(
            _("Chưa bồi dưỡng"),
            _("Người giữ chức vụ phải bồi dưỡng chưa có giấy chứng nhận (%(period)s)")
            % {"period": self.report.period.label},
            missing_columns(),
        )
        write_missing(sheet, self.report.missing(), self.report.organization_labels())

    # --- 8. Lũy kế ----------------------------------------------------------------------------------------

    def cumulative_sheet(self, step):
        sheet = self.sheet(
            _("Lũy kế"),
            _("Số lớp và học viên qua các năm, đến năm %(year)d") % {"year": self.year},
            [
                Column(_("Năm"), 8),
                Column(_("Số lớp"), 10),
                Column(_("Số học viên"), 12),
                Column(_("Số lớp lũy kế"), 13),
                Column(_("Số học viên lũy kế"), 15),
            ],
        )
        for row in self.report.cumulative():
            sheet.add(list(row))


def missing_columns():
    return [
        Column(_("Họ và tên"), 28),
        Column(_("Ngày sinh"), 12, "date"),
        Column(_("Chức vụ"), 22),
        Column(_("Tổ chức đảng"), 70),
        Column(_("Nhiệm kỳ"), 12),
        Column(_("Giữ chức vụ từ ngày"), 13, "date"),
    ]


def write_missing(sheet, holders, labels):
    rows = holders.values_list(
        "member__full_name", "member__birth_date", "post", "organization__path", "term_label", "start_date"
    )
    posts = {value: str(label) for value, label in Post.choices}
    for name, birth_date, post, path, term, start in rows.iterator(chunk_size=2000):
        sheet.add([name, birth_date, posts.get(post, ""), labels.get(path, ""), term, start])


def missing_workbook(holders, labels, period, organization, target):
    """The list of who is missing, as its own workbook (the compliance page's export)."""
    workbook = new_workbook()
    subtitle = _("%(organization)s — %(period)s — lập ngày %(today)s") % {
        "organization": organization.name,
        "period": period.label,
        "today": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
    }
    sheet = Sheet(workbook, _("Chưa bồi dưỡng"), _("Danh sách chưa bồi dưỡng"), subtitle, missing_columns())
    write_missing(sheet, holders, labels)
    workbook.save(target)
