"""Admin pages for running a class: attendance per session, the attendance matrix and the score sheet
(the evaluation averages are in evaluation_views.py)."""

from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import BoundField
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from common.admin import render_admin_page, require_permission, visible_object
from courses import lifecycle
from courses.models import Course, Session
from enrollments.forms import AttendanceSheetForm, ScoreSheetForm
from enrollments.models import Attendance, Enrollment
from enrollments.sheets import (
    StaleSheetError,
    attendance_matrix,
    current_attendance_version,
    current_score_version,
    mark_attendance,
    record_scores,
)
from organizations.permissions import may_mark_attendance, may_record_scores

TEMPLATES = "admin/enrollments/sheets/"


def course_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "<int:object_id>/attendance/",
            wrap(partial(attendance_matrix_view, model_admin)),
            name="courses_course_attendance",
        ),
        path("<int:object_id>/scores/", wrap(partial(score_sheet_view, model_admin)), name="courses_course_scores"),
    ]


def session_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "<int:object_id>/attendance/",
            wrap(partial(attendance_sheet_view, model_admin)),
            name="courses_session_attendance",
        ),
    ]


# -- Access ----------------------------------------------------------------------------------------


def _roster(user, course):
    return (
        Enrollment.objects.for_user(user)
        .filter(course=course)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .select_related("member__organization")
        .roster_order()
    )


def course_sheet_links(request, course):
    """The course page's links to the pages below and to the evaluation averages (evaluation_views.py),
    each shown only to who may open it."""
    user = request.user
    may_mark = may_mark_attendance(user, course)
    sessions = (
        Session.objects.for_user(user).filter(course=course).select_related("topic").order_by("date", "period")
        if may_mark
        else []
    )
    return {
        "matrix": user.has_perm("enrollments.view_attendance"),
        "scores": may_record_scores(user, course),
        "evaluations": user.has_perm("enrollments.view_evaluation"),
        "sessions": [(session, reverse("admin:courses_session_attendance", args=[session.pk])) for session in sessions],
    }


# -- Rendering ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    enrollment: Enrollment
    field: BoundField
    saved: str  # the saved value as shown, "—" when none
    conflict: bool  # after a refused stale save: what is saved now is not what the user chose


def _render(model_admin, request, template, course, context):
    return render_admin_page(
        model_admin,
        request,
        TEMPLATES + template,
        {
            "opts": Course._meta,
            "course": course,
            "subtitle": course.title,
            **context,
        },
    )


def _keep_typed(request, form_class, rows, version):
    """The user's refused submission, bound again with the current version so that saving it once
    more is a deliberate overwrite; a trainee added meanwhile starts from their default."""
    data = request.POST.copy()
    data["version"] = version
    for name, field in form_class(rows=rows).fields.items():
        if name not in data:
            data[name] = field.initial
    return form_class(data, rows=rows)


def _differs(field, saved):
    try:
        return field.field.to_python(field.value()) != saved
    except ValidationError:
        return True


def _sheet_rows(form, rows, display, stale):
    """The template's rows: each trainee with their field and what is saved for them now."""
    sheet = []
    for enrollment, saved in rows:
        field = form[form.row_names[enrollment.pk]]
        sheet.append(
            SheetRow(
                enrollment=enrollment,
                field=field,
                saved="—" if saved is None else display(saved),
                conflict=stale and saved is not None and _differs(field, saved),
            )
        )
    return sheet


def _shown(form, read_only):
    """The sheet's form, every input disabled when the course takes no more changes (closed or cancelled): the
    page says so in a banner before anyone types."""
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    return form


def _saved_message(changed):
    if not changed:
        return _("Không có thay đổi nào cần lưu.")
    return ngettext("Đã lưu %(count)d thay đổi.", "Đã lưu %(count)d thay đổi.", changed) % {"count": changed}


# -- Attendance sheet of one session ----------------------------------------------------------------


def attendance_sheet_view(model_admin, request, object_id):
    sessions = Session.objects.for_user(request.user).select_related(
        "course__program", "course__organizer", "topic", "lecturer"
    )
    session = get_object_or_404(sessions, pk=object_id)
    course = session.course
    if not may_mark_attendance(request.user, course):
        raise PermissionDenied
    trainees = list(_roster(request.user, course))
    read_only = lifecycle.read_only_reason(course)
    if request.method == "POST" and read_only:
        messages.error(request, read_only)
        return redirect(request.path)

    form = stale_message = None
    if request.method == "POST":
        form = AttendanceSheetForm(request.POST, rows=[(enrollment, None) for enrollment in trainees])
        if form.is_valid():
            try:
                result = mark_attendance(
                    session, form.row_values(), by=request.user, expected_version=form.cleaned_data["version"]
                )
            except StaleSheetError as error:
                stale_message = error.messages[0]
            except ValidationError as error:
                form.add_row_errors(error)
            else:
                messages.success(request, _saved_message(result.changed))
                return redirect(request.path)

    marked = Attendance.objects.for_user(request.user).filter(session=session).only("enrollment", "status")
    saved = {attendance.enrollment_id: attendance.status for attendance in marked}
    rows = [(enrollment, saved.get(enrollment.pk)) for enrollment in trainees]
    if form is None:
        form = AttendanceSheetForm(initial={"version": current_attendance_version(session)}, rows=rows)
    elif stale_message:
        form = _keep_typed(request, AttendanceSheetForm, rows, current_attendance_version(session))
    labels = dict(Attendance.Status.choices)
    return _render(
        model_admin,
        request,
        "attendance.html",
        course,
        {
            "title": _("Điểm danh buổi %(session)s") % {"session": session},
            "session": session,
            "form": form,
            "rows": _sheet_rows(_shown(form, read_only), rows, labels.get, bool(stale_message)),
            "stale_message": stale_message,
            "read_only": read_only,
        },
    )


# -- Score sheet of a course ------------------------------------------------------------------------


def score_sheet_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id, select_related=["program", "organizer"])
    if not may_record_scores(request.user, course):
        raise PermissionDenied
    trainees = list(_roster(request.user, course))
    read_only = lifecycle.read_only_reason(course)
    if request.method == "POST" and read_only:
        messages.error(request, read_only)
        return redirect(request.path)

    form = stale_message = None
    if request.method == "POST":
        form = ScoreSheetForm(request.POST, rows=[(enrollment, None) for enrollment in trainees])
        if form.is_valid():
            try:
                result = record_scores(
                    course, form.row_values(), by=request.user, expected_version=form.cleaned_data["version"]
                )
            except StaleSheetError as error:
                stale_message = error.messages[0]
                # Read again: what was saved meanwhile is shown next to what the user typed.
                trainees = list(_roster(request.user, course))
            except ValidationError as error:
                form.add_row_errors(error)
            else:
                messages.success(request, _saved_message(result.changed))
                return redirect(request.path)

    rows = [(enrollment, enrollment.final_score) for enrollment in trainees]
    if form is None:
        form = ScoreSheetForm(initial={"version": current_score_version(course)}, rows=rows)
    elif stale_message:
        form = _keep_typed(request, ScoreSheetForm, rows, current_score_version(course))
    return _render(
        model_admin,
        request,
        "scores.html",
        course,
        {
            "title": _("Nhập điểm bài thu hoạch"),
            "form": form,
            "rows": _sheet_rows(
                _shown(form, read_only), rows, lambda score: number_format(score, 1), bool(stale_message)
            ),
            "stale_message": stale_message,
            "read_only": read_only,
        },
    )


# -- Attendance matrix of a course ------------------------------------------------------------------


def attendance_matrix_view(model_admin, request, object_id):
    course = visible_object(model_admin, request, object_id, select_related=["program", "organizer"])
    require_permission(request.user, "enrollments.view_attendance")
    sessions = Session.objects.for_user(request.user).filter(course=course).select_related("topic")
    sessions = list(sessions.order_by("date", "period"))
    attendances = Attendance.objects.for_user(request.user).only("enrollment", "session", "status")
    trainees = _roster(request.user, course).prefetch_related(Prefetch("attendances", queryset=attendances))
    rows = attendance_matrix(
        sessions,
        trainees,
        threshold_percent=course.program.completion_threshold,
        today=timezone.localdate(),
    )
    labels = dict(Attendance.Status.choices)
    symbols = attendance_symbols()
    unmarked = _("Chưa điểm danh")
    may_mark = may_mark_attendance(request.user, course)
    return _render(
        model_admin,
        request,
        "matrix.html",
        course,
        {
            "title": _("Bảng chuyên cần"),
            "legend": [(status, symbols[status], label) for status, label in labels.items()]
            + [("none", UNMARKED_SYMBOL, unmarked)],
            "sessions": [
                (session, reverse("admin:courses_session_attendance", args=[session.pk]) if may_mark else None)
                for session in sessions
            ],
            "lines": [
                (
                    row,
                    [
                        (cell, symbols.get(cell.status, UNMARKED_SYMBOL), labels.get(cell.status, unmarked))
                        for cell in row.cells
                    ],
                )
                for row in rows
            ],
            "threshold": course.program.completion_threshold,
        },
    )


UNMARKED_SYMBOL = "·"


def attendance_symbols():
    """One short mark per status for the matrix's cells, explained by its legend."""
    return {
        Attendance.Status.PRESENT: "✓",
        Attendance.Status.LATE: pgettext("ký hiệu điểm danh: đi muộn", "M"),
        Attendance.Status.EXCUSED: pgettext("ký hiệu điểm danh: vắng có phép", "P"),
        Attendance.Status.ABSENT: pgettext("ký hiệu điểm danh: vắng không phép", "K"),
    }
