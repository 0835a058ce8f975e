"""Admin pages of the Excel imports: upload, a preview of what each row will do, confirm; the error report
and the template to download. Each import plugs in an ImportPage beside the models it writes (the party tree's
in organizations, the nomination list's in enrollments), with the Uploads that keep its files."""

from dataclasses import dataclass
from functools import partial
from typing import Protocol

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from common.admin import render_admin_page
from common.imports.forms import ConfirmForm
from common.imports.report import Outcome
from common.imports.spreadsheets import (
    XLSX_MEDIA_TYPE,
    SpreadsheetError,
    error_report,
    missing_headers_message,
    read_tables,
)

TEMPLATES = "admin/imports/"
# Rows listed on a preview page; the counts and the error report cover every row.
PREVIEW_ROWS = 1000
RECENT_UPLOADS = 10  # the user's uploads listed on the upload page


class Uploads(Protocol):
    """Where the pages keep an uploaded file between its preview and its import (records of an app's model)."""

    def store(self, data, *, kind, file_name, by, target="", options=None):
        """Keep the file and record who uploaded it for what; returns the record (with its code)."""

    def find(self, user, code, kind):
        """The user's own upload with this code, or None."""

    def data(self, record):
        """The stored file's bytes; OSError or ValueError when it is gone or altered."""

    def recent(self, user, kind, count):
        """The user's latest uploads of this kind."""

    def report_downloaded(self, request, record):
        """Note that the user downloaded the error report, which holds people's personal data."""


@dataclass(frozen=True)
class ImportPage:
    """One import as the admin offers it."""

    kind: str
    title: str | Promise
    intro: str | Promise
    specs: dict  # the tables the file must hold, for checking it at upload
    form_class: type
    template: object  # () -> bytes of the workbook to fill in
    template_name: str
    permissions: tuple  # the user needs any of these to use the page
    run: object  # the import: (data, *, by, file_name, record, dry_run, valid_only, **options) -> ImportReport
    uploads: Uploads
    done_url_name: str = "admin:index"

    def may_use(self, user):
        return any(user.has_perm(permission) for permission in self.permissions)

    def run_options(self, record):
        """The keyword arguments of run() that the upload chose; Http404 if what it chose is gone."""
        return dict(record.options)

    def done_url(self, record):
        """Where a finished import leads: the list it filled."""
        return reverse(self.done_url_name)


def import_urls(model_admin, page):
    """The import's URLs, to put before the model admin's own (whose last pattern takes any path)."""
    wrap = model_admin.admin_site.admin_view
    name = f"{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}_import"
    return [
        path("import/", wrap(partial(upload_view, model_admin, page)), name=name),
        path("import/template/", wrap(partial(template_view, model_admin, page)), name=f"{name}_template"),
        path("import/<str:code>/", wrap(partial(preview_view, model_admin, page)), name=f"{name}_preview"),
        path("import/<str:code>/report/", wrap(partial(report_view, model_admin, page)), name=f"{name}_report"),
    ]


def url_name(model_admin, suffix=""):
    return f"admin:{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}_import{suffix}"


def import_link(request, page, name):
    """Extra context for a changelist: a link to the Excel import at URL `name`, for those who may use it."""
    if not page.may_use(request.user):
        return {}
    return {"import_url": reverse(name), "import_label": _("Nhập từ Excel")}


def _render(model_admin, request, template, context):
    return render_admin_page(
        model_admin,
        request,
        TEMPLATES + template,
        {
            "upload_url": reverse(url_name(model_admin)),
            "template_url": reverse(url_name(model_admin, "_template")),
            **context,
        },
    )


def _require_use(page, request):
    if not page.may_use(request.user):
        raise PermissionDenied


def upload_view(model_admin, page, request):
    _require_use(page, request)
    posted = request.method == "POST"
    form = page.form_class(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=request.user,
        initial=request.GET.dict(),
    )
    if posted and form.is_valid():
        data = form.data_bytes
        file_name = form.cleaned_data["file"].name
        try:
            tables = read_tables(data, page.specs, file_name)
        except SpreadsheetError as error:
            form.add_error("file", error.messages)
        else:
            if not any(tables.values()):
                form.add_error("file", missing_headers_message(page.specs))
            else:
                record = page.uploads.store(
                    data,
                    kind=page.kind,
                    file_name=file_name,
                    by=request.user,
                    target=form.target(),
                    options=form.options(),
                )
                return redirect(reverse(url_name(model_admin, "_preview"), args=[record.code]))
    recent = page.uploads.recent(request.user, page.kind, RECENT_UPLOADS)
    return _render(
        model_admin,
        request,
        "upload.html",
        {
            "title": page.title,
            "intro": page.intro,
            "form": form,
            "recent": recent,
            "preview_name": url_name(model_admin, "_preview"),
        },
    )


def _upload(page, request, code):
    record = page.uploads.find(request.user, code, page.kind)
    if record is None:
        raise Http404
    try:
        data = page.uploads.data(record)
    except (OSError, ValueError) as error:  # the stored copy was removed or altered on the server
        raise Http404 from error
    return record, data, page.run_options(record)


def preview_view(model_admin, page, request, code):
    _require_use(page, request)
    record, data, options = _upload(page, request, code)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    run = partial(page.run, data, by=request.user, file_name=record.file_name, record=record, **options)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = run(valid_only=form.cleaned_data["valid_only"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if report.imported:
                counts = report.counts
                model_admin.message_user(
                    request,
                    _("Đã nhập tệp %(name)s: thêm mới %(created)d, cập nhật %(changed)d, không đổi %(unchanged)d.")
                    % {"name": record.file_name, **counts},
                    messages.SUCCESS,
                )
                return redirect(page.done_url(record))
            if report.previous is not None:
                level = messages.WARNING if report.lost_race else messages.INFO
                model_admin.message_user(request, report.already_imported_message(), level)
                return redirect(page.done_url(record))
            form.add_error(None, _("Chưa nhập: hãy xem các dòng không nhận được dưới đây."))
    if report is None:
        try:
            report = run(dry_run=True)
        except ValidationError as error:
            form.add_error(None, error.messages)
    rows = report.rows if report else []
    shown = [row for row in rows if row.refused][:PREVIEW_ROWS]
    shown += [row for row in rows if not row.refused][: max(PREVIEW_ROWS - len(shown), 0)]
    shown.sort(key=lambda row: (row.sheet != rows[0].sheet, row.number))
    return _render(
        model_admin,
        request,
        "preview.html",
        {
            "title": _("Xem trước: %(name)s") % {"name": record.file_name},
            "subtitle": page.title,
            "page_title": page.title,
            "record": record,
            "report": report,
            "rows": shown,
            "hidden_rows": len(rows) - len(shown),
            "counts": report.counts if report else {},
            "outcomes": Outcome,
            "form": form,
            "report_url": reverse(url_name(model_admin, "_report"), args=[record.code]),
        },
    )


def report_view(model_admin, page, request, code):
    """A copy of the uploaded file with a column of messages on the rows that cannot be taken."""
    _require_use(page, request)
    record, data, options = _upload(page, request, code)
    try:
        report = page.run(data, by=request.user, file_name=record.file_name, record=record, dry_run=True, **options)
        content = error_report(data, report.problems(), report.header_rows)
    except ValidationError as error:
        model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
        return redirect(reverse(url_name(model_admin, "_preview"), args=[record.code]))
    page.uploads.report_downloaded(request, record)
    stem = record.file_name.rsplit(".", 1)[0]
    return _attachment(content, f"loi-{stem}.xlsx")


def template_view(model_admin, page, request):
    _require_use(page, request)
    return _attachment(page.template(), page.template_name)


def _attachment(content, file_name):
    response = HttpResponse(content, content_type=XLSX_MEDIA_TYPE)
    # The name may hold Vietnamese letters: Django encodes it as RFC 5987 asks.
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response
