"""The inspection report's download: the PDF of one inspection the user may see (404 outside their scope), written
to the access log (the checklist names post holders and the team its members).

Wired on the Inspection admin as `admin:oversight_inspection_report` ("<path:object_id>/report.pdf" in get_urls(),
through admin_site.admin_view)."""

from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponse

from common.admin import require_permission
from organizations.access_log import record_access
from organizations.models import AccessLog
from oversight.models import Inspection
from oversight.report_pdf import inspection_report_pdf, report_filename


def inspection_report(request, pk):
    try:
        inspection = (
            Inspection.objects.for_user(request.user).select_related("plan", "organization").get(pk=int(unquote(pk)))
        )
    except (Inspection.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing
    require_permission(request.user, "oversight.view_inspection")
    content = inspection_report_pdf(inspection)
    record_access(
        request, AccessLog.Action.EXPORT, obj=inspection, parameters={"report": "inspection", "format": "pdf"}
    )
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{report_filename(inspection)}"',
            "Cache-Control": "private, no-store",
        },
    )
