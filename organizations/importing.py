"""What every Excel import shares: the report of what each row does, keeping an uploaded file between its
preview and its import, and importing a file once (keyed on its SHA-256 and its target)."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.imports.spreadsheets import cell_message, row_message
from organizations.access import scope_of
from organizations.models import ImportRecord, Organization

STORAGE_FOLDER = "imports"
# Rows listed on a preview page; the counts and the error report cover every row.
PREVIEW_ROWS = 1000


class Outcome(models.TextChoices):
    CREATED = "created", gettext_lazy("Thêm mới")
    CHANGED = "changed", gettext_lazy("Cập nhật")
    UNCHANGED = "unchanged", gettext_lazy("Không đổi")
    REFUSED = "refused", gettext_lazy("Không nhận")


@dataclass
class RowResult:
    """What importing one row does, or why it cannot."""

    sheet: str
    number: int
    description: str = ""
    outcome: str = Outcome.UNCHANGED
    messages: list = field(default_factory=list)

    def refuse(self, message, column=None):
        """Refuse the row; column is the header text of the cell at fault, if one is."""
        self.outcome = Outcome.REFUSED
        self.messages.append(
            cell_message(self.number, column, message) if column else row_message(self.number, message)
        )

    @property
    def refused(self):
        return self.outcome == Outcome.REFUSED

    def get_outcome_display(self):
        return Outcome(self.outcome).label


@dataclass
class ImportReport:
    kind: str
    file_name: str
    sha256: str
    target: str = ""
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # what refuses the whole file
    header_rows: dict = field(default_factory=dict)  # sheet title -> header row number
    previous: ImportRecord | None = None  # an earlier import of the same file for the same target
    lost_race: bool = False  # previous was committed while this import waited for its turn
    imported: bool = False

    def add_row(self, sheet, number, description=""):
        row = RowResult(sheet, number, description)
        self.rows.append(row)
        return row

    @property
    def counts(self):
        counts = dict.fromkeys(Outcome.values, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    @property
    def refused_rows(self):
        return [row for row in self.rows if row.refused]

    @property
    def messages(self):
        return [*self.errors, *(message for row in self.refused_rows for message in row.messages)]

    def problems(self):
        """sheet title -> {row number -> messages}, for the error report."""
        problems = {}
        for row in self.refused_rows:
            problems.setdefault(row.sheet, {})[row.number] = row.messages
        return problems

    def may_import(self, valid_only):
        """Whether an import may go ahead: nothing refuses the file, and either every row can be taken
        or the user chose to take only the rows that can."""
        return not self.errors and self.previous is None and (valid_only or not self.refused_rows)

    def already_imported_message(self):
        record = self.previous
        imported_at = timezone.localtime(record.imported_at)
        who = record.imported_by.get_username() if record.imported_by else _("dòng lệnh")
        if self.lost_race:
            return _("Tệp này vừa được nhập bởi %(who)s lúc %(time)s; lần nhập này không ghi gì.") % {
                "who": who,
                "time": time_format(imported_at, "TIME_FORMAT"),
            }
        when = date_format(imported_at, "SHORT_DATETIME_FORMAT")
        return _("Tệp này đã được nhập lúc %(when)s (%(who)s); nhập lại không thay đổi gì.") % {
            "when": when,
            "who": who,
        }

    def summary(self):
        return {**self.counts, "errors": self.errors[:20]}


def file_sha256(data):
    return hashlib.sha256(data).hexdigest()


def previous_import(kind, sha256, target=""):
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


def new_report(kind, data, file_name, target=""):
    sha256 = file_sha256(data)
    return ImportReport(kind, file_name, sha256, target, previous=previous_import(kind, sha256, target))


def store_upload(data, *, kind, file_name, by, target="", options=None):
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


def expire_uploads(now=None):
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


def stored_data(record):
    if not record.stored_name:
        raise FileNotFoundError(f"the upload {record.code} was deleted after IMPORT_FILE_DAYS")
    with default_storage.open(record.stored_name, "rb") as stored:
        data = stored.read()
    if file_sha256(data) != record.sha256:
        raise ValueError(f"stored file {record.stored_name} does not match its SHA-256")
    return data


def upload_of(user, code, kind):
    """The user's own upload with this code, or None: an upload is never shown to anyone else."""
    if not code or user is None or not user.is_authenticated:
        return None
    return ImportRecord.objects.for_user(user).filter(code=code, kind=kind, uploaded_by=user).first()


def _scope_organization(user):
    scope = scope_of(user)
    if scope.path is not None:
        return Organization.objects.filter(path=scope.path).first()
    return Organization.objects.filter(depth=1).first() if scope.everything else None


def record_import(report, *, by, record=None, data=None, options=None):
    """Mark the file imported, inside the import's transaction; False when a concurrent import of the
    same file got there first (report.previous then names it, and the caller's transaction must be rolled back)."""
    if record is None:
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


def history_reason(file_name):
    """The change reason kept on every history row an import writes (the column holds 100 characters)."""
    return (_("Nhập từ tệp %(name)s") % {"name": file_name})[:100]


def report_lines(report, *, dry_run, valid_only):
    """The report as lines of text, for the import commands."""
    counts = report.counts
    lines = [
        _("Tệp %(name)s (SHA-256 %(sha)s…)") % {"name": report.file_name, "sha": report.sha256[:12]},
        _("Thêm mới: %(created)d, cập nhật: %(changed)d, không đổi: %(unchanged)d, không nhận: %(refused)d") % counts,
    ]
    lines += report.errors
    sheet = None
    for row in report.refused_rows:
        if row.sheet != sheet:
            sheet = row.sheet
            lines.append(_("Trang %(sheet)s:") % {"sheet": sheet})
        lines += [f"  {message}" for message in row.messages]
    if report.previous is not None:
        lines.append(report.already_imported_message())
    elif report.imported:
        lines.append(_("Đã nhập xong."))
    elif dry_run:
        lines.append(_("Chạy thử: không có gì được ghi."))
    elif report.errors:
        lines.append(_("Không nhập: tệp không được nhận."))
    elif report.refused_rows and not valid_only:
        lines.append(
            _(
                "Không nhập: còn %(count)d dòng không nhận được. Sửa tệp, hoặc thêm --valid-only để chỉ nhập "
                "các dòng hợp lệ."
            )
            % {"count": len(report.refused_rows)}
        )
    return lines
