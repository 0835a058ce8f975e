"""The revoke_certificate command: revokes a certificate by its printed register number, and can reissue it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.services import find_by_register_number, reissue_certificate, revoke_certificate
from common.history import add_by_argument, command_user


class Command(BaseCommand):
    help = gettext_lazy("Thu hồi một giấy chứng nhận theo số vào sổ, kèm lý do; có thể cấp lại ngay.")

    def add_arguments(self, parser):
        parser.add_argument("number", help=gettext_lazy("số vào sổ như in trên giấy, ví dụ 0123/2021/CC-TTBDCT"))
        parser.add_argument("--reason", required=True, help=gettext_lazy("lý do thu hồi"))
        add_by_argument(parser)
        parser.add_argument(
            "--reissue",
            action="store_true",
            help=gettext_lazy("cấp giấy thay thế theo thông tin hiện tại của học viên"),
        )

    def handle(self, *args, number, reason, username=None, reissue=False, **options):
        certificate = find_by_register_number(number)
        if certificate is None:
            raise CommandError(_("Không có giấy chứng nhận nào số vào sổ %(number)s.") % {"number": number})
        try:
            with command_user(username) as by:
                revoked = revoke_certificate(certificate, by=by, reason=reason)
                lines = [_("Đã thu hồi giấy chứng nhận %(number)s.") % {"number": revoked.register_number}]
                if reissue:
                    replacement = reissue_certificate(revoked, by=by)
                    lines.append(
                        _("Đã cấp lại giấy chứng nhận số %(number)s thay cho %(old)s.")
                        % {"number": replacement.register_number, "old": revoked.register_number}
                    )
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        self.stdout.write("\n".join(lines))
