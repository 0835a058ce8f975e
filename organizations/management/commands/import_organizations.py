"""The import_organizations command: the party tree, members and posts from a workbook."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.audit import add_by_argument, command_user
from organizations.importing import report_lines
from organizations.imports import import_organizations
from organizations.spreadsheets import SpreadsheetError, check_file_size, error_report


def read_file(path):
    """The bytes of the file to import, refusing a file larger than any workbook may be before reading it."""
    path = Path(path)
    try:
        check_file_size(path.stat().st_size)
        return path.read_bytes()
    except SpreadsheetError as error:
        raise CommandError(" ".join(error.messages)) from error
    except OSError as error:
        raise CommandError(_("Không đọc được tệp %(path)s: %(error)s") % {"path": path, "error": error}) from error


def add_common_arguments(parser):
    parser.add_argument("file", help=gettext_lazy("tệp Excel (.xlsx)"))
    parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("chỉ xem trước, không ghi gì"))
    parser.add_argument(
        "--valid-only", action="store_true", help=gettext_lazy("nhập các dòng hợp lệ, bỏ qua các dòng lỗi")
    )
    add_by_argument(parser)
    parser.add_argument(
        "--report", dest="report_path", help=gettext_lazy("ghi bản sao của tệp kèm cột lỗi vào đường dẫn này")
    )


def finish(command, data, report, *, dry_run, valid_only, report_path):
    """Print the report, write the error report if asked, and fail when the import was refused."""
    command.stdout.write("\n".join(report_lines(report, dry_run=dry_run, valid_only=valid_only)))
    if report_path and report.refused_rows:
        Path(report_path).write_bytes(error_report(data, report.problems(), report.header_rows))
        command.stdout.write(_("Đã ghi báo cáo lỗi: %(path)s") % {"path": report_path})
    if not dry_run and not report.imported and report.previous is None:
        raise CommandError(_("Không có gì được nhập."))


class Command(BaseCommand):
    help = gettext_lazy(
        "Nhập cây tổ chức đảng, đảng viên và chức vụ từ tệp Excel theo mẫu (nhập lại cùng tệp không thay đổi gì)."
    )

    def add_arguments(self, parser):
        add_common_arguments(parser)

    def handle(self, *args, file, dry_run, valid_only, username=None, report_path=None, **options):
        data = read_file(file)
        try:
            with command_user(username) as by:
                report = import_organizations(
                    data, by=by, file_name=Path(file).name, dry_run=dry_run, valid_only=valid_only
                )
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        finish(self, data, report, dry_run=dry_run, valid_only=valid_only, report_path=report_path)
