"""Admin pages for closing courses (a confirmation listing who will not complete and why) and for
overriding one trainee's result."""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.admin import render_admin_page, visible_object
from courses.models import Course
from enrollments.closing import (
    close_course,
    evaluate_course,
    override_result,
    reasons_of,
)
from enrollments.forms import OverrideForm, add_service_error
from enrollments.models import Enrollment
from organizations.permissions import may_close, may_override_result


def course_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [path("<path:object_id>/close/", wrap(partial(close_view, model_admin)), name="courses_course_close")]


def enrollment_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "<path:object_id>/override/",
            wrap(partial(override_view, model_admin)),
            name="enrollments_enrollment_override",
        ),
    ]


def preview(course):
    """What closing the course would store, without storing it."""
    if course.status == Course.Status.CLOSED:
        return {"course": course, "already_closed": True}
    completing, not_completing, kept = 0, [], []
    for enrollment, result in evaluate_course(course):
        if enrollment.result_overridden:
            kept.append(enrollment)
        elif result.completed:
            completing += 1
        else:
            not_completing.append((enrollment, result.reasons))
    return {"course": course, "completing": completing, "not_completing": not_completing, "kept": kept}


def confirmation(model_admin, request, courses, *, action=False, original=None):
    return render_admin_page(
        model_admin,
        request,
        "admin/enrollments/close_course.html",
        {
            "title": _("Kết thúc lớp"),
            "previews": [preview(course) for course in courses.select_related("program")],
            "action": action,
            "original": original,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


def report(model_admin, request, summary):
    code = summary.course.code
    if summary.already_closed:
        message = _("Lớp %(code)s đã kết thúc từ trước; không có gì thay đổi.") % {"code": code}
        model_admin.message_user(request, message, messages.WARNING)
        return
    message = _("Đã kết thúc lớp %(code)s. Hoàn thành: %(completed)d; không hoàn thành: %(not_completed)d.") % {
        "code": code,
        "completed": summary.completed,
        "not_completed": summary.not_completed_count,
    }
    model_admin.message_user(request, message, messages.SUCCESS)


@admin.action(description=gettext_lazy("Kết thúc lớp"), permissions=["close"])
def close_courses(model_admin, request, queryset):
    """The changelist action: a confirmation page first, then each selected course closed."""
    if request.POST.get("post") != "yes":
        return confirmation(model_admin, request, queryset, action=True)
    for course in queryset:
        report(model_admin, request, close_course(course, by=request.user))
    return None


def close_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id)
    if not may_close(request.user):
        raise PermissionDenied
    if request.method == "POST":
        report(model_admin, request, close_course(course, by=request.user))
        return redirect(reverse("admin:courses_course_change", args=[course.pk]))
    return confirmation(model_admin, request, Course.objects.filter(pk=course.pk), original=course)


def override_view(model_admin, request, object_id):
    enrollment = visible_object(model_admin, request, object_id)
    if not may_override_result(request.user):
        raise PermissionDenied
    initial = {"completed": "1" if enrollment.status == Enrollment.Status.COMPLETED else "0", "grade": enrollment.grade}
    form = OverrideForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            override_result(
                enrollment,
                completed=form.cleaned_data["completed"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                grade=form.cleaned_data["grade"] or None,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            model_admin.message_user(
                request,
                _("Đã điều chỉnh kết quả của đồng chí %(name)s.") % {"name": enrollment.member.full_name},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:enrollments_enrollment_change", args=[enrollment.pk]))
    return render_admin_page(
        model_admin,
        request,
        "admin/enrollments/reason_form.html",
        {
            "title": _("Điều chỉnh kết quả"),
            "subtitle": str(enrollment),
            "original": enrollment,
            "form": form,
            "intro": _("Kết quả hiện tại của đồng chí %(name)s: %(status)s.")
            % {"name": enrollment.member.full_name, "status": enrollment.get_status_display()},
            "reasons": reasons_of(enrollment),
            "submit": _("Lưu kết quả điều chỉnh"),
        },
    )
