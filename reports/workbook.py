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
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import RowDimension

from common.workbook_cells import is_plain, safe_cell
from common.workbook_print import (
    FONT_SIZE,
    font,
    issuer_name,
    one_line_length,
    print_setup,
    row_height,
    set_properties,
    set_row_height,
    use_font,
    wrapped_lines,
)
from enrollments.models import Enrollment
from enrollments.rules import Grade
from organizations.models import Post
from reports.inspections import inspection_rows
from reports.yearly import YearReport, workbook_period

HEADER_ROW = 4  # title, subtitle, blank line, then the column headers
TITLE_SIZE = 14
PROGRESS_ROWS = 5000  # how often the roster sheet reports progress
LINE_CACHE = 20_000  # texts whose lines a sheet remembers (organization paths, mostly), so memory stays bounded


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    style: str | None = None  # one of the named styles below; "wrap" for text that may take several lines


def _styles():
    thin = Side(style="thin", color="999999")
    return [
        NamedStyle("title", font=font(bold=True, size=TITLE_SIZE)),
        NamedStyle("subtitle", font=font(italic=True, color="555555")),
        NamedStyle(
            "header",
            font=font(bold=True),
            fill=PatternFill("solid", fgColor="DDE4EE"),
            alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
            border=Border(bottom=thin, top=thin, left=thin, right=thin),
        ),
        NamedStyle("date", font=font(), number_format="DD/MM/YYYY"),
        NamedStyle("percent", font=font(), number_format="0.0%"),
        NamedStyle("decimal", font=font(), number_format="0.00"),
        # At the bottom, as every other cell of the row: its last line beside their one line.
        NamedStyle("wrap", font=font(), alignment=Alignment(wrap_text=True)),
        NamedStyle("total", font=font(bold=True)),
        NamedStyle("total_percent", font=font(bold=True), number_format="0.0%"),
    ]


def new_workbook():
    """A streaming workbook in the workbooks' font, with the report styles registered."""
    workbook = Workbook(write_only=True)
    use_font(workbook)
    for style in _styles():
        workbook.add_named_style(style)
    return workbook


class Sheet:
    """One write-only sheet: title lines, a frozen header row repeated on every printed page, A4 fitted to the
    page's width (landscape unless narrow), rows as tall as their wrapped text."""

    def __init__(self, workbook, title, heading, subtitle, columns, *, landscape=True):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        self.styles = [column.style for column in columns]
        self.style_arrays = {style: self._style_array(style) for style in self.styles if style}
        # Where a row's height comes from: the columns whose text wraps, with their widths.
        self.wrapped = [
            (index, column.width, one_line_length(column.width))
            for index, column in enumerate(columns)
            if column.style == "wrap"
        ]
        self.unwrapped = [None if style == "wrap" else style for style in self.styles]
        self.wrapping_styles = {(): self.unwrapped}  # the columns that wrap in a row: the row's styles
        self.lines = {}  # (text, width): its lines
        self.heights = {}  # height: the row's attributes
        for index, column in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self.ws.freeze_panes = f"A{HEADER_ROW + 1}"
        print_setup(self.ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", landscape=landscape)
        self.row = 0
        self.append([self.cell(heading, "title")], height=row_height(1, size=TITLE_SIZE))
        self.append([self.cell(subtitle, "subtitle")])
        self.append([])
        # Headers are bold: estimated as a size larger, so a bold word never ends up cut.
        set_row_height(self.ws, HEADER_ROW, [(column.header, column.width) for column in columns], size=FONT_SIZE + 1)
        self.append([self.cell(column.header, "header") for column in columns])

    def _style_array(self, style):
        """openpyxl's StyleArray for a named style, read (from its private attribute) off a cell given that style;
        Cell() takes it as style_array."""
        cell = WriteOnlyCell(self.ws)
        cell.style = style
        return cell._style

    def cell(self, value, style=None):
        return safe_cell(self.ws, value, style=style)

    def append(self, values, height=None):
        """Write the next row; height (points) when it is not one line of the default font."""
        if height is not None:
            # The row's attributes as the write-only writer reads them (it updates the row's XML attributes with
            # them), one dict per height: building a RowDimension for each of 100,000 rows cost a tenth of the sheet.
            attributes = self.heights.get(height)
            if attributes is None:
                attributes = self.heights[height] = dict(RowDimension(self.ws, ht=height, customHeight=True))
            self.ws.row_dimensions[self.row + 1] = attributes
        self.ws.append(values)
        self.row += 1
        # Written with the row; dropping it keeps memory flat however many rows there are.
        self.ws.row_dimensions.pop(self.row, None)

    def _wrapping(self, values):
        """The columns whose text takes more than one line in this row, and the most lines one takes."""
        wrapping, lines = [], 1
        for index, width, one_line in self.wrapped:
            text = values[index]
            if not isinstance(text, str) or (len(text) <= one_line and "\n" not in text):
                continue
            count = self.lines.get((text, width))
            if count is None:
                if len(self.lines) > LINE_CACHE:
                    self.lines.clear()
                count = self.lines[(text, width)] = wrapped_lines(text, width)
            if count > 1:
                wrapping.append(index)
                lines = max(lines, count)
        return tuple(wrapping), lines

    def add(self, values, total=False):
        """A data row; each value styled by its column, user text made safe, the row as tall as its wrapped text."""
        wrapping, lines = self._wrapping(values)
        height = row_height(lines) if wrapping else None
        if total:
            styles = ["total_percent" if style == "percent" else "total" for style in self.styles]
            self.append([self.cell(_number(value), style) for value, style in zip(values, styles, strict=True)], height)
            return
        # Text that fits on one line is written without the wrap style: most names, posts and results.
        styles = self.wrapping_styles.get(wrapping)
        if styles is None:
            styles = self.wrapping_styles[wrapping] = [
                self.styles[index] if index in wrapping else style for index, style in enumerate(self.unwrapped)
            ]
        row = []
        for value, style in zip(values, styles, strict=True):
            if not is_plain(value):
                row.append(self.cell(value, style))
                continue
            value = _number(value)
            # A styled cell gets a copy of its column's style array: giving each cell its named style by name
            # (a lookup in the workbook's styles) cost more than creating the cell, 100,000 times a sheet.
            row.append(value if style is None else Cell(self.ws, 1, 1, value, self.style_arrays[style]))
        self.append(row, height)


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _fraction(percent):
    """A stored percentage (93.5) as the fraction Excel formats with %."""
    return None if percent is None else float(percent) / 100


def _rating(value):
    return None if value is None else round(float(value), 2)


class YearWorkbook:
    """Writes the nine sheets of the yearly report for what `user` may see of `year`."""

    SHEETS = 10

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
        set_properties(
            self.workbook,
            title=_("Báo cáo công tác bồi dưỡng năm %(year)d") % {"year": year},
            subject=self.top.name if self.top else "",
            creator=issuer_name(user),
        )

    def sheet(self, title, heading, columns, *, landscape=True):
        return Sheet(self.workbook, title, heading, self.subtitle, columns, landscape=landscape)

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
            self.self_run_sheet,
            self.inspection_sheet,
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
            [Column(pgettext("hàng của bảng tổng hợp", "Chỉ tiêu"), 46), Column(_("Giá trị"), 14), Column("", 14)],
        )
        sheet.ws.column_dimensions["D"].width = 3  # a margin: the chart stands beside the table, from column E
        tally = summary.tally
        lines = [
            (_("Số lớp đã mở"), summary.courses, None),
            (_("— do Trung tâm tổ chức"), summary.center_courses, None),
            (_("— Trung tâm phối hợp với đảng ủy tổ chức"), summary.co_organized_courses, None),
            (_("— do đảng ủy trực thuộc tự tổ chức"), summary.own_courses, None),
            (_("— trong số đó, lớp tự tổ chức chưa đạt yêu cầu"), summary.own_courses_short, None),
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
        sheet.ws.add_chart(month_chart(sheet.ws, first, last), f"E{HEADER_ROW}")

    # --- 2 and 3. Theo đảng ủy, Theo chức vụ --------------------------------------------------------------

    def _tally_columns(self, first):
        return [
            Column(first, 40, "wrap"),
            Column(_("Được cử"), 10),
            Column(_("Theo học"), 10),
            Column(_("Đang học"), 10),
            Column(_("Hoàn thành"), 11),
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
                Column(_("Mã lớp"), 12),
                Column(_("Tên lớp"), 36, "wrap"),
                Column(_("Đơn vị tổ chức"), 26, "wrap"),
                Column(_("Khai giảng"), 11, "date"),
                Column(_("Bế giảng"), 11, "date"),
                Column(_("Số buổi"), 7),
                Column(_("Được cử"), 8),
                Column(_("Theo học"), 8),
                Column(_("Hoàn thành"), 10),
                Column(_("Chuyên cần bình quân"), 11, "percent"),
                Column(_("Đánh giá bình quân (1–5)"), 11, "decimal"),
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

    # --- 9. Lớp do đảng ủy tự tổ chức ---------------------------------------------------------------------

    def self_run_sheet(self, step):
        sheet = self.sheet(
            _("Lớp tự tổ chức"),
            _("Chất lượng các lớp do đảng ủy tự tổ chức năm %(year)d") % {"year": self.year},
            [
                Column(_("Mã lớp"), 12),
                Column(_("Đơn vị tổ chức"), 26, "wrap"),
                Column(_("Số tiết đã học"), 9, "decimal"),
                Column(_("Số tiết của chương trình"), 11, "decimal"),
                Column(_("Buổi có điểm danh"), 11, "percent"),
                Column(_("Chuyên đề theo kế hoạch"), 11, "percent"),
                Column(_("Giảng viên của Khối"), 10),
                Column(_("Phiếu đánh giá"), 9),
                Column(_("Đánh giá"), 16, "wrap"),
                Column(_("Lý do"), 40, "wrap"),
            ],
        )
        for row in self.report.self_run_rows():
            course, indicators = row.course, row.indicators
            if course.quality == course.Quality.ACCEPTED:
                verdict = _("Trung tâm đã công nhận")
            else:
                verdict = _("Đạt yêu cầu") if row.meets_requirements else _("Chưa đạt yêu cầu")
            pool = indicators.pool_lecturers_only
            sheet.add(
                [
                    course.code,
                    course.organizer.name,
                    float(indicators.hours_delivered),
                    float(indicators.program_hours),
                    indicators.attendance_recorded_share,
                    indicators.topics_as_planned_share,
                    "" if pool is None else (_("Có") if pool else _("Không")),
                    indicators.evaluations,
                    verdict,
                    course.quality_reasons or "\n".join(indicators.reasons),
                ]
            )

    # --- 5. Học viên --------------------------------------------------------------------------------------

    def trainee_sheet(self, step):
        sheet = self.sheet(
            _("Học viên"),
            _("Học viên các lớp năm %(year)d") % {"year": self.year},
            [
                Column(_("Họ và tên"), 22, "wrap"),
                Column(_("Ngày sinh"), 11, "date"),
                Column(_("Chức vụ khi học"), 14, "wrap"),
                Column(_("Tổ chức đảng"), 38, "wrap"),
                Column(_("Lớp"), 12),
                Column(_("Chuyên cần"), 9, "percent"),
                Column(_("Điểm"), 7),
                Column(_("Xếp loại"), 9),
                Column(_("Kết quả"), 12, "wrap"),
                Column(_("Số vào sổ"), 20),
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
                Column(_("Giảng viên"), 30, "wrap"),
                Column(_("Chuyên đề"), 50, "wrap"),
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
                Column(_("Năm"), 10),
                Column(_("Số lớp"), 14),
                Column(_("Số học viên"), 14),
                Column(_("Số lớp lũy kế"), 16),
                Column(_("Số học viên lũy kế"), 18),
            ],
            landscape=False,
        )
        for row in self.report.cumulative():
            sheet.add(list(row))

    # --- 9. Kiểm tra --------------------------------------------------------------------------------------

    def inspection_sheet(self, step):
        """The inspections of the year's plan the user may see: findings, and corrections done (accepted) and
        overdue on the workbook's date."""
        today = timezone.localdate()
        sheet = self.sheet(
            _("Kiểm tra"),
            _("Kiểm tra công tác bồi dưỡng theo kế hoạch năm %(year)d; quá hạn tính đến ngày %(today)s")
            % {"year": self.year, "today": date_format(today, "SHORT_DATE_FORMAT")},
            [
                Column(_("Tổ chức đảng được kiểm tra"), 40, "wrap"),
                Column(_("Từ ngày"), 11, "date"),
                Column(_("Đến ngày"), 11, "date"),
                Column(_("Trạng thái"), 15, "wrap"),
                Column(_("Ngày kết luận"), 11, "date"),
                Column(_("Số phát hiện"), 10),
                Column(_("Yêu cầu khắc phục"), 11),
                Column(_("Đã khắc phục"), 11),
                Column(_("Quá hạn khắc phục"), 11),
            ],
        )
        rows, totals = inspection_rows(self.report.user, self.year, today)
        for row in rows:
            sheet.add(
                [
                    row.organization,
                    row.start_date,
                    row.end_date,
                    row.status,
                    row.concluded_on,
                    row.findings,
                    row.corrections,
                    row.done,
                    row.overdue,
                ]
            )
        held = _("đã kiểm tra %(held)d/%(total)d") % {"held": totals.held, "total": totals.inspections}
        sheet.add(
            [_("Tổng cộng"), None, None, held, None, totals.findings, totals.corrections, totals.done, totals.overdue],
            total=True,
        )


def month_chart(ws, first, last):
    """Classes (bars, left axis) and trainees (line, right axis) by starting month, rows first..last of ws:
    trainees outnumber classes a hundredfold, so on one axis the classes would lie flat on the floor. The months
    are the categories' labels (the title says they are months: a title under the axis is drawn twice)."""
    categories = Reference(ws, min_col=1, min_row=first, max_row=last)
    classes = BarChart()
    classes.type = "col"
    classes.title = _("Lớp và học viên theo tháng khai giảng")
    classes.add_data(Reference(ws, min_col=2, min_row=first - 1, max_row=last), titles_from_data=True)
    classes.set_categories(categories)
    classes.y_axis.title = _("Số lớp")
    classes.y_axis.majorGridlines = None
    trainees = LineChart()
    trainees.add_data(Reference(ws, min_col=3, min_row=first - 1, max_row=last), titles_from_data=True)
    trainees.set_categories(categories)
    trainees.series[0].smooth = False  # a month's figure, not a curve through them
    trainees.y_axis.axId = 200
    trainees.y_axis.title = _("Số học viên")
    trainees.y_axis.crosses = "max"  # the second axis on the right
    classes.legend.position = "b"
    # openpyxl hides axes unless told (delete defaults to true since 3.1), and LibreOffice then draws none.
    for axis in (classes.x_axis, classes.y_axis, trainees.y_axis):
        axis.delete = False
    classes.width, classes.height = 14, 9
    classes += trainees
    return classes


def missing_columns():
    return [
        Column(_("Họ và tên"), 24, "wrap"),
        Column(_("Ngày sinh"), 12, "date"),
        Column(_("Chức vụ"), 16, "wrap"),
        Column(_("Tổ chức đảng"), 48, "wrap"),
        Column(_("Nhiệm kỳ"), 12),
        Column(_("Giữ chức vụ từ ngày"), 13, "date"),
        Column(_("Hạn bồi dưỡng"), 13, "date"),
    ]


def write_missing(sheet, holders, labels):
    rows = holders.values_list(
        "member__full_name", "member__birth_date", "post", "organization__path", "term_label", "start_date", "due_date"
    )
    posts = {value: str(label) for value, label in Post.choices}
    for name, birth_date, post, path, term, start, due in rows.iterator(chunk_size=2000):
        sheet.add([name, birth_date, posts.get(post, ""), labels.get(path, ""), term, start, due])


def missing_workbook(holders, labels, period, organization, target, *, creator="", due=""):
    """The list of who is missing, as its own workbook (the compliance page's export); creator is who asked, due
    the due-date bucket the list was filtered by ("" for none)."""
    workbook = new_workbook()
    set_properties(
        workbook,
        title=_("Danh sách chưa bồi dưỡng"),
        subject=organization.name,
        creator=creator or _("Trung tâm Bồi dưỡng chính trị"),
    )
    subtitle = _("%(organization)s — %(period)s — lập ngày %(today)s") % {
        "organization": organization.name,
        "period": period.label,
        "today": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
    }
    title = _("Danh sách chưa bồi dưỡng")
    if due:
        title = {"overdue": _("Danh sách quá hạn bồi dưỡng"), "due_soon": _("Danh sách sắp đến hạn bồi dưỡng")}[due]
    sheet = Sheet(workbook, _("Chưa bồi dưỡng"), title, subtitle, missing_columns())
    write_missing(sheet, holders, labels)
    workbook.save(target)
