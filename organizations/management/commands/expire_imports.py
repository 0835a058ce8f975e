"""The expire_imports command: delete uploaded workbooks kept longer than IMPORT_FILE_DAYS (uploads also do it)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.importing import expire_uploads


class Command(BaseCommand):
    help = gettext_lazy("Xóa các tệp Excel đã tải lên quá thời hạn lưu giữ; bản ghi các lần nhập vẫn được giữ.")

    def handle(self, *args, **options):
        self.stdout.write(
            _("Đã xóa %(count)d tệp tải lên quá %(days)d ngày.")
            % {"count": expire_uploads(), "days": settings.IMPORT_FILE_DAYS}
        )
