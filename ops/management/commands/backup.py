"""The backup command: the database and every stored file into a new folder, with a manifest (ops/backup.py)."""

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ops.backup import BackupError, back_up


class Command(BaseCommand):
    help = gettext_lazy(
        "Sao lưu cơ sở dữ liệu (pg_dump trên PostgreSQL, bản sao trực tuyến trên SQLite) và mọi tệp đã lưu "
        "(giấy chứng nhận PDF, tệp in, báo cáo) vào một thư mục mới, kèm bản kê số dòng từng bảng và SHA-256 "
        "từng tệp. Chạy được khi hệ thống đang hoạt động."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", required=True, metavar="DIR", help=gettext_lazy("thư mục sao lưu (mới hoặc rỗng)")
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help=gettext_lazy("cơ sở dữ liệu (mặc định: default)")
        )

    def handle(self, *args, output, database, **options):
        try:
            manifest = back_up(output, connection=connections[database], storage=default_storage)
        except BackupError as error:
            raise CommandError(str(error)) from error
        tables = manifest["tables"]
        files = manifest["files"]
        self.stdout.write(
            _(
                "Đã sao lưu vào %(path)s: cơ sở dữ liệu %(engine)s (%(tables)d bảng, %(rows)d dòng) và %(files)d tệp "
                "(%(size)s). Bản kê: manifest.json."
            )
            % {
                "path": output,
                "engine": manifest["engine"],
                "tables": len(tables),
                "rows": sum(tables.values()),
                "files": files["count"],
                "size": filesizeformat(files["bytes"]),
            }
        )
