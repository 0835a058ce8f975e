"""The export_year_report command: the yearly Excel workbook, for the whole bloc or as one staff user sees it."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.permissions import may_use_reports
from reports.workbook import YearWorkbook


class Command(BaseCommand):
    help = gettext_lazy("Lập báo cáo năm (tệp Excel 8 trang tính) cho toàn Đảng bộ Khối hoặc theo phạm vi một cán bộ.")

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help=gettext_lazy("năm báo cáo, ví dụ 2021"))
        parser.add_argument("-o", "--output", required=True, type=Path, help=gettext_lazy("tệp .xlsx sẽ ghi"))
        parser.add_argument(
            "--as-user", dest="username", help=gettext_lazy("lập theo phạm vi của tài khoản cán bộ này")
        )

    def handle(self, *args, year, output, username, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(_("Năm %(year)d không hợp lệ.") % {"year": year})
        if output.suffix.lower() != ".xlsx":
            raise CommandError(_("Tệp kết quả phải có đuôi .xlsx."))
        user = self._user(username)
        with output.open("wb") as target:
            YearWorkbook(user, year).save(target)
        self.stdout.write(_("Đã lập báo cáo năm %(year)d vào %(file)s.") % {"year": year, "file": output})

    def _user(self, username):
        User = get_user_model()
        if username is None:
            # The command is run by whoever runs the server: it reports on the whole bloc, as the center does.
            return User(username="export_year_report", is_superuser=True, is_active=True)
        user = User.objects.filter(username=username).first()
        if user is None or not may_use_reports(user):
            raise CommandError(_("Không có tài khoản cán bộ nào tên %(name)s.") % {"name": username})
        return user
