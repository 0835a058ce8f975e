"""The certificate_orphans command: list the stored certificate PDFs that no certificate names, and delete them."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.orphans import GRACE, orphan_pdfs


class Command(BaseCommand):
    help = gettext_lazy(
        "Liệt kê các tệp PDF trong thư mục giấy chứng nhận mà không giấy chứng nhận nào dùng (chúng chứa họ tên, "
        "ngày sinh của học viên và đi vào mọi bản sao lưu); thêm --delete để xóa. Tệp ghi trong vòng một giờ qua "
        "được để lại: có thể lần cấp đang ghi chưa xong."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help=gettext_lazy("xóa các tệp được liệt kê"))

    def handle(self, *args, delete=False, **options):
        count = 0
        for name in orphan_pdfs(delete=delete):
            count += 1
            self.stdout.write(name)
        hours = int(GRACE.total_seconds() // 3600)
        if not count:
            self.stdout.write(
                _("Không có tệp PDF nào thừa (đã bỏ qua các tệp ghi trong %(hours)d giờ qua).") % {"hours": hours}
            )
        elif delete:
            self.stdout.write(_("Đã xóa %(count)d tệp PDF không thuộc giấy chứng nhận nào.") % {"count": count})
        else:
            self.stdout.write(
                _("Có %(count)d tệp PDF không thuộc giấy chứng nhận nào; chạy lại với --delete để xóa.")
                % {"count": count}
            )
