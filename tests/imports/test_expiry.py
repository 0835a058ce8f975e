"""Uploaded workbooks hold personal data: their files are deleted IMPORT_FILE_DAYS after the last upload of the
same content, while the records (and so importing a file once) stay."""

import datetime
from io import StringIO

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from organizations.models import ImportRecord, Member
from organizations.uploads import expire_uploads, store_upload
from tests.imports.test_commands import ORGANIZATIONS, PEOPLE
from tests.imports.workbooks import xlsx
from tests.imports.world import new_uploads

DATA = xlsx(("Người", PEOPLE))


def upload(world, *, days_ago):
    record = store_upload(DATA, kind=ImportRecord.Kind.ORGANIZATIONS, file_name="cap-nhat.xlsx", by=world.officer_a)
    ImportRecord.objects.filter(pk=record.pk).update(uploaded_at=timezone.now() - datetime.timedelta(days=days_ago))
    return record


def test_a_file_past_the_kept_days_is_deleted_and_its_record_stays(world, settings, client_for):
    settings.IMPORT_FILE_DAYS = 30
    record = upload(world, days_ago=31)
    stored_name = record.stored_name

    deleted = expire_uploads()

    record.refresh_from_db()
    assert deleted == 1
    assert not default_storage.exists(stored_name)
    assert record.stored_name == "" and record.sha256
    preview = reverse("admin:organizations_organization_import_preview", args=[record.code])
    assert client_for(world.officer_a).get(preview).status_code == 404


def test_a_file_uploaded_again_recently_is_kept_for_both_records(world, settings):
    settings.IMPORT_FILE_DAYS = 30
    old = upload(world, days_ago=31)
    recent = upload(world, days_ago=2)

    assert expire_uploads() == 0
    assert default_storage.exists(old.stored_name) and old.stored_name == recent.stored_name


def test_a_new_upload_deletes_what_has_expired(world, settings):
    settings.IMPORT_FILE_DAYS = 30
    old = upload(world, days_ago=31)
    other = xlsx(("Người", [*PEOPLE, ["Lê Văn Tư", "01/02/1980", "DU-A-CS1-CB1", "", "", ""]]))

    store_upload(other, kind=ImportRecord.Kind.ORGANIZATIONS, file_name="khac.xlsx", by=world.officer_a)

    assert not default_storage.exists(old.stored_name)
    assert new_uploads().exclude(stored_name="").count() == 1


def test_the_same_file_imported_after_its_copy_was_deleted_changes_nothing(world, settings, tmp_path):
    settings.IMPORT_FILE_DAYS = 30
    path = tmp_path / "cap-nhat.xlsx"
    path.write_bytes(xlsx(("Tổ chức", ORGANIZATIONS), ("Người", PEOPLE)))
    call_command("import_organizations", str(path), stdout=StringIO())
    new_uploads().update(uploaded_at=timezone.now() - datetime.timedelta(days=31))
    out = StringIO()

    call_command("prune", stdout=out)
    again = StringIO()
    call_command("import_organizations", str(path), stdout=again)

    assert "organizations.uploads.expire_uploads: 1" in out.getvalue()
    assert "nhập lại không thay đổi gì" in again.getvalue()
    assert Member.objects.filter(full_name="Hoàng Văn Minh").count() == 1
