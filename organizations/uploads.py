"""What every Excel import keeps in ImportRecord: an uploaded file between its preview and its import, and
importing a file once (keyed on its SHA-256 and its target)."""

import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from common.imports.report import ImportReport, file_sha256
from organizations.access import scope_of
from organizations.access_log import record_access
from organizations.models import AccessLog, ImportRecord, Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

STORAGE_FOLDER = "imports"


def previous_import(kind: str, sha256: str, target: str = "") -> ImportRecord | None:
    return (
        ImportRecord.objects.filter(kind=kind, sha256=sha256, target=target, imported_at__isnull=False)
        .select_related("imported_by")
        .first()
    )


def imported_meanwhile(report: ImportReport) -> bool:
    """Whether the same file was imported for the same target after the report was made, naming who and when in
    report.previous. Asked inside the import's transaction once it holds the lock that makes imports of one target
    wait for each other (the course, the tree): the confirms that lost the race then write nothing."""
    report.previous = previous_import(report.kind, report.sha256, report.target)
    report.lost_race = report.previous is not None
    return report.lost_race


def new_report(kind: str, data: bytes, file_name: str, target: str = "") -> ImportReport:
    sha256 = file_sha256(data)
    return ImportReport(kind, file_name, sha256, target, previous=previous_import(kind, sha256, target))


def store_upload(
    data: bytes,
    *,
    kind: str,
    file_name: str,
    by: "User | None",
    target: str = "",
    options: dict[str, Any] | None = None,
) -> ImportRecord:
    """Keep an uploaded file on the server (once per content) and record who uploaded it for what."""
    expire_uploads()
    sha256 = file_sha256(data)
    stored_name = f"{STORAGE_FOLDER}/{sha256}.xlsx"
    if not default_storage.exists(stored_name):
        stored_name = default_storage.save(stored_name, ContentFile(data))
    return ImportRecord.objects.create(
        code=secrets.token_urlsafe(16),
        kind=kind,
        target=target,
        sha256=sha256,
        file_name=file_name[: ImportRecord._meta.get_field("file_name").max_length],
        stored_name=stored_name,
        options=options or {},
        organization=_scope_organization(by),
        uploaded_by=by,
    )


def expire_uploads(now: datetime.datetime | None = None) -> int:
    """Delete the stored files last uploaded more than IMPORT_FILE_DAYS ago: they hold people's personal data,
    and are needed only between the preview and the import. The records stay, with their SHA-256, so the same
    file imported again still changes nothing. Returns how many files were deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.IMPORT_FILE_DAYS)
    names = list(
        ImportRecord.objects.exclude(stored_name="")
        .values("stored_name")
        .annotate(last=models.Max("uploaded_at"))
        .filter(last__lt=cutoff)
        .values_list("stored_name", flat=True)
    )
    for name in names:
        default_storage.delete(name)
    ImportRecord.objects.filter(stored_name__in=names).update(stored_name="")
    return len(names)


def stored_data(record: ImportRecord) -> bytes:
    if not record.stored_name:
        raise FileNotFoundError(f"the upload {record.code} was deleted after IMPORT_FILE_DAYS")
    with default_storage.open(record.stored_name, "rb") as stored:
        data = stored.read()
    if file_sha256(data) != record.sha256:
        raise ValueError(f"stored file {record.stored_name} does not match its SHA-256")
    return data


def upload_of(user: Any, code: str | None, kind: str) -> ImportRecord | None:
    """The user's own upload with this code, or None: an upload is never shown to anyone else."""
    if not code or user is None or not user.is_authenticated:
        return None
    return ImportRecord.objects.for_user(user).filter(code=code, kind=kind, uploaded_by=user).first()


def _scope_organization(user):
    scope = scope_of(user)
    if scope.path is not None:
        return Organization.objects.filter(path=scope.path).first()
    return Organization.objects.filter(depth=1).first() if scope.everything else None


def record_import(
    report: ImportReport,
    *,
    by: "User | None",
    record: ImportRecord | None = None,
    data: bytes | None = None,
    options: dict[str, Any] | None = None,
) -> bool:
    """Mark the file imported, inside the import's transaction; False when a concurrent import of the
    same file got there first (report.previous then names it, and the caller's transaction must be rolled back)."""
    if record is None:
        assert data is not None, "without a stored upload, record_import needs the file's bytes"
        record = store_upload(data, kind=report.kind, file_name=report.file_name, by=by, target=report.target)
    record.imported_at = timezone.now()
    record.imported_by = by
    record.summary = report.summary()
    if options is not None:
        record.options = options
    try:
        with transaction.atomic():
            record.save(update_fields=["imported_at", "imported_by", "summary", "options"])
    except IntegrityError:
        imported_meanwhile(report)
        return False
    return True


class ImportRecordUploads:
    """The import pages' uploads (common.imports.views.Uploads), kept as ImportRecord rows with their files in
    storage; an upload is scoped by its uploader's organization and shown only to its uploader."""

    def store(self, data, *, kind, file_name, by, target="", options=None):
        return store_upload(data, kind=kind, file_name=file_name, by=by, target=target, options=options)

    def find(self, user, code, kind):
        return upload_of(user, code, kind)

    def data(self, record):
        return stored_data(record)

    def recent(self, user, kind, count):
        return ImportRecord.objects.filter(kind=kind, uploaded_by=user).order_by("-uploaded_at")[:count]

    def report_downloaded(self, request, record):
        record_access(request, AccessLog.Action.IMPORT_REPORT, obj=record)


UPLOADS = ImportRecordUploads()
