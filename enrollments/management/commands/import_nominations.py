"""The import_nominations command: a committee's nomination list for a course, from a workbook."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.history import command_user
from common.imports.commands import add_common_arguments, finish, read_file
from courses.models import Course
from enrollments.nomination_import import import_nominations


class Command(BaseCommand):
    help = gettext_lazy(
        "Nhập danh sách cử đi học của một lớp từ tệp Excel: nhận ra đảng viên theo họ tên, ngày sinh và tổ chức "
        "đảng, cử trong chỉ tiêu (nhập lại cùng tệp không thay đổi gì)."
    )

    def add_arguments(self, parser):
        add_common_arguments(parser)
        parser.add_argument("--course", required=True, dest="code", help=gettext_lazy("mã lớp, ví dụ 2026-K2-L2"))
        parser.add_argument(
            "--create-members",
            action="store_true",
            help=gettext_lazy("thêm đảng viên chưa có trong hệ thống vào tổ chức đảng ghi trong tệp"),
        )
        parser.add_argument("--reason", default="", help=gettext_lazy("lý do, bắt buộc khi danh sách lớp đã khóa"))

    def handle(self, *args, file, code, dry_run, valid_only, create_members, reason, username=None, **options):
        course = Course.objects.filter(code=code.strip()).first()
        if course is None:
            raise CommandError(_("Không có lớp nào mã %(code)s.") % {"code": code})
        data = read_file(file)
        try:
            with command_user(username) as by:
                report = import_nominations(
                    data,
                    course=course,
                    by=by,
                    file_name=Path(file).name,
                    dry_run=dry_run,
                    valid_only=valid_only,
                    create_members=create_members,
                    reason=reason,
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        finish(self, data, report, dry_run=dry_run, valid_only=valid_only, report_path=options.get("report_path"))
