"""Backing up and restoring the whole system: the database and every stored file, with a manifest to check both.

A backup folder holds:

    manifest.json     when and from what engine; the row count of every table; the database file's SHA-256;
                      the applied migrations; the number, size and SHA-256 of files.sha256
    database.dump     PostgreSQL: pg_dump's custom format, taken from one snapshot
    database.sqlite3  SQLite: a copy made by SQLite's online backup
    files.sha256      one line per stored file, "<sha256>  <name>" (by hand: cd media && sha256sum -c ../files.sha256)
    media/            the stored files (certificate PDFs, print outputs, report files) under their storage names

The database is dumped by the engine's own tool rather than by `dumpdata`: the copy is exact (sequences,
constraints, every history row), it is taken from one consistent snapshot while the site runs, it takes minutes
rather than hours at national scale, and restoring it runs no model code. The price is that a backup restores into
the same engine only, which restore checks. The counts in the manifest are read from the same snapshot as the
dump, so a restored copy must match them exactly. Files go through Django's storage API, so the same commands
back up a local folder or S3-compatible storage; the database is dumped first, so every file a row names is
already stored when the files are copied (certificate PDFs are never deleted).

The manifest is written last: a folder without one is an interrupted backup, and restore refuses it.

A backup holds every member's personal data and, once restored, decides what the database holds: it is created
readable by its owner only (folders 0700, files 0600, made so from the start rather than changed afterwards), and
restore refuses a backup that another user could have changed (any file or folder in it writable by group or others).
"""

import hashlib
import json
import os
import posixpath
import sqlite3
import stat
import subprocess
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
FILES_LIST = "files.sha256"
MEDIA_FOLDER = "media"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Rows `migrate` writes by itself into a new database: a database with rows only in these is still empty.
MIGRATE_TABLES = {"django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
CHUNK = 1024 * 1024
# What nobody but the owner may do to a backup: read or write it while it is made, write it before it is restored.
OWNER_ONLY_UMASK = 0o077
WRITABLE_BY_OTHERS = stat.S_IWGRP | stat.S_IWOTH


class BackupError(Exception):
    """A backup or restore that cannot go on, or did not check out; the message says why."""


def back_up(directory, *, connection, storage):
    """Write a backup of the database behind `connection` and of every file in `storage` to `directory`, which
    must be new or empty. Returns the manifest."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(_("%(path)s đã có nội dung: hãy sao lưu vào thư mục mới hoặc rỗng.") % {"path": directory})
    engine = _engine(connection)
    with _owner_only():
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)  # an empty folder made beforehand keeps its own mode otherwise
        dump = directory / DUMP_FILES[engine]
        if engine == "postgresql":
            tables, migrations = _dump_postgresql(connection, dump)
        else:
            tables, migrations = _dump_sqlite(connection, dump)
        files = _copy_files_out(storage, directory)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "engine": engine,
            "database": {"file": dump.name, "sha256": sha256_of_file(dump), "bytes": dump.stat().st_size},
            "migrations": migrations,
            "tables": tables,
            "files": files,
        }
        (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def restore(directory, *, connection, storage, force=False):
    """Put a backup back: check the backup whole before touching anything, refuse a target that holds data unless
    `force`, restore the database and the files, then check the restored rows and files against the manifest.
    Returns the manifest and the migrations this code has that the backup has not (to apply with migrate)."""
    directory = Path(directory)
    _refuse_writable_by_others(directory)
    manifest = read_manifest(directory)
    engine = _engine(connection)
    if manifest["engine"] != engine:
        raise BackupError(
            _("Bản sao lưu là của cơ sở dữ liệu %(backup)s, không khôi phục vào %(target)s được.")
            % {"backup": manifest["engine"], "target": engine}
        )
    pending = _pending_migrations(manifest)
    listing = _verify_backup(directory, manifest)
    if not force:
        _refuse_unless_empty(connection, storage)
    dump = directory / manifest["database"]["file"]
    if engine == "postgresql":
        _restore_postgresql(connection, dump)
    else:
        _restore_sqlite(connection, dump)
    _copy_files_in(storage, directory, listing)
    _verify_restored(connection, storage, manifest, listing)
    return manifest, pending


def read_manifest(directory):
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(
            _("Không có %(file)s trong %(path)s: đây không phải một bản sao lưu trọn vẹn.")
            % {"file": MANIFEST, "path": directory}
        ) from error
    except (OSError, ValueError) as error:
        raise BackupError(_("Không đọc được %(file)s: %(error)s") % {"file": path, "error": error}) from error
    found = manifest.get("format") if isinstance(manifest, dict) else None
    if found != FORMAT:
        raise BackupError(_("Bản sao lưu có định dạng %(format)s, phiên bản này không đọc được.") % {"format": found})
    return manifest


def sha256_of_file(path):
    with open(path, "rb") as file:
        return _sha256_of(file)


def stored_names(storage, folder=""):
    """Every file's name in the storage, folder by folder, sorted."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local storage whose folder was never created holds nothing
        return
    for name in sorted(files):
        yield posixpath.join(folder, name)
    for sub in sorted(folders):
        yield from stored_names(storage, posixpath.join(folder, sub))


def count_rows(connection, tables):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        return _count_rows(cursor, tables, quote)


@contextmanager
def _owner_only():
    """Everything created meanwhile, by this process or the pg_dump it starts, is its owner's only: the mode is set
    as each file is created, so no file is readable by others even for a moment. The umask is the process's, so
    this belongs in a command, not in a threaded server."""
    previous = os.umask(OWNER_ONLY_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def _refuse_writable_by_others(directory):
    """pg_restore runs whatever SQL the dump holds, and the manifest vouches for the rest: a backup someone else
    could have written is refused, the backup folder and everything in it."""
    paths = [directory]
    for folder, subfolders, files in os.walk(directory):
        paths += [Path(folder) / name for name in subfolders + files]
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError:
            continue  # a missing folder or file is refused further on, with its own message
        if mode & WRITABLE_BY_OTHERS:
            raise BackupError(
                _(
                    "Không khôi phục: %(path)s có quyền %(mode)s, người dùng khác trên máy ghi được nên bản sao lưu "
                    "có thể đã bị sửa. Hãy kiểm tra rồi bỏ quyền ghi đó (chmod -R go-w %(folder)s)."
                )
                % {"path": path, "mode": stat.filemode(mode), "folder": directory}
            )


# -- The database ------------------------------------------------------------------------------------------------


def _engine(connection):
    if connection.vendor not in DUMP_FILES:
        raise BackupError(_("Chưa hỗ trợ sao lưu cơ sở dữ liệu %(vendor)s.") % {"vendor": connection.vendor})
    return connection.vendor


def _count_rows(cursor, tables, quote):
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor, tables):
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _dump_postgresql(connection, dump):
    """pg_dump in custom format from a snapshot that the row counts are read from too, so they agree even while the
    site keeps writing."""
    snapshot = connection.copy()
    try:
        with snapshot.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
            _pg_run(connection, ["pg_dump", "--format=custom", f"--snapshot={snapshot_id}", f"--file={dump}"])
            tables = snapshot.introspection.table_names(cursor)
            counts = _count_rows(cursor, tables, connection.ops.quote_name)
            migrations = _applied_migrations(cursor, tables)
            cursor.execute("COMMIT")
    finally:
        snapshot.close()
    return counts, migrations


def _dump_sqlite(connection, dump):
    """SQLite's online backup, in one step so that the copy is one consistent state even while other processes
    write; counted from the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        tables = [name for (name,) in cursor.fetchall()]
        return _count_rows(cursor, tables, connection.ops.quote_name), _applied_migrations(cursor, tables)
    finally:
        copy.close()


def _restore_postgresql(connection, dump):
    # One transaction: a failure leaves the database as it was. --clean drops what the dump recreates (the tables
    # `migrate` made, or everything with --force); ownership and grants are the target server's own.
    _pg_run(
        connection,
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
    )


def _restore_sqlite(connection, dump):
    # The online backup replaces the target database's content as a whole, in one step.
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _pg_run(connection, command):
    """Run pg_dump or pg_restore against the connection's database: where and as whom through libpq's environment,
    and the password and TLS settings the way `manage.py dbshell` passes them to psql (never on the command line)."""
    settings = connection.settings_dict
    _args, secrets = DatabaseClient.settings_to_cmd_args_env(settings, [])
    where = {"PGHOST": settings.get("HOST"), "PGPORT": settings.get("PORT"), "PGUSER": settings.get("USER")}
    environment = {**os.environ, **{key: str(value) for key, value in where.items() if value}, **(secrets or {})}
    environment["PGDATABASE"] = settings["NAME"]
    try:
        finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(
            _("Không tìm thấy chương trình %(program)s: hãy cài gói postgresql-client.") % {"program": command[0]}
        ) from error
    if finished.returncode:
        raise BackupError(
            _("%(program)s báo lỗi: %(error)s") % {"program": command[0], "error": finished.stderr.strip()}
        )


def _pending_migrations(manifest):
    """Migrations this code has and the backup has not (migrate applies them after restoring). A backup made by
    newer code, with migrations this code does not know, is refused: this code cannot read that database."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    applied = set(manifest["migrations"])
    unknown = sorted(applied - known)
    if unknown:
        raise BackupError(
            _("Bản sao lưu được tạo bởi phiên bản mới hơn (có migration %(names)s): hãy cập nhật mã nguồn trước.")
            % {"names": ", ".join(unknown)}
        )
    return sorted(known - applied)


def _refuse_unless_empty(connection, storage):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        occupied = []
        for table in sorted(set(connection.introspection.table_names(cursor)) - MIGRATE_TABLES):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
            if cursor.fetchone()[0]:
                occupied.append(table)
    has_files = next(stored_names(storage), None) is not None
    if not occupied and not has_files:
        return
    reasons = []
    if occupied:
        shown = ", ".join(occupied[:5]) + ("…" if len(occupied) > 5 else "")
        reasons.append(
            _("cơ sở dữ liệu đích đã có dữ liệu trong %(count)d bảng (%(tables)s)")
            % {"count": len(occupied), "tables": shown}
        )
    if has_files:
        reasons.append(_("kho tệp đích đã có tệp"))
    raise BackupError(
        _("Không khôi phục: %(reasons)s. Khôi phục sẽ thay thế dữ liệu này; nếu chắc chắn, chạy lại với --force.")
        % {"reasons": "; ".join(reasons)}
    )


# -- Stored files ------------------------------------------------------------------------------------------------


def _sha256_of(file, copy_to=None):
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(CHUNK), b""):
        digest.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest()


def _copy_files_out(storage, directory):
    count = size = 0
    media = directory / MEDIA_FOLDER
    listing = directory / FILES_LIST
    with listing.open("w", encoding="utf-8") as lines:
        for name in stored_names(storage):
            target = media / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(name, "rb") as source, target.open("wb") as copy:
                lines.write(f"{_sha256_of(source, copy_to=copy)}  {name}\n")
            count += 1
            size += target.stat().st_size
    return {"list": FILES_LIST, "sha256": sha256_of_file(listing), "count": count, "bytes": size}


def _verify_backup(directory, manifest):
    """Check every byte of the backup against the manifest before anything is changed. Returns the file list."""
    database = manifest["database"]
    if sha256_of_file(directory / database["file"]) != database["sha256"]:
        raise _damaged(database["file"])
    listing_path = directory / manifest["files"]["list"]
    if sha256_of_file(listing_path) != manifest["files"]["sha256"]:
        raise _damaged(listing_path.name)
    listing = []
    for line in listing_path.read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        if posixpath.isabs(name) or ".." in name.split("/"):
            raise _damaged(name)
        if sha256_of_file(directory / MEDIA_FOLDER / name) != digest:
            raise _damaged(f"{MEDIA_FOLDER}/{name}")
        listing.append((digest, name))
    return listing


def _damaged(name):
    return BackupError(
        _("Bản sao lưu bị hỏng: %(file)s không khớp SHA-256 trong bản kê. Không có gì bị thay đổi.") % {"file": name}
    )


def _copy_files_in(storage, directory, listing):
    for _digest, name in listing:
        if storage.exists(name):
            storage.delete(name)
        with open(directory / MEDIA_FOLDER / name, "rb") as source:
            saved = storage.save(name, File(source, name=name))
        if saved != name:
            raise BackupError(_("Kho tệp lưu %(name)s thành %(saved)s.") % {"name": name, "saved": saved})


def _verify_restored(connection, storage, manifest, listing):
    """Read back what was restored: every table's row count and every file's SHA-256 as the manifest has them."""
    problems = []
    tables = manifest["tables"]
    present = set(connection.introspection.table_names())
    missing = sorted(set(tables) - present)
    problems += [_("thiếu bảng %(table)s") % {"table": table} for table in missing]
    restored = count_rows(connection, [table for table in tables if table in present])
    problems += [
        _("bảng %(table)s có %(found)d dòng, bản kê ghi %(expected)d")
        % {"table": table, "found": found, "expected": tables[table]}
        for table, found in restored.items()
        if found != tables[table]
    ]
    for digest, name in listing:
        with storage.open(name, "rb") as stored:
            if _sha256_of(stored) != digest:
                problems.append(_("tệp %(name)s không khớp SHA-256") % {"name": name})
    if problems:
        raise BackupError(
            _("Đã khôi phục nhưng kiểm tra thấy sai lệch: %(problems)s.") % {"problems": "; ".join(problems)}
        )
