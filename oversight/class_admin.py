"""The quality indicators on the class page, the center's acceptance of a class short of the requirements, and the
list of the classes run by the committees with their indicators: tools of the course admin that
backoffice/admin.py composes (oversight cannot be imported by courses)."""

from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from common.admin import render_admin_page, visible_object
from courses.models import RESULTS_STORED, Course
from enrollments.forms import add_service_error, reason_field
from organizations.permissions import may_accept_class, may_use_reports
from oversight.indicators import indicators_for
from oversight.quality import accept_class

PAGE_SIZE = 100


class AcceptForm(forms.Form):
    reason = reason_field()


def quality_context(user: Any, course: Course) -> dict[str, Any]:
    """What the class page shows of its quality: the indicators from its records, the stored verdict and whether
    the user may accept it."""
    return {
        "indicators": indicators_for([course])[course.pk],
        "course": course,
        "accept": course.status in RESULTS_STORED
        and course.quality == Course.Quality.NOT_MET
        and may_accept_class(user),
    }


def accept_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id)
    if not may_accept_class(request.user):
        raise PermissionDenied
    form = AcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            accept_class(course, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            model_admin.message_user(request, _("Đã công nhận lớp %(code)s.") % {"code": course.code}, messages.SUCCESS)
            return redirect(reverse("admin:courses_course_change", args=[course.pk]))
    return render_admin_page(
        model_admin,
        request,
        "admin/enrollments/reason_form.html",
        {
            "title": _("Công nhận lớp chưa đạt yêu cầu"),
            "subtitle": str(course),
            "original": course,
            "form": form,
            "intro": _(
                "Lớp %(code)s chưa đạt yêu cầu theo các chỉ số chất lượng. Khi Trung tâm công nhận, giấy chứng nhận "
                "của lớp được tính là đã bồi dưỡng."
            )
            % {"code": course.code},
            "reasons": course.quality_reasons.splitlines(),
            "submit": _("Công nhận lớp"),
        },
    )


def self_run_classes_view(model_admin, request):
    """Every self-run class the user may see (the center all, a committee its own), with its indicators and
    verdict; `?year=` narrows to a year, `?chua_dat=1` to the classes short of the requirements."""
    if not may_use_reports(request.user):
        raise PermissionDenied
    courses = (
        Course.objects.for_user(request.user)
        .self_run()
        .select_related("program", "organizer")
        .order_by("-year", "organizer__path", "code")
    )
    years = sorted(set(courses.values_list("year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    if year.isdigit():
        courses = courses.filter(year=int(year))
    failing_only = request.GET.get("chua_dat") == "1"
    if failing_only:
        # Short of the requirements: judged so and not accepted, or (not judged yet) by today's indicators.
        candidates = list(courses.exclude(quality__in=[Course.Quality.MET, Course.Quality.ACCEPTED]))
        indicators = indicators_for(candidates)
        rows = [
            course
            for course in candidates
            if course.quality == Course.Quality.NOT_MET or not indicators[course.pk].meets_requirements
        ]
    else:
        rows = courses
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("p"))
    shown = list(page.object_list)
    indicators = indicators_for(shown)
    return render_admin_page(
        model_admin,
        request,
        "admin/oversight/self_run_classes.html",
        {
            "title": _("Lớp do đảng ủy tự tổ chức"),
            "rows": [(course, indicators[course.pk]) for course in shown],
            "page": page,
            "years": years,
            "year": year,
            "failing_only": failing_only,
        },
    )


class OversightCourseTools:
    """The class page's quality section and acceptance button, and the self-run classes' list."""

    actions: list[Any] = []

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("self-run/", wrap(partial(self_run_classes_view, self)), name="courses_course_self_run"),
            path("<path:object_id>/accept/", wrap(partial(accept_view, self)), name="courses_course_accept"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["course_quality"] = quality_context(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
