"""The expire_reports command: delete report files past their time (exports also do it as they start)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.jobs import expire_reports


class Command(BaseCommand):
    help = gettext_lazy("Xóa các tệp báo cáo đã hết hạn; bản ghi lượt xuất vẫn được giữ.")

    def handle(self, *args, **options):
        self.stdout.write(_("Đã xóa %(count)d tệp báo cáo hết hạn.") % {"count": expire_reports()})
