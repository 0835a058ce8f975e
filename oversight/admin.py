"""URL WIRING ONLY (h-inspectout): the smallest Inspection admin that serves the inspection report's download, so
its tests and the access matrix can reach it. The real admin (lists, forms, the inspector's pages) is written
elsewhere; at merge, keep that one and add the get_urls() below to it."""

from django.contrib import admin
from django.urls import path

from common.admin import ViewOnlyAdminMixin
from organizations.access import ScopedAdminMixin
from oversight.models import Inspection
from oversight.report_views import inspection_report


@admin.register(Inspection)
class InspectionAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "plan", "start_date", "end_date", "status"]
    list_select_related = ["plan", "organization"]

    def report_view(self, request, object_id):
        return inspection_report(request, object_id)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/report.pdf", wrap(self.report_view), name="oversight_inspection_report"),
            *super().get_urls(),
        ]
