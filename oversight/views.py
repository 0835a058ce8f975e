"""Oversight's staff pages inside the admin's frame: compliance by term, with who is overdue or due soon."""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.admin import render_admin_page
from organizations.models import Organization
from organizations.permissions import may_use_reports
from oversight import compliance
from oversight.forms import ComplianceFilterForm

MISSING_PER_PAGE = 100
# Where the compliance page's list is exported (a report job: reports/views.py); a reports URL, so named here.
MISSING_LIST_EXPORT = "reports:missing-list"


def staff_page(view):
    """Admin login required (the admin's own redirect), and a staff scope: the center's or a committee's."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not may_use_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(checked)


def compliance_filters(request):
    """The compliance page's filters read from the query string (a bad value: the default, and the form says so),
    the organization chosen (Http404 when the user may not see it) and the period."""
    form = ComplianceFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    visible = Organization.objects.for_user(request.user)
    organization = visible.order_by("path").first()
    if filters.get("org"):
        organization = visible.filter(pk=filters["org"]).first()
        if organization is None:
            raise Http404
    period = compliance.default_period(filters.get("year"), filters.get("term") or None)
    return form, filters, visible, organization, period


@staff_page
@require_GET
def compliance_page(request):
    form, filters, visible, organization, period = compliance_filters(request)
    post, bucket = filters.get("post", ""), filters.get("due", "")
    holders = compliance.holders_in(request.user, period, organization, post)
    rows, total = compliance.by_organization(holders, organization, due=True)
    count = {"overdue": total.overdue, "due_soon": total.due_soon}.get(bucket, total.missing)
    missing = CountedPaginator(compliance.missing(holders, bucket), MISSING_PER_PAGE, count).get_page(
        request.GET.get("page")
    )
    labels = _labels_for(missing.object_list, visible)
    for row in rows:
        row.query = _query(request, org=row.organization.pk)
        row.overdue_query = _query(request, org=row.organization.pk, due="overdue")
        row.due_soon_query = _query(request, org=row.organization.pk, due="due_soon")
    ancestors = list(visible.filter(path__in=Organization.path_prefixes(organization.path)[:-1]).order_by("path"))
    for ancestor in ancestors:
        ancestor.query = _query(request, org=ancestor.pk)
    soon = compliance.local_today()
    return render_admin_page(
        admin.site,
        request,
        "oversight/compliance.html",
        {
            "title": _("Bồi dưỡng theo nhiệm kỳ"),
            "form": form,
            "period": period,
            "organization": organization,
            "ancestors": ancestors,
            "rows": rows,
            "total": total,
            "bucket": bucket,
            "missing": missing,
            "missing_rows": [
                (holder, labels.get(holder.organization.path, ""), _badge(holder.due_date, soon))
                for holder in missing.object_list
            ],
            "page_query": _query(request),
            "export_url": f"{reverse(MISSING_LIST_EXPORT)}?{_query(request)}",
            "due_soon_days": compliance.DUE_SOON_DAYS,
        },
    )


def _badge(due_date, today):
    """The due-date bucket of a holder not trained: ("overdue"|"due_soon"|"", its label)."""
    if due_date < today:
        return "overdue", _("Quá hạn")
    if (due_date - today).days <= compliance.DUE_SOON_DAYS:
        return "due_soon", _("Sắp đến hạn")
    return "", _("Chưa đến hạn")


class CountedPaginator(Paginator):
    """Pages of a list whose length is already known (the roll-up's total): counting it again would cost as much
    as the roll-up itself at a country's size."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


def _query(request, **changes):
    """The page's filters with some changed, for links that keep the rest (always from the first page)."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query[name] = value
    return query.urlencode()


def _labels_for(holders, visible):
    """Organization paths of one page of holders, read in one query."""
    paths = {holder.organization.path for holder in holders}
    prefixes = {prefix for path in paths for prefix in Organization.path_prefixes(path)}
    return visible.filter(path__in=prefixes).path_labels()
