"""Staff pages for enrollments and attendance; and what enrollments adds to the course, session and lecturer
pages (trainees inline, sheets, nominations, closing), composed by backoffice/admin.py."""

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import LabelledTabularInline, ReadOnlyHistoryAdmin, ViewOnlyAdminMixin
from common.imports.views import import_link, import_urls
from courses import lifecycle
from enrollments import closing_views, evaluation_views, nomination_views, sheet_views
from enrollments.account_sheet import account_sheet_pdf
from enrollments.evaluation_reports import keeps_evaluations_anonymous, readable_evaluations, relations_followed
from enrollments.forms import NominationForm
from enrollments.models import Attendance, Enrollment, Evaluation, LecturerRating, SeatQuota
from enrollments.nomination_import_views import NOMINATIONS_PAGE
from enrollments.nominations import with_seats_used
from organizations.access import ScopedAdminMixin
from organizations.access_log import record_access
from organizations.accounts import send_activation_links
from organizations.models import AccessLog, Member
from organizations.permissions import (
    may_close,
    may_link_login,
    may_mark_attendance,
    may_override_result,
    may_run_own_classes,
)


class EnrollmentInline(ScopedAdminMixin, LabelledTabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["member", "nominated_by"]
    fields = ["member", "nominated_by", "post", "status", "final_score"]
    # Who is on the list and their status change only through nominate(), withdraw(),
    # close_course() and override_result(), where the seat, deadline and result rules live.
    readonly_fields = ["member", "nominated_by", "status"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "nominated_by")

    def has_add_permission(self, request, obj=None):
        return False

    # A closed or cancelled class's trainees are shown, never edited (courses.lifecycle.ensure_editable).
    def has_change_permission(self, request, obj=None):
        return not (obj is not None and lifecycle.is_read_only(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and lifecycle.is_read_only(obj)) and super().has_delete_permission(request, obj)


class SeatQuotaInline(ScopedAdminMixin, LabelledTabularInline):
    model = SeatQuota
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["organization", "seats", "seats_used"]
    readonly_fields = ["seats_used"]

    def get_queryset(self, request):
        return with_seats_used(super().get_queryset(request)).select_related("organization")

    @admin.display(description=_("đã cử/chỉ tiêu"))
    def seats_used(self, obj):
        return f"{obj.used}/{obj.seats}" if hasattr(obj, "used") else "—"


# What enrollments adds to the course page: its trainees and quotas, the class's sheets, nominations and closing.
# Courses cannot import enrollments; backoffice/admin.py composes these tools into the one course admin.
class EnrollmentCourseTools:
    inlines: ClassVar[list[Any]] = [SeatQuotaInline, EnrollmentInline]
    actions: list[Any] = ["send_activation_links", "print_account_sheet", closing_views.close_courses]

    # Running the class (attendance, matrix, scores): pages and links in sheet_views; evaluation averages:
    # evaluation_views; nominations per committee and closing: nomination_views and closing_views.
    def get_urls(self):
        return [
            *sheet_views.course_urls(self),
            *evaluation_views.course_urls(self),
            *nomination_views.course_urls(self),
            *closing_views.course_urls(self),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["course_sheets"] = sheet_views.course_sheet_links(request, obj)
            context["nomination_tools"] = nomination_views.course_tools(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_close_permission(self, request):
        return may_close(request.user) or may_run_own_classes(request.user)

    def has_logins_permission(self, request):
        # Trainees' logins are the center's business (may_link_login), also on a committee's own class.
        return self.has_change_permission(request) and may_link_login(request.user)

    def visible_enrollments(self, request, courses):
        return Enrollment.objects.for_user(request.user).filter(course__in=courses)

    @admin.action(description=_("Gửi liên kết kích hoạt"), permissions=["logins"])
    def send_activation_links(self, request, queryset):
        enrollments = self.visible_enrollments(request, queryset).exclude(status=Enrollment.Status.WITHDRAWN)
        report = send_activation_links(Member.objects.filter(enrollments__in=enrollments))
        sent = len(report.sent)
        self.message_user(
            request,
            ngettext(
                "Đã gửi liên kết kích hoạt cho %(count)d học viên.",
                "Đã gửi liên kết kích hoạt cho %(count)d học viên.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS,
        )
        if report.without_email:
            names = ", ".join(member.full_name for member in report.without_email)
            self.message_user(
                request,
                _("Chưa có thư điện tử, hãy in danh sách tài khoản để trao tận tay: %(names)s.") % {"names": names},
                messages.WARNING,
            )
        if report.already_active:
            active = len(report.already_active)
            self.message_user(
                request,
                ngettext(
                    "%(count)d học viên đã tự đặt mật khẩu nên không cần liên kết.",
                    "%(count)d học viên đã tự đặt mật khẩu nên không cần liên kết.",
                    active,
                )
                % {"count": active},
                messages.INFO,
            )

    @admin.action(description=_("In danh sách tài khoản"), permissions=["logins"])
    def print_account_sheet(self, request, queryset):
        enrollments = self.visible_enrollments(request, queryset)
        pdf = account_sheet_pdf(enrollments)
        # Whose logins the sheet lists, as the courses chosen and a count: one row, however long the sheet.
        record_access(
            request,
            AccessLog.Action.EXPORT,
            parameters={
                "export": "account_sheet",
                "courses": sorted(queryset.values_list("code", flat=True)),
                "enrollments": enrollments.exclude(status=Enrollment.Status.WITHDRAWN).count(),
            },
        )
        return HttpResponse(
            pdf,
            content_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="danh-sach-tai-khoan.pdf"'},
        )


# A session's attendance sheet and a lecturer's evaluation averages live under their own pages,
# composed into the session and lecturer admins by backoffice/admin.py.
class EnrollmentSessionTools:
    def get_urls(self):
        return [*sheet_views.session_urls(self), *super().get_urls()]


class EnrollmentLecturerTools:
    def get_urls(self):
        return [*evaluation_views.lecturer_urls(self), *super().get_urls()]


class EnrollmentMemberTools:
    """What enrollments adds to the member admin, composed by backoffice/admin.py: picking a member for a class
    (the nomination form forwards the class, static/js/picker_course.js), the picker marks who is on it already."""

    def autocomplete_extras(self, request, objects):
        extras = super().autocomplete_extras(request, objects)
        course = request.GET.get("course", "")
        if not (course.isdigit() and len(course) < 10):
            return extras
        on_list = set(
            Enrollment.objects.for_user(request.user)
            .filter(course_id=int(course), member__in=objects)
            .exclude(status=Enrollment.Status.WITHDRAWN)
            .values_list("member_id", flat=True)
        )
        for pk, extra in extras.items():
            extra["in_course"] = pk in on_list
            if pk in on_list:
                extra["text"] = _("%(member)s — đã có trong lớp") % {"member": extra["text"]}
        return extras


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["member", "course", "nominated_by", "post", "status", "final_score"]
    list_filter = ["status", "course__year", "post"]
    list_select_related = ["member", "course__program", "nominated_by"]
    search_fields = ["member__search_key", "course__code"]
    # The course is a plain choice of the courses open for nomination (see NominationForm).
    autocomplete_fields = ["member"]

    class Media:
        # Named after jquery.init.js, so the merged media load the script once django.jQuery exists.
        js = ["admin/js/jquery.init.js", "js/picker_course.js"]

    # Set by nominate(), withdraw(), close_course() and override_result(), never typed in.
    managed_fields = [
        "course",
        "member",
        "nominated_by",
        "status",
        "grade",
        "attended_percent",
        "result_reasons",
        "result_overridden",
        "override_reason",
    ]

    # Importing a nomination list from Excel: nomination_import_views.py.
    def get_urls(self):
        return [
            *import_urls(self, NOMINATIONS_PAGE),
            *nomination_views.enrollment_urls(self),
            *closing_views.enrollment_urls(self),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        link = import_link(request, NOMINATIONS_PAGE, "admin:enrollments_enrollment_import")
        return super().changelist_view(request, {**(extra_context or {}), **link})

    def lookup_allowed(self, lookup, value, request=None):
        # ?evaluation=7 would name the trainee who sent evaluation 7.
        if relations_followed(Enrollment, lookup)[:1] == ("evaluation",):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["course", "member", "post", "reason"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.managed_fields

    # A closed or cancelled class's enrollments are read, never changed or deleted here: a late change of a
    # result is an override with a reason, a change of the class's list needs the center to reopen it.
    def has_change_permission(self, request, obj=None):
        return not (obj is not None and lifecycle.is_read_only(obj.course)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and lifecycle.is_read_only(obj.course)) and super().has_delete_permission(
            request, obj
        )

    def get_deleted_objects(self, objs, request):
        return refuse_read_only_courses(super().get_deleted_objects(objs, request), [obj.course for obj in objs])

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        form = super().get_form(request, obj, form=NominationForm, **kwargs)
        # Nominating picks among the open courses; courses are opened and edited on their own page.
        course_widget = form.base_fields["course"].widget
        course_widget.can_add_related = course_widget.can_change_related = course_widget.can_delete_related = False

        class UserNominationForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return UserNominationForm

    def save_model(self, request, obj, form, change):
        # A new enrollment has been written by nominate() while the nomination form validated.
        if change:
            super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            still_on_list = obj.status != Enrollment.Status.WITHDRAWN
            context["result_tools"] = {
                "withdraw": still_on_list
                and not lifecycle.is_read_only(obj.course)
                and self.has_change_permission(request, obj),
                "override": still_on_list and may_override_result(request.user),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(SeatQuota)
class SeatQuotaAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["course", "organization", "seats", "seats_used"]
    list_filter = ["course__year", "course__status"]
    list_select_related = ["course__program", "organization"]
    search_fields = ["course__code", "organization__search_key", "organization__code"]
    autocomplete_fields = ["course", "organization"]

    def get_queryset(self, request):
        return with_seats_used(super().get_queryset(request))

    @admin.display(description=_("đã cử/chỉ tiêu"))
    def seats_used(self, obj):
        return f"{obj.used}/{obj.seats}"


class AttendanceAdminForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ["enrollment", "session", "status"]

    def clean(self):
        cleaned = super().clean()
        enrollment = cleaned.get("enrollment")
        if enrollment is not None:
            lifecycle.ensure_editable(enrollment.course)
        return cleaned


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    form = AttendanceAdminForm
    list_display = ["enrollment", "session", "status"]
    list_filter = ["status", "session__period"]
    list_select_related = ["enrollment__member", "enrollment__course", "session"]
    search_fields = ["enrollment__member__search_key", "enrollment__course__code"]
    autocomplete_fields = ["enrollment", "session"]

    # A closed or cancelled class's attendance is read, never changed (courses.lifecycle.ensure_editable); only its
    # organizer's staff take it (may_mark_attendance).
    def has_change_permission(self, request, obj=None):
        return not (
            obj is not None
            and (
                lifecycle.is_read_only(obj.enrollment.course)
                or not may_mark_attendance(request.user, obj.enrollment.course)
            )
        ) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (
            obj is not None and lifecycle.is_read_only(obj.enrollment.course)
        ) and super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        courses = [obj.enrollment.course for obj in objs]
        return refuse_read_only_courses(super().get_deleted_objects(objs, request), courses)


def refuse_read_only_courses(deleted, courses):
    """get_deleted_objects()'s answer, with a closed or cancelled class among `courses` named as what the user may
    not delete: the admin then refuses the whole deletion (the delete page and the delete-selected action)."""
    to_delete, model_count, perms_needed, protected = deleted
    for course in {course.pk: course for course in courses}.values():
        if lifecycle.is_read_only(course):
            perms_needed.add(str(_("lớp %(code)s đã kết thúc hoặc bị hủy") % {"code": course.code}))
    return to_delete, model_count, perms_needed, protected


class LecturerRatingInline(LabelledTabularInline):
    model = LecturerRating
    fields = ["lecturer", "topic", "rating"]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lecturer", "topic")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# What a trainee sent is theirs.
@admin.register(Evaluation)
class EvaluationAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Evaluations as they were sent, read-only, never showing who sent one: the enrollment and its
    member stay off every list, filter, search, ordering, lookup and form, so trainees can rate freely.
    Only the forms of courses with at least EVALUATION_MIN_FORMS of them are listed."""

    list_display = ["course", "submitted_at", "organization_rating", "content_rating", "materials_rating"]
    list_filter = ["enrollment__course__year"]
    list_select_related = ["enrollment__course__program"]
    search_fields = ["enrollment__course__code"]
    fields = ["course", "organization_rating", "content_rating", "materials_rating", "comments", "submitted_at"]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want
    inlines = [LecturerRatingInline]

    def get_queryset(self, request):
        return readable_evaluations(super().get_queryset(request)).select_related("enrollment__course__program")

    def lookup_allowed(self, lookup, value, request=None):
        # Narrowing to a course or a lecturer is what the list is for; ?enrollment=42 would be one trainee's form.
        return keeps_evaluations_anonymous(lookup)

    @admin.display(description=_("lớp"), ordering="enrollment__course__code")
    def course(self, obj):
        return obj.enrollment.course
