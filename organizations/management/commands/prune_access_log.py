"""The prune_access_log command: delete the access-log rows older than ACCESS_LOG_RETENTION_DAYS."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.access_log import prune_access_log


class Command(BaseCommand):
    help = gettext_lazy("Xóa các dòng nhật ký truy cập dữ liệu cá nhân đã quá thời hạn lưu giữ.")

    def handle(self, *args, **options):
        self.stdout.write(
            _("Đã xóa %(count)d dòng nhật ký truy cập cũ hơn %(days)d ngày.")
            % {"count": prune_access_log(), "days": settings.ACCESS_LOG_RETENTION_DAYS}
        )
