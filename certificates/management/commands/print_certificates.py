"""The print_certificates command: a course's valid certificates as one PDF, in roster order, for printing;
recorded as a print job like one started from the admin."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.models import PrintJob
from certificates.printing import course_certificates, print_now
from common.history import add_by_argument, command_user
from courses.models import Course


class Command(BaseCommand):
    help = gettext_lazy("In mọi giấy chứng nhận còn hiệu lực của một lớp thành một tệp PDF, theo thứ tự danh sách lớp.")

    def add_arguments(self, parser):
        parser.add_argument("--course", required=True, dest="code", help=gettext_lazy("mã lớp, ví dụ 2021-K1-L1"))
        parser.add_argument("-o", "--output", required=True, type=Path, help=gettext_lazy("tệp PDF sẽ ghi"))
        add_by_argument(parser)

    def handle(self, *args, code, output, username=None, **options):
        course = Course.objects.filter(code=code.strip()).first()
        if course is None:
            raise CommandError(_("Không có lớp nào mã %(code)s.") % {"code": code})
        if not course_certificates(course).exists():
            raise CommandError(_("Lớp %(code)s chưa có giấy chứng nhận nào còn hiệu lực.") % {"code": course.code})
        try:
            with command_user(username) as by:
                job = print_now(course, kind=PrintJob.Kind.PDF, by=by)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        with job.output.open("rb") as printed:
            output.write_bytes(printed.read())
        self.stdout.write(
            _("Đã in %(count)d giấy chứng nhận của lớp %(code)s vào %(file)s.")
            % {"count": job.total, "code": course.code, "file": output}
        )
