"""What the import commands share: reading the file, their common arguments, and printing the report."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.history import add_by_argument
from common.imports.report import ImportReport, report_lines
from common.imports.spreadsheets import SpreadsheetError, check_file_size, error_report


def read_file(path: str | Path) -> bytes:
    """The bytes of the file to import, refusing a file larger than any workbook may be before reading it."""
    path = Path(path)
    try:
        check_file_size(path.stat().st_size)
        return path.read_bytes()
    except SpreadsheetError as error:
        raise CommandError(" ".join(error.messages)) from error
    except OSError as error:
        raise CommandError(_("Không đọc được tệp %(path)s: %(error)s") % {"path": path, "error": error}) from error


def add_common_arguments(parser: Any) -> None:
    parser.add_argument("file", help=gettext_lazy("tệp Excel (.xlsx)"))
    parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("chỉ xem trước, không ghi gì"))
    parser.add_argument(
        "--valid-only", action="store_true", help=gettext_lazy("nhập các dòng hợp lệ, bỏ qua các dòng lỗi")
    )
    add_by_argument(parser)
    parser.add_argument(
        "--report", dest="report_path", help=gettext_lazy("ghi bản sao của tệp kèm cột lỗi vào đường dẫn này")
    )


def finish(
    command: BaseCommand,
    data: bytes,
    report: ImportReport,
    *,
    dry_run: bool,
    valid_only: bool,
    report_path: str | None,
) -> None:
    """Print the report, write the error report if asked, and fail when the import was refused."""
    command.stdout.write("\n".join(report_lines(report, dry_run=dry_run, valid_only=valid_only)))
    if report_path and report.refused_rows:
        Path(report_path).write_bytes(error_report(data, report.problems(), report.header_rows))
        command.stdout.write(_("Đã ghi báo cáo lỗi: %(path)s") % {"path": report_path})
    if not dry_run and not report.imported and report.previous is None:
        raise CommandError(_("Không có gì được nhập."))
