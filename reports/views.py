"""Staff report pages inside the admin's frame: the dashboard, the yearly workbook, and the export of the
compliance page's list (the page itself is oversight's: oversight/views.py)."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.admin import render_admin_page
from enrollments.evaluation_reports import minimum_forms
from oversight import compliance
from oversight.views import compliance_filters, staff_page
from reports import charts, jobs
from reports.forms import TermForm, YearReportForm
from reports.yearly import YearReport


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
@require_POST
def missing_list(request):
    """Export the compliance page's list of who is missing (its filters in the query string) as a report job."""
    _form, filters, _visible, organization, _period = compliance_filters(request)
    job = jobs.start_missing_list(
        by=request.user,
        organization=organization,
        period_year=filters.get("year"),
        post=filters.get("post", ""),
        term=filters.get("term", ""),
        due=filters.get("due", ""),
    )
    return redirect(job.page_url)


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
