"""The member page's training record: the table on the page and its PDF and workbook for a personnel file, for
whoever may see the member (404 outside their scope), each download written to the access log."""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path

from certificates.record import record_filename, record_pdf, record_workbook, training_record
from common.admin import visible_object
from common.imports.spreadsheets import XLSX_MEDIA_TYPE
from organizations.access_log import record_access
from organizations.models import AccessLog

FORMATS = {
    "pdf": (record_pdf, "application/pdf"),
    "xlsx": (record_workbook, XLSX_MEDIA_TYPE),
}


def member_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            f"<path:object_id>/training-record.{extension}",
            wrap(partial(training_record_download, model_admin, extension=extension)),
            name=f"organizations_member_training_record_{extension}",
        )
        for extension in FORMATS
    ]


def training_record_download(model_admin, request, object_id, *, extension):
    member = visible_object(model_admin, request, object_id)
    if not model_admin.has_view_permission(request, member):
        raise PermissionDenied
    render, content_type = FORMATS[extension]
    record = training_record(member, request.user)
    content = render(record)
    record_access(request, AccessLog.Action.EXPORT, obj=member, parameters={"record": "training", "format": extension})
    return HttpResponse(
        content,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{record_filename(record, extension)}"',
            "Cache-Control": "private, no-store",
        },
    )
