"""The import_organizations command: the party tree, members and posts from a workbook."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy

from common.history import command_user
from common.imports.commands import add_common_arguments, finish, read_file
from organizations.tree_import import import_organizations


class Command(BaseCommand):
    help = gettext_lazy(
        "Nhập cây tổ chức đảng, đảng viên và chức vụ từ tệp Excel theo mẫu (nhập lại cùng tệp không thay đổi gì)."
    )

    def add_arguments(self, parser):
        add_common_arguments(parser)

    def handle(self, *args, file, dry_run, valid_only, username=None, report_path=None, **options):
        data = read_file(file)
        try:
            with command_user(username) as by:
                report = import_organizations(
                    data, by=by, file_name=Path(file).name, dry_run=dry_run, valid_only=valid_only
                )
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        finish(self, data, report, dry_run=dry_run, valid_only=valid_only, report_path=report_path)
