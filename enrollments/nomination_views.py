"""Admin pages for a course's list of trainees: nominations per committee against the quotas, and
withdrawing a trainee."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from common.admin import render_admin_page, visible_object
from courses import lifecycle
from enrollments.forms import WithdrawForm, add_service_error
from enrollments.models import Enrollment
from enrollments.nominations import (
    courses_open_for_nomination,
    is_locked,
    nominations_by_committee,
    withdraw,
)

TEMPLATES = "admin/enrollments/"


def course_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "<path:object_id>/nominations/",
            wrap(partial(nominations_view, model_admin)),
            name="courses_course_nominations",
        ),
    ]


def enrollment_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "<path:object_id>/withdraw/",
            wrap(partial(withdraw_view, model_admin)),
            name="enrollments_enrollment_withdraw",
        ),
    ]


def may_nominate_into(user, course):
    return (
        user.has_perm("enrollments.add_enrollment") and courses_open_for_nomination(user).filter(pk=course.pk).exists()
    )


def nominations_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id)
    rows = nominations_by_committee(course, request.user)
    return render_admin_page(
        model_admin,
        request,
        TEMPLATES + "course_nominations.html",
        {
            "title": _("Cử học viên theo đơn vị"),
            "subtitle": course.code,
            "course": course,
            "original": course,
            "rows": rows,
            "taken": course.enrollments.exclude(status=Enrollment.Status.WITHDRAWN).count(),
            "locked": is_locked(course),
            "may_nominate": may_nominate_into(request.user, course),
        },
    )


def withdraw_view(model_admin, request, object_id):
    enrollment = visible_object(model_admin, request, object_id)
    if not model_admin.has_change_permission(request, enrollment):
        raise PermissionDenied
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            withdraw(enrollment, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            model_admin.message_user(
                request,
                _("Đồng chí %(name)s đã rút khỏi lớp %(code)s.")
                % {"name": enrollment.member.full_name, "code": enrollment.course.code},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:enrollments_enrollment_change", args=[enrollment.pk]))
    return render_admin_page(
        model_admin,
        request,
        TEMPLATES + "reason_form.html",
        {
            "title": _("Rút khỏi lớp"),
            "subtitle": str(enrollment),
            "original": enrollment,
            "form": form,
            "intro": _("Đồng chí %(name)s sẽ rút khỏi lớp %(code)s; chỗ của đồng chí được trả lại cho đơn vị cử.")
            % {"name": enrollment.member.full_name, "code": enrollment.course.code},
            "locked": is_locked(enrollment.course),
            "submit": _("Rút khỏi lớp"),
        },
    )


def course_tools(request, course):
    """The course page's links to the pages of this module and of closing_views."""
    user = request.user
    return {
        "nominate": may_nominate_into(user, course),
        "phase": lifecycle.phase_label(course),
        # The nominations per committee against their quotas, shown at the top of the page.
        "committees": nominations_by_committee(course, user),
        # Which of courses.lifecycle's transitions the page offers: open, close, reopen, cancel.
        **lifecycle.transitions(course, user),
    }
