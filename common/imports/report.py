"""What an Excel import reports: what each row does or why it cannot, what refuses the whole file, and
the report as lines of text for the import commands."""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.imports.cells import cell_message, row_message


class Outcome(models.TextChoices):
    CREATED = "created", gettext_lazy("Thêm mới")
    CHANGED = "changed", gettext_lazy("Cập nhật")
    UNCHANGED = "unchanged", gettext_lazy("Không đổi")
    REFUSED = "refused", gettext_lazy("Không nhận")


@dataclass
class RowResult:
    """What importing one row does, or why it cannot."""

    sheet: str
    number: int
    description: str = ""
    outcome: str = Outcome.UNCHANGED
    messages: list = field(default_factory=list)

    def refuse(self, message, column=None):
        """Refuse the row; column is the header text of the cell at fault, if one is."""
        self.outcome = Outcome.REFUSED
        self.messages.append(
            cell_message(self.number, column, message) if column else row_message(self.number, message)
        )

    @property
    def refused(self):
        return self.outcome == Outcome.REFUSED

    def get_outcome_display(self):
        return Outcome(self.outcome).label


@dataclass
class ImportReport:
    kind: str
    file_name: str
    sha256: str
    target: str = ""
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # what refuses the whole file
    header_rows: dict = field(default_factory=dict)  # sheet title -> header row number
    previous: Any = None  # the record of an earlier import of the same file for the same target
    lost_race: bool = False  # previous was committed while this import waited for its turn
    imported: bool = False

    def add_row(self, sheet, number, description=""):
        row = RowResult(sheet, number, description)
        self.rows.append(row)
        return row

    @property
    def counts(self):
        counts = dict.fromkeys(Outcome.values, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    @property
    def refused_rows(self):
        return [row for row in self.rows if row.refused]

    @property
    def messages(self):
        return [*self.errors, *(message for row in self.refused_rows for message in row.messages)]

    def problems(self):
        """sheet title -> {row number -> messages}, for the error report."""
        problems = {}
        for row in self.refused_rows:
            problems.setdefault(row.sheet, {})[row.number] = row.messages
        return problems

    def may_import(self, valid_only):
        """Whether an import may go ahead: nothing refuses the file, and either every row can be taken
        or the user chose to take only the rows that can."""
        return not self.errors and self.previous is None and (valid_only or not self.refused_rows)

    def already_imported_message(self):
        record = self.previous
        imported_at = timezone.localtime(record.imported_at)
        who = record.imported_by.get_username() if record.imported_by else _("dòng lệnh")
        if self.lost_race:
            return _("Tệp này vừa được nhập bởi %(who)s lúc %(time)s; lần nhập này không ghi gì.") % {
                "who": who,
                "time": time_format(imported_at, "TIME_FORMAT"),
            }
        when = date_format(imported_at, "SHORT_DATETIME_FORMAT")
        return _("Tệp này đã được nhập lúc %(when)s (%(who)s); nhập lại không thay đổi gì.") % {
            "when": when,
            "who": who,
        }

    def summary(self):
        return {**self.counts, "errors": self.errors[:20]}


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def history_reason(file_name: str) -> str:
    """The change reason kept on every history row an import writes (the column holds 100 characters)."""
    return (_("Nhập từ tệp %(name)s") % {"name": file_name})[:100]


def report_lines(report: ImportReport, *, dry_run: bool, valid_only: bool) -> list[str]:
    """The report as lines of text, for the import commands."""
    counts = report.counts
    lines = [
        _("Tệp %(name)s (SHA-256 %(sha)s…)") % {"name": report.file_name, "sha": report.sha256[:12]},
        _("Thêm mới: %(created)d, cập nhật: %(changed)d, không đổi: %(unchanged)d, không nhận: %(refused)d") % counts,
    ]
    lines += report.errors
    sheet = None
    for row in report.refused_rows:
        if row.sheet != sheet:
            sheet = row.sheet
            lines.append(_("Trang %(sheet)s:") % {"sheet": sheet})
        lines += [f"  {message}" for message in row.messages]
    if report.previous is not None:
        lines.append(report.already_imported_message())
    elif report.imported:
        lines.append(_("Đã nhập xong."))
    elif dry_run:
        lines.append(_("Chạy thử: không có gì được ghi."))
    elif report.errors:
        lines.append(_("Không nhập: tệp không được nhận."))
    elif report.refused_rows and not valid_only:
        lines.append(
            _(
                "Không nhập: còn %(count)d dòng không nhận được. Sửa tệp, hoặc thêm --valid-only để chỉ nhập "
                "các dòng hợp lệ."
            )
            % {"count": len(report.refused_rows)}
        )
    return lines
