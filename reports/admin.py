"""Report jobs in the admin (progress page and download), and the yearly workbook as a course-list action
(composed by backoffice/admin.py)."""

from functools import partial
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy

from common.admin import ViewOnlyAdminMixin, visible_object
from organizations.access import ScopedAdminMixin
from organizations.access_log import record_access
from organizations.models import AccessLog
from reports.jobs import start_year_workbook
from reports.models import ReportJob


# Jobs are made by the report pages and kept as a record of who exported what; files expire on their own.
@admin.register(ReportJob)
class ReportJobAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "requested_by", "requested_at", "status", "percent", "expires_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["requested_by"]
    fields = [
        "kind",
        "year",
        "requested_by",
        "requested_at",
        "status",
        "percent",
        "heartbeat_at",
        "finished_at",
        "expires_at",
        "error",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want
    change_form_template = "reports/admin/reportjob_change_form.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/download/",
                wrap(partial(report_job_download_view, self)),
                name="reports_reportjob_download",
            ),
            *super().get_urls(),
        ]


def report_job_download_view(model_admin, request, object_id):
    job = visible_object(model_admin, request, object_id)
    if not model_admin.has_view_permission(request, job):
        raise PermissionDenied
    if not job.is_downloadable:
        raise Http404
    filename = job.file.name.rsplit("/", 1)[-1]
    content = job.file.open("rb")
    record_access(
        request, AccessLog.Action.EXPORT, obj=job, parameters={"kind": job.kind, "year": job.year, **job.parameters}
    )
    return FileResponse(
        content,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# The yearly workbook from the course list: courses and certificates cannot import reports, so
# backoffice/admin.py composes this tool into the one course admin.
class ReportsCourseTools:
    actions: list[Any] = ["export_year_report"]

    @admin.action(description=gettext_lazy("Lập báo cáo năm (Excel) cho năm của các lớp đã chọn"))
    def export_year_report(self, request, queryset):
        years = sorted(set(queryset.values_list("year", flat=True)))
        jobs = [start_year_workbook(year, by=request.user) for year in years]
        if len(jobs) == 1:
            return redirect(jobs[0].page_url)
        return redirect(reverse("admin:reports_reportjob_changelist"))
