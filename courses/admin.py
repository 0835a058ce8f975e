"""Staff pages for programs and topics; and the base admins of lecturers, courses and sessions, which
backoffice/admin.py composes with what enrollments, certificates and reports add and registers."""

from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from common.admin import LabelledTabularInline, ReadOnlyHistoryAdmin
from courses import lifecycle
from courses.forms import CourseForm, ProgramForm, SessionForm, SessionInlineFormSet, TopicChoiceField
from courses.models import Program, Session, Topic
from organizations.access import ScopedAdminMixin, scope_of
from organizations.permissions import is_center, may_change_course, may_create_course, may_schedule


class TopicInline(LabelledTabularInline):
    model = Topic
    extra = 0


@admin.register(Program)
class ProgramAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = ProgramForm
    list_display = ["code", "name", "version", "status", "completion_threshold", "pass_score", "topic_count"]
    list_filter = ["status"]
    search_fields = ["search_key", "code"]
    inlines = [TopicInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(topic_count=Count("topics"))

    @admin.display(description=_("số chuyên đề"), ordering="topic_count")
    def topic_count(self, obj):
        return obj.topic_count


@admin.register(Topic)
class TopicAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "order", "hours", "program"]
    list_filter = ["program"]
    list_select_related = ["program"]
    search_fields = ["title", "program__search_key"]


class LecturerAdminBase(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "academic_title", "unit", "kind"]
    list_filter = ["kind"]
    search_fields = ["search_key", "unit"]


def limit_topics(form, program_id):
    """Only the class's program's topics (its page knows the program; a new class's page lists every program's,
    each labelled, and the rules refuse another program's)."""
    field = form.base_fields.get("topic")
    if field is not None and program_id is not None:
        field.queryset = field.queryset.filter(program_id=program_id)


class SessionInline(LabelledTabularInline):
    model = Session
    formset = SessionInlineFormSet
    extra = 0
    autocomplete_fields = ["lecturer"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic__program", "lecturer")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "topic":
            kwargs["queryset"] = Topic.objects.for_user(request.user).select_related("program")
            kwargs["form_class"] = TopicChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        limit_topics(formset.form, obj.program_id if obj is not None else None)
        return formset

    # A closed or cancelled class's schedule is kept as it was (courses.lifecycle); only its organizer's staff
    # schedule it (may_schedule: a committee's officers their self-run classes).
    def _schedules(self, request, obj):
        return obj is None or (not lifecycle.is_read_only(obj) and may_schedule(request.user, obj))

    def has_add_permission(self, request, obj=None):
        return self._schedules(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._schedules(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._schedules(request, obj) and super().has_delete_permission(request, obj)


class CourseAdminBase(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    form = CourseForm
    list_display = ["code", "title", "organizer", "year", "start_date", "end_date", "capacity", "phase"]
    list_filter = ["status", "year", "program"]
    list_select_related = ["program", "organizer"]
    search_fields = ["code", "program__search_key", "organizer__search_key", "venue"]
    autocomplete_fields = ["program", "organizer", "co_organizer"]
    date_hierarchy = "start_date"
    inlines: ClassVar[list[Any]] = [SessionInline]
    # The state is shown as its phase (see phase()), never typed in.
    exclude = ["status"]

    def get_queryset(self, request):
        # The last session's date, for the phase each row shows (courses.lifecycle.phase), in the same query.
        return super().get_queryset(request).annotate(last_session_date=Max("sessions__date"))

    def get_readonly_fields(self, request, obj=None):
        # The status changes only through courses.lifecycle's transitions (the buttons of the course's page); a
        # closed or cancelled class is read-only as a whole.
        if obj is not None and lifecycle.is_read_only(obj):
            return [field.name for field in obj._meta.concrete_fields if field.name not in ("id", "status")] + ["phase"]
        return ["phase"]

    # The center opens and edits every class; an authorized committee's officers their own self-run classes
    # (organizations.permissions: may_create_course, may_change_course), which the form's rules check again.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and may_create_course(request.user, None)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or may_change_course(request.user, obj))

    def get_autocomplete_fields(self, request):
        # An officer picks from a short list (their committee, the issued programs): a plain select, not the
        # search box, which would offer their whole sub-tree.
        if is_center(request.user):
            return super().get_autocomplete_fields(request)
        return [name for name in super().get_autocomplete_fields(request) if name not in ("organizer", "co_organizer")]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # An officer's class has its own committee as organizer and an issued program; only the center names a
        # co-organizer.
        if not is_center(request.user):
            model = db_field.remote_field.model
            if db_field.name == "organizer":
                kwargs["queryset"] = model.objects.filter(path=scope_of(request.user).path)
            elif db_field.name == "co_organizer":
                kwargs["queryset"] = model.objects.none()
            elif db_field.name == "program":
                kwargs["queryset"] = model.objects.filter(status=model.Status.ISSUED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.acting_user = request.user
        form.sessions_edited_alongside = any(
            isinstance(inline, SessionInline) and inline.has_change_permission(request, obj)
            for inline in self.get_inline_instances(request, obj)
        )
        return form

    @admin.display(description=_("tên lớp"))
    def title(self, obj):
        return obj.title

    @admin.display(description=_("trạng thái"), ordering="status")
    def phase(self, obj):
        return lifecycle.phase_label(obj)


class SessionAdminBase(ScopedAdminMixin, admin.ModelAdmin):
    form = SessionForm
    list_display = ["course", "date", "period", "topic", "lecturer"]
    list_filter = ["period", "course__year"]
    list_select_related = ["course__program", "topic", "lecturer"]
    search_fields = ["course__code", "lecturer__search_key"]
    autocomplete_fields = ["course", "lecturer"]
    date_hierarchy = "date"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "course" and not is_center(request.user):
            # A committee's officers schedule their own self-run classes only (may_schedule).
            kwargs["queryset"] = db_field.remote_field.model.objects.filter(
                organizer__path__startswith=scope_of(request.user).path or "-"
            )
        if db_field.name == "topic":
            kwargs["queryset"] = Topic.objects.for_user(request.user).select_related("program")
            kwargs["form_class"] = TopicChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        limit_topics(form, obj.course.program_id if obj is not None else None)
        return form

    # A closed or cancelled class's sessions are kept as they ran (courses.lifecycle); SessionForm refuses adding one.
    # Only the class's organizer's staff change them (may_schedule).
    def _schedules(self, request, obj):
        return obj is None or (not lifecycle.is_read_only(obj.course) and may_schedule(request.user, obj.course))

    def has_change_permission(self, request, obj=None):
        return self._schedules(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._schedules(request, obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            is_center(request.user) or may_create_course(request.user, None)
        )
