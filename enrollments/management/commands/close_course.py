"""The close_course command: closes a course by its code and prints who completed and who did not."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.history import add_by_argument, command_user
from courses.models import Course
from enrollments.closing import close_course


class Command(BaseCommand):
    help = "Kết thúc một lớp: xét hoàn thành cho từng học viên, lưu kết quả và khóa lớp."

    def add_arguments(self, parser):
        parser.add_argument("code", help=_("mã lớp, ví dụ 2021-K1-L1"))
        parser.add_argument(
            "--reason",
            default="",
            help=_(
                "lý do kết thúc sớm (trước buổi học cuối hoặc khi còn buổi chưa điểm danh), "
                "được ghi vào lịch sử của lớp"
            ),
        )
        add_by_argument(parser)

    def handle(self, *args, code, reason="", username=None, **options):
        course = Course.objects.filter(code=code.strip()).first()
        if course is None:
            raise CommandError(_("Không có lớp nào mã %(code)s.") % {"code": code})
        try:
            with command_user(username) as by:
                summary = close_course(course, by=by, reason=reason)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        if summary.already_closed:
            lines = [_("Lớp %(code)s đã kết thúc từ trước; không có gì thay đổi.") % {"code": course.code}]
        else:
            lines = [_("Đã kết thúc lớp %(code)s.") % {"code": course.code}]
        lines += [
            _("Hoàn thành: %(count)d") % {"count": summary.completed},
            _("Không hoàn thành: %(count)d") % {"count": summary.not_completed_count},
        ]
        for enrollment, reasons in summary.not_completed:
            lines.append(f"  - {enrollment.member.full_name}: {'; '.join(reasons)}")
        if summary.overridden:
            lines.append(_("Giữ nguyên %(count)d kết quả do cán bộ điều chỉnh.") % {"count": summary.overridden})
        self.stdout.write("\n".join(lines))
