"""Admin pages for closing courses (a confirmation listing who will not complete and why) and for
overriding one trainee's result."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.admin import render_admin_page, visible_object
from courses import lifecycle
from courses.models import Course
from enrollments.closing import (
    close_course,
    closing_warnings,
    evaluate_course,
    override_result,
    reasons_of,
    reopen_course,
)
from enrollments.forms import OverrideForm, add_service_error
from enrollments.models import Enrollment
from organizations.permissions import may_cancel, may_close, may_open_nominations, may_override_result, may_reopen


def course_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path("<path:object_id>/close/", wrap(partial(close_view, model_admin)), name="courses_course_close"),
        path("<path:object_id>/open/", wrap(partial(open_view, model_admin)), name="courses_course_open"),
        path("<path:object_id>/reopen/", wrap(partial(reopen_view, model_admin)), name="courses_course_reopen"),
        path("<path:object_id>/cancel/", wrap(partial(cancel_view, model_admin)), name="courses_course_cancel"),
    ]


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
    """What closing the course would store, without storing it, and why closing now would be early."""
    if course.status in lifecycle.READ_ONLY:
        return {"course": course, "already_closed": True, "phase": lifecycle.phase_label(course)}
    completing, not_completing, kept = 0, [], []
    for enrollment, result in evaluate_course(course):
        if enrollment.result_overridden:
            kept.append(enrollment)
        elif result.completed:
            completing += 1
        else:
            not_completing.append((enrollment, result.reasons))
    return {
        "course": course,
        "completing": completing,
        "not_completing": not_completing,
        "kept": kept,
        "warnings": closing_warnings(course),
    }


def confirmation(model_admin, request, courses, *, action=False, original=None, form=None):
    previews = [preview(course) for course in courses.select_related("program")]
    return render_admin_page(
        model_admin,
        request,
        "admin/enrollments/close_course.html",
        {
            "title": _("Kết thúc lớp"),
            "previews": previews,
            "early": any(item.get("warnings") for item in previews),
            "form": form or CloseForm(),
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
    form = CloseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    for course in queryset:
        try:
            report(model_admin, request, close_course(course, by=request.user, reason=reason))
        except ValidationError as error:
            model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
    return None


def close_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id)
    if not may_close(request.user, course):
        raise PermissionDenied
    form = CloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            summary = close_course(course, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            report(model_admin, request, summary)
            return redirect(reverse("admin:courses_course_change", args=[course.pk]))
    return confirmation(model_admin, request, Course.objects.filter(pk=course.pk), original=course, form=form)


# -- The other transitions of courses.lifecycle: opening the list, reopening and cancelling -----------------


def _transition_page(model_admin, request, course, *, form, title, intro, submit, run, done):
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data.get("reason", ""))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            model_admin.message_user(request, done, messages.SUCCESS)
            return redirect(reverse("admin:courses_course_change", args=[course.pk]))
    return render_admin_page(
        model_admin,
        request,
        "admin/enrollments/reason_form.html",
        {"title": title, "subtitle": str(course), "original": course, "form": form, "intro": intro, "submit": submit},
    )


def open_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id)
    if not may_open_nominations(request.user, course):
        raise PermissionDenied
    return _transition_page(
        model_admin,
        request,
        course,
        form=forms.Form(_posted(request)),
        title=_("Mở nhận cử học viên"),
        intro=_("Lớp %(code)s sẽ nhận cử học viên đến hạn cử.") % {"code": course.code},
        submit=_("Mở nhận cử học viên"),
        run=lambda _reason: lifecycle.open_nominations(course, by=request.user),
        done=_("Lớp %(code)s đã mở nhận cử học viên.") % {"code": course.code},
    )


def reopen_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id)
    if not may_reopen(request.user):
        raise PermissionDenied
    return _transition_page(
        model_admin,
        request,
        course,
        form=ReasonForm(_posted(request)),
        title=_("Mở lại lớp"),
        intro=_(
            "Mở lại lớp %(code)s sẽ xóa kết quả đã lưu của mọi học viên (kể cả kết quả đã điều chỉnh); "
            "lớp phải không còn giấy chứng nhận có hiệu lực."
        )
        % {"code": course.code},
        submit=_("Mở lại lớp"),
        run=lambda reason: reopen_course(course, by=request.user, reason=reason),
        done=_("Đã mở lại lớp %(code)s.") % {"code": course.code},
    )


def cancel_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id)
    if not may_cancel(request.user, course):
        raise PermissionDenied
    return _transition_page(
        model_admin,
        request,
        course,
        form=ReasonForm(_posted(request)),
        title=_("Hủy lớp"),
        intro=_("Lớp %(code)s bị hủy sẽ không nhận cử học viên, điểm danh hay điểm nữa.") % {"code": course.code},
        submit=_("Hủy lớp"),
        run=lambda reason: lifecycle.cancel(course, by=request.user, reason=reason),
        done=_("Đã hủy lớp %(code)s.") % {"code": course.code},
    )


def _posted(request):
    # An empty POST is still a submission (a form with no field, a close without a reason).
    return request.POST if request.method == "POST" else None


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("lý do kết thúc sớm"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Chỉ khi kết thúc lớp trước buổi học cuối hoặc còn buổi chưa điểm danh."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("lý do"), widget=forms.Textarea(attrs={"rows": 3}))


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
