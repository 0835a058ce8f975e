"""The export_year_report command: the yearly Excel workbook, for the whole bloc or as one staff user sees it."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import Term
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
        parser.add_argument(
            "--term",
            default="",
            help=gettext_lazy("nhiệm kỳ tính tỷ lệ đạt chuẩn, ví dụ 2020–2025 (mặc định: hiện tại)"),
        )

    def handle(self, *args, year, output, username, term, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(_("Năm %(year)d không hợp lệ.") % {"year": year})
        if output.suffix.lower() != ".xlsx":
            raise CommandError(_("Tệp kết quả phải có đuôi .xlsx."))
        term = self._term(term)
        user = self._user(username)
        with output.open("wb") as target:
            YearWorkbook(user, year, term=term or None).save(target)
        self.stdout.write(_("Đã lập báo cáo năm %(year)d vào %(file)s.") % {"year": year, "file": output})

    def _term(self, name):
        """The term's name as the center keeps it; a dash typed as "-" finds "2020–2025" too."""
        name = name.strip()
        if not name:
            return ""
        terms = list(Term.objects.order_by("start").values_list("name", flat=True))
        wanted = name.replace("-", "–").replace("—", "–").replace(" ", "")
        for known in terms:
            if known.replace(" ", "") == wanted:
                return known
        raise CommandError(
            _("Không có nhiệm kỳ %(term)s. Các nhiệm kỳ: %(terms)s.") % {"term": name, "terms": ", ".join(terms)}
        )

    def _user(self, username):
        User = get_user_model()
        if username is None:
            # The command is run by whoever runs the server: it reports on the whole bloc, as the center does.
            return User(username="export_year_report", is_superuser=True, is_active=True)
        user = User.objects.filter(username=username).first()
        if user is None or not may_use_reports(user):
            raise CommandError(_("Không có tài khoản cán bộ nào tên %(name)s.") % {"name": username})
        return user
