"""Backup and restore: a copy restored into an empty database and storage has every row and every file, the
certificate PDFs still match their SHA-256; restore refuses a target with data, or a damaged or foreign backup,
before changing anything. On PostgreSQL this runs pg_dump and pg_restore; on SQLite, SQLite's online backup.

pg_dump, run by another process, sees only committed rows: the tests that check restored rows commit theirs
(transactional tests); the others back up the database as migrate left it, which is all a refusal needs."""

import hashlib
import io
import json
import os
import stat

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, connections

from certificates.models import Certificate
from certificates.services import store_missing_pdfs
from common.page_cache import GENERATIONS
from ops.backup import stored_names
from tests.certificates.world import finish_print_jobs

committed = pytest.mark.django_db(transaction=True)

RESTORED = "restored"


@pytest.fixture
def media(settings, tmp_path):
    """The storage the site writes to; a test points MEDIA_ROOT elsewhere to restore into an empty one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def stored_world(world, media):
    """The personas' world with its certificates' PDFs rendered and stored, and its print jobs' files."""
    store_missing_pdfs(Certificate.objects.all())
    return finish_print_jobs(world)


@pytest.fixture
def restored_database(tmp_path):
    """A second, empty database of the same engine, as the `restored` alias."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        name = f"{settings_dict['NAME']}_{RESTORED}"
        server_wide(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / f"{RESTORED}.sqlite3")
    # A connection made here rather than declared in DATABASES: the test runner has no test database to set up for
    # it, and lets the test use it.
    restored = connection.copy(alias=RESTORED)
    restored.settings_dict["NAME"] = name
    connections[RESTORED] = restored
    yield RESTORED
    restored.close()
    del connections[RESTORED]
    if connection.vendor == "postgresql":
        server_wide(f'DROP DATABASE "{name}" WITH (FORCE)')


def server_wide(*statements):
    """Statements PostgreSQL runs only outside a transaction, on a connection of their own."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        other.close()


@pytest.fixture
def small_backup(db, media, tmp_path):
    """A backup of the database as migrate leaves it, and of one stored certificate PDF. Ask for it before any
    fixture that writes: SQLite's online backup would wait forever for the test's own open write transaction."""
    default_storage.save("certificates/2021/CC-TTBDCT-0001-7KQ2M9XA.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    run("backup", "-o", str(tmp_path / "backup"))
    return tmp_path / "backup"


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def rows_per_table(alias):
    database = connections[alias]
    with database.cursor() as cursor:
        counts = {}
        for table in database.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {database.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def stored_files():
    files = {}
    for name in stored_names(default_storage):
        with default_storage.open(name) as stored:
            files[name] = stored.read()
    return files


@committed
def test_a_restored_copy_has_every_row_and_every_file_and_the_pdfs_match_their_sha256(
    stored_world, media, tmp_path, restored_database
):
    rows, files = rows_per_table("default"), stored_files()
    assert rows["certificates_certificate"] == 2 and rows["certificates_historicalcertificate"] >= 2
    assert len(files) == 4  # two certificate PDFs, two print outputs

    said = run("backup", "-o", str(tmp_path / "backup"))

    assert f"Đã sao lưu vào {tmp_path / 'backup'}: cơ sở dữ liệu {connection.vendor}" in said
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"] == rows
    dump = (tmp_path / "backup" / manifest["database"]["file"]).read_bytes()
    assert dump.startswith(b"PGDMP" if connection.vendor == "postgresql" else b"SQLite format 3\0")
    listed = (tmp_path / "backup" / "files.sha256").read_text().splitlines()
    assert sorted(listed) == sorted(f"{hashlib.sha256(content).hexdigest()}  {name}" for name, content in files.items())

    media.MEDIA_ROOT = tmp_path / "restored-media"
    said = run("restore", str(tmp_path / "backup"), "--database", restored_database)

    assert said.splitlines() == [
        f"Đã khôi phục bản sao lưu lúc {manifest['created_at']} từ {tmp_path / 'backup'}: cơ sở dữ liệu "
        f"({len(rows)} bảng, {sum(rows.values())} dòng) và 4 tệp.",
        "Đã kiểm tra: số dòng của từng bảng và SHA-256 của từng tệp khớp với bản kê.",
    ]
    assert rows_per_table(restored_database) == rows
    assert stored_files() == files
    certificates = list(Certificate.objects.using(restored_database))
    assert {c.register_number for c in certificates} == {c.register_number for c in Certificate.objects.all()}
    for certificate in certificates:
        with default_storage.open(certificate.pdf.name) as pdf:
            assert hashlib.sha256(pdf.read()).hexdigest() == certificate.pdf_sha256 != ""


def test_restore_refuses_a_database_that_holds_data_and_says_what_to_do(small_backup, world, media, tmp_path):
    media.MEDIA_ROOT = tmp_path / "empty-media"
    rows = rows_per_table("default")

    with pytest.raises(CommandError) as refusal:
        run("restore", str(small_backup))

    assert str(refusal.value).startswith("Không khôi phục: cơ sở dữ liệu đích đã có dữ liệu trong ")
    assert "certificates_certificate" in str(refusal.value)
    assert str(refusal.value).endswith("nếu chắc chắn, chạy lại với --force.")
    assert rows_per_table("default") == rows and not stored_files()


def test_restore_refuses_a_storage_that_holds_files_unless_forced(small_backup, media, tmp_path, restored_database):
    kept = "reports/bao-cao-cu.xlsx"
    media.MEDIA_ROOT = tmp_path / "used-media"
    default_storage.save(kept, ContentFile(b"PK old report"))

    with pytest.raises(CommandError, match="Không khôi phục: kho tệp đích đã có tệp."):
        run("restore", str(small_backup), "--database", restored_database)
    assert connections[restored_database].introspection.table_names() == []

    said = run("restore", str(small_backup), "--database", restored_database, "--force")

    assert "khớp với bản kê" in said
    assert rows_per_table(restored_database) == json.loads((small_backup / "manifest.json").read_text())["tables"]
    assert sorted(stored_files()) == ["certificates/2021/CC-TTBDCT-0001-7KQ2M9XA.pdf", kept]


def test_after_a_restore_no_page_stored_before_it_is_served(small_backup, media, tmp_path, restored_database):
    media.MEDIA_ROOT = tmp_path / "empty-media"
    before = {generation.key: generation.current() for generation in GENERATIONS}
    assert set(before) == {"page-generation:verify", "page-generation:portal"}
    run("restore", str(small_backup), "--database", restored_database)
    for key, generation in before.items():
        assert cache.get(key) not in (None, generation)


@committed
def test_a_second_forced_restore_replaces_what_the_first_one_wrote(stored_world, media, tmp_path, restored_database):
    run("backup", "-o", str(tmp_path / "backup"))
    media.MEDIA_ROOT = tmp_path / "restored-media"
    run("restore", str(tmp_path / "backup"), "--database", restored_database)
    Certificate.objects.using(restored_database).update(holder_name="Đã bị sửa")
    with default_storage.open(Certificate.objects.first().pdf.name, "wb") as pdf:
        pdf.write(b"not the certificate")

    run("restore", str(tmp_path / "backup"), "--database", restored_database, "--force")

    names = set(Certificate.objects.using(restored_database).values_list("holder_name", flat=True))
    assert names == set(Certificate.objects.values_list("holder_name", flat=True))
    for certificate in Certificate.objects.using(restored_database):
        with default_storage.open(certificate.pdf.name) as pdf:
            assert hashlib.sha256(pdf.read()).hexdigest() == certificate.pdf_sha256


def test_a_damaged_backup_is_refused_before_anything_changes(small_backup, media, tmp_path, restored_database):
    pdf = small_backup / "media" / "certificates" / "2021" / "CC-TTBDCT-0001-7KQ2M9XA.pdf"
    pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOX"))
    media.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError) as refusal:
        run("restore", str(small_backup), "--database", restored_database)

    assert str(refusal.value) == (
        "Bản sao lưu bị hỏng: media/certificates/2021/CC-TTBDCT-0001-7KQ2M9XA.pdf không khớp SHA-256 trong bản kê. "
        "Không có gì bị thay đổi."
    )
    assert connections[restored_database].introspection.table_names() == [] and not stored_files()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"engine": "oracle"}, "Bản sao lưu là của cơ sở dữ liệu oracle, không khôi phục vào "),
        (
            {"migrations": ["certificates.9999_from_the_future"]},
            "Bản sao lưu được tạo bởi phiên bản mới hơn (có migration certificates.9999_from_the_future)",
        ),
    ],
    ids=["another engine", "newer code"],
)
def test_a_backup_this_installation_cannot_take_is_refused(
    small_backup, media, tmp_path, restored_database, change, message
):
    manifest_path = small_backup / "manifest.json"
    manifest_path.write_text(json.dumps({**json.loads(manifest_path.read_text()), **change}))
    media.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError) as refusal:
        run("restore", str(small_backup), "--database", restored_database)

    assert str(refusal.value).startswith(message)
    assert connections[restored_database].introspection.table_names() == [] and not stored_files()


def test_a_folder_without_a_manifest_is_not_a_backup(db, tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "database.dump").write_bytes(b"PGDMP")

    with pytest.raises(CommandError, match="Không có manifest.json trong .*: đây không phải một bản sao lưu trọn vẹn."):
        run("restore", str(tmp_path / "half"))


def test_a_backup_is_written_only_into_a_new_or_empty_folder(db, media, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "manifest.json").write_text("{}")

    with pytest.raises(CommandError, match="đã có nội dung: hãy sao lưu vào thư mục mới hoặc rỗng."):
        run("backup", "-o", str(tmp_path / "used"))

    assert (tmp_path / "used" / "manifest.json").read_text() == "{}"


def modes(folder):
    """Every folder's and file's permission bits in a backup, by path relative to it."""
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[path.relative_to(folder).as_posix()] = stat.S_IMODE(path.stat().st_mode)
    return found


@pytest.fixture
def permissive_umask():
    """The umask of an operator who shares everything: a backup must not depend on theirs."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_a_backup_is_readable_by_its_owner_only(db, media, tmp_path, permissive_umask):
    default_storage.save("certificates/2021/CC-TTBDCT-0001-7KQ2M9XA.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    (tmp_path / "made-beforehand").mkdir(mode=0o777)

    run("backup", "-o", str(tmp_path / "made-beforehand"))
    run("backup", "-o", str(tmp_path / "new" / "2026-12-03"))

    for backup in (tmp_path / "made-beforehand", tmp_path / "new" / "2026-12-03"):
        found = modes(backup)
        dump = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
        assert {dump, "manifest.json", "files.sha256", "media/certificates/2021/CC-TTBDCT-0001-7KQ2M9XA.pdf"} <= set(
            found
        )
        assert {path: mode for path, mode in found.items() if mode != 0o700 and mode != 0o600} == {}
        assert {path for path, mode in found.items() if mode == 0o700} == {
            ".",
            "media",
            "media/certificates",
            "media/certificates/2021",
        }
    assert os.umask(0) == 0  # the command gave the process its umask back


@pytest.mark.parametrize(
    ("changed", "bits"),
    [("database", stat.S_IWGRP), (".", stat.S_IWOTH), ("media/certificates/2021", stat.S_IWGRP | stat.S_IWOTH)],
    ids=["the dump, by its group", "the folder, by anyone", "a folder of stored files"],
)
def test_restore_refuses_a_backup_that_others_can_write(
    small_backup, media, tmp_path, restored_database, changed, bits
):
    if changed == "database":
        changed = json.loads((small_backup / "manifest.json").read_text())["database"]["file"]
    path = small_backup / changed
    path.chmod(stat.S_IMODE(path.stat().st_mode) | bits)
    media.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError) as refusal:
        run("restore", str(small_backup), "--database", restored_database)

    assert str(refusal.value) == (
        f"Không khôi phục: {path} có quyền {stat.filemode(path.stat().st_mode)}, "
        "người dùng khác trên máy ghi được nên bản sao lưu có thể đã bị sửa. Hãy kiểm tra rồi bỏ quyền ghi đó "
        f"(chmod -R go-w {small_backup})."
    )
    assert connections[restored_database].introspection.table_names() == [] and not stored_files()
