"""The prune command: the periodic housekeeping (settings.HOUSEKEEPING), run by deploy/systemd/training-prune.timer."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ops.housekeeping import run_housekeeping


class Command(BaseCommand):
    help = gettext_lazy(
        "Dọn dẹp định kỳ: đánh dấu lỗi các công việc mà tiến trình xử lý đã dừng, xóa các tác vụ đã xong quá hạn "
        "lưu giữ và các tệp đã hết hạn. Chạy lại nhiều lần cũng không sao."
    )

    def handle(self, *args, **options):
        counts = run_housekeeping()
        for step, count in counts.items():
            self.stdout.write(f"{step}: {'-' if count is None else count}")
        failed = [step for step, count in counts.items() if count is None]
        if failed:
            raise CommandError(_("Các bước sau bị lỗi (xem nhật ký): %(steps)s") % {"steps": ", ".join(failed)})
