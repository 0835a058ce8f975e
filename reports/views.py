"""Staff report pages inside the admin's frame: the dashboard, compliance by term and the yearly workbook."""

from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.admin import render_admin_page
from enrollments.evaluation_reports import minimum_forms
from organizations.models import Organization
from organizations.permissions import may_use_reports
from reports import charts, compliance, jobs
from reports.forms import ComplianceFilterForm, TermForm, YearReportForm
from reports.yearly import YearReport

MISSING_PER_PAGE = 100


def staff_page(view):
    """Admin login required (the admin's own redirect), and a staff scope: the center's or a committee's."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not may_use_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(checked)


def _render(request, template, title, context):
    return render_admin_page(admin.site, request, f"reports/{template}", {"title": title, **context})


def _percent(fraction):
    return None if fraction is None else round(100 * fraction, 1)


@staff_page
def dashboard(request):
    year = timezone.localdate().year
    form = TermForm(request.GET)
    term = form.cleaned_data.get("term") if form.is_valid() else None
    report = YearReport(request.user, year, period=compliance.default_period(term=term or None))
    summary = report.summary()
    trend = report.per_year()
    committees, total = compliance.by_organization(report.holders, report.top)
    lecturers = report.lecturer_averages()
    return _render(
        request,
        "dashboard.html",
        _("Tổng quan năm %(year)d") % {"year": year},
        {
            "year": year,
            "summary": summary,
            "completion_percent": _percent(summary.tally.completion_rate),
            "term_form": form,
            "period": report.period,
            "compliance_total": total,
            "months_chart": charts.columns(
                [(str(month), courses) for month, courses, _enrollments in summary.by_month]
            ),
            "enrollments_chart": charts.columns([(str(row.year), row.enrolled) for row in trend]),
            "completion_chart": charts.columns(
                [(str(row.year), _percent(row.completion_rate)) for row in trend], maximum=100, unit="%"
            ),
            "compliance_chart": charts.bars(
                [(row.organization.short_name or row.organization.name, row.percent) for row in committees],
                maximum=100,
                unit="%",
            ),
            "self_run_url": reverse("admin:courses_course_self_run"),
            "evaluation_minimum": minimum_forms(),
            "lecturer_chart": charts.bars([(name, rating) for name, rating, _count in lecturers], maximum=5),
        },
    )


@staff_page
@require_http_methods(["GET", "POST"])
def compliance_page(request):
    form = ComplianceFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    visible = Organization.objects.for_user(request.user)
    top = visible.order_by("path").first()
    organization = top
    if filters.get("org"):
        organization = visible.filter(pk=filters["org"]).first()
        if organization is None:
            raise Http404
    period = compliance.default_period(filters.get("year"), filters.get("term") or None)
    post = filters.get("post", "")
    if request.method == "POST":
        job = jobs.start_missing_list(
            by=request.user,
            organization=organization,
            period_year=filters.get("year"),
            post=post,
            term=filters.get("term", ""),
        )
        return redirect(job.page_url)
    holders = compliance.holders_in(request.user, period, organization, post)
    rows, total = compliance.by_organization(holders, organization)
    missing = CountedPaginator(compliance.missing(holders), MISSING_PER_PAGE, total.missing).get_page(
        request.GET.get("page")
    )
    labels = _labels_for(missing.object_list, visible)
    for row in rows:
        row.query = _query(request, org=row.organization.pk)
    ancestors = list(visible.filter(path__in=Organization.path_prefixes(organization.path)[:-1]).order_by("path"))
    for ancestor in ancestors:
        ancestor.query = _query(request, org=ancestor.pk)
    return _render(
        request,
        "compliance.html",
        _("Bồi dưỡng theo nhiệm kỳ"),
        {
            "form": form,
            "period": period,
            "organization": organization,
            "ancestors": ancestors,
            "rows": rows,
            "total": total,
            "missing": missing,
            "missing_rows": [(holder, labels.get(holder.organization.path, "")) for holder in missing.object_list],
            "page_query": _query(request),
        },
    )


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


@staff_page
@require_http_methods(["GET", "POST"])
def year_report(request):
    years = YearReport(request.user, timezone.localdate().year).course_years()
    form = YearReportForm(request.POST or None, years=years)
    if request.method == "POST":
        if form.is_valid():
            job = jobs.start_year_workbook(
                form.cleaned_data["year"], by=request.user, term=form.cleaned_data.get("term", "")
            )
            return redirect(job.page_url)
        messages.error(request, _("Hãy chọn một năm trong danh sách."))
    return _render(request, "year_report.html", _("Báo cáo năm"), {"form": form})
