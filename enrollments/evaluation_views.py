"""Admin pages for the evaluation averages of a course and of a lecturer (never showing who sent a form)."""

from functools import partial

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _

from common.admin import render_admin_page, require_permission, visible_object
from courses.models import Course, Lecturer
from enrollments.evaluation_reports import course_evaluation_summary, lecturer_evaluation_summary
from enrollments.models import Evaluation


def course_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "<int:object_id>/evaluations/",
            wrap(partial(course_evaluations_view, model_admin)),
            name="courses_course_evaluations",
        ),
    ]


def lecturer_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "<int:object_id>/evaluations/",
            wrap(partial(lecturer_evaluations_view, model_admin)),
            name="courses_lecturer_evaluations",
        ),
    ]


TEMPLATES = "admin/enrollments/sheets/"


def _visible_evaluations(user):
    """Evaluations the user may read, of courses the user may see."""
    return Evaluation.objects.for_user(user).filter(enrollment__course__in=Course.objects.for_user(user))


def course_evaluations_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id, select_related=["program", "organizer"])
    require_permission(request.user, "enrollments.view_evaluation")
    summary = course_evaluation_summary(_visible_evaluations(request.user).filter(enrollment__course=course))
    return render_admin_page(
        model_admin,
        request,
        TEMPLATES + "course_evaluations.html",
        {
            "opts": Course._meta,
            "course": course,
            "subtitle": course.title,
            "title": _("Kết quả phiếu đánh giá"),
            "summary": summary,
        },
    )


def lecturer_evaluations_view(model_admin, request, object_id):
    lecturer = get_object_or_404(Lecturer.objects.for_user(request.user), pk=object_id)
    require_permission(request.user, "enrollments.view_evaluation")
    summary = lecturer_evaluation_summary(lecturer, _visible_evaluations(request.user))
    return render_admin_page(
        model_admin,
        request,
        TEMPLATES + "lecturer_evaluations.html",
        {
            "opts": Lecturer._meta,
            "lecturer": lecturer,
            "title": _("Đánh giá giảng viên"),
            "subtitle": str(lecturer),
            "summary": summary,
        },
    )
