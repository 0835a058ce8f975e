"""The restore command: a backup folder back into an empty database and storage, checked against its manifest."""

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.page_cache import new_generations
from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = gettext_lazy(
        "Khôi phục một bản sao lưu (lệnh backup): kiểm tra toàn bộ bản sao lưu trước, chỉ ghi vào cơ sở dữ liệu và "
        "kho tệp còn trống (trừ khi có --force), rồi đối chiếu số dòng từng bảng và SHA-256 từng tệp với bản kê. "
        "Hãy dừng máy chủ web và tiến trình chạy nền trước khi khôi phục."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help=gettext_lazy("thư mục sao lưu"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy(
                "khôi phục cả khi đích đã có dữ liệu: thay thế các bảng có trong bản sao lưu và các tệp cùng tên"
            ),
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help=gettext_lazy("cơ sở dữ liệu (mặc định: default)")
        )

    def handle(self, *args, directory, force, database, **options):
        try:
            manifest, pending = restore(
                directory, connection=connections[database], storage=default_storage, force=force
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        new_generations()  # pages stored from the data just replaced must not be served again
        tables = manifest["tables"]
        lines = [
            _(
                "Đã khôi phục bản sao lưu lúc %(created)s từ %(path)s: cơ sở dữ liệu (%(tables)d bảng, %(rows)d dòng) "
                "và %(files)d tệp."
            )
            % {
                "created": manifest["created_at"],
                "path": directory,
                "tables": len(tables),
                "rows": sum(tables.values()),
                "files": manifest["files"]["count"],
            },
            _("Đã kiểm tra: số dòng của từng bảng và SHA-256 của từng tệp khớp với bản kê."),
        ]
        if pending:
            lines.append(
                _("Mã nguồn có %(count)d migration mới hơn bản sao lưu: hãy chạy `python manage.py migrate`.")
                % {"count": len(pending)}
            )
        self.stdout.write("\n".join(lines))
