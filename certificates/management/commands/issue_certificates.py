"""The issue_certificates command: issues the certificates of a closed course by its code."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.services import issue_certificates
from common.history import add_by_argument, command_user
from courses.models import Course


class Command(BaseCommand):
    help = gettext_lazy(
        "Cấp giấy chứng nhận cho mọi học viên hoàn thành của một lớp đã kết thúc (chạy lại không cấp trùng)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", required=True, dest="code", help=gettext_lazy("mã lớp, ví dụ 2021-K1-L1"))
        add_by_argument(parser)
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help=gettext_lazy("ngày cấp, dạng YYYY-MM-DD (mặc định: hôm nay)"),
        )

    def handle(self, *args, code, username=None, date=None, **options):
        course = Course.objects.filter(code=code.strip()).first()
        if course is None:
            raise CommandError(_("Không có lớp nào mã %(code)s.") % {"code": code})
        try:
            with command_user(username) as by:
                summary = issue_certificates(course, by=by, issued_on=date)
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        lines = [
            _("Lớp %(code)s: cấp mới %(issued)d, đã cấp từ trước %(already)d.")
            % {"code": course.code, "issued": len(summary.issued), "already": summary.already_issued}
        ]
        lines += [f"  {certificate.register_number}  {certificate.holder_name}" for certificate in summary.issued]
        self.stdout.write("\n".join(lines))
