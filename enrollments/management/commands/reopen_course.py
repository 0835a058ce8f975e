"""The reopen_course command: reopens a closed course by its code, with the reason its history keeps."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.history import add_by_argument, command_user
from courses.models import Course
from enrollments.closing import reopen_course


class Command(BaseCommand):
    help = "Mở lại một lớp đã kết thúc: xóa kết quả đã lưu, kèm lý do (không được khi còn giấy chứng nhận có hiệu lực)."

    def add_arguments(self, parser):
        parser.add_argument("code", help=_("mã lớp, ví dụ 2021-K1-L1"))
        parser.add_argument("--reason", required=True, help=_("lý do mở lại lớp, được ghi vào lịch sử"))
        add_by_argument(parser)

    def handle(self, *args, code, reason, username=None, **options):
        course = Course.objects.filter(code=code.strip()).first()
        if course is None:
            raise CommandError(_("Không có lớp nào mã %(code)s.") % {"code": code})
        try:
            with command_user(username) as by:
                reopen_course(course, by=by, reason=reason)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(_("Đã mở lại lớp %(code)s; kết quả đã lưu được xóa.") % {"code": course.code})
