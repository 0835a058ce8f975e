"""The demo_import_samples command: writes the sample Excel files for the imports, built from the demo data."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.import_samples import SAMPLES_FOLDER, write_samples


class Command(BaseCommand):
    help = gettext_lazy(
        "Ghi các tệp Excel mẫu để thử chức năng nhập (danh sách cử đi học, cây tổ chức và đảng viên) từ dữ liệu mẫu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.MEDIA_ROOT / SAMPLES_FOLDER),
            help=gettext_lazy("thư mục ghi tệp (mặc định: media/mau-nhap-excel)"),
        )

    def handle(self, *args, output, **options):
        for path in write_samples(output):
            self.stdout.write(_("Đã ghi %(path)s") % {"path": path})
