"""Staff pages for programs and topics; and the base admins of lecturers, courses and sessions, which
backoffice/admin.py composes with what enrollments, certificates and reports add and registers."""

from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyHistoryAdmin
from courses import lifecycle
from courses.forms import ProgramForm
from courses.models import Program, Session, Topic
from organizations.access import ScopedAdminMixin


class TopicInline(admin.TabularInline):
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


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    autocomplete_fields = ["topic", "lecturer"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic", "lecturer")

    # A closed or cancelled class's schedule is kept as it was (courses.lifecycle).
    def has_add_permission(self, request, obj=None):
        return not (obj is not None and lifecycle.is_read_only(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and lifecycle.is_read_only(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and lifecycle.is_read_only(obj)) and super().has_delete_permission(request, obj)


class CourseAdminBase(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["code", "title", "organizer", "year", "start_date", "end_date", "capacity", "phase"]
    list_filter = ["status", "year", "program"]
    list_select_related = ["program", "organizer"]
    search_fields = ["code", "program__search_key", "organizer__search_key", "venue"]
    autocomplete_fields = ["program", "organizer"]
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

    @admin.display(description=_("tên lớp"))
    def title(self, obj):
        return obj.title

    @admin.display(description=_("trạng thái"), ordering="status")
    def phase(self, obj):
        return lifecycle.phase_label(obj)


class SessionAdminBase(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["course", "date", "period", "topic", "lecturer"]
    list_filter = ["period", "course__year"]
    list_select_related = ["course__program", "topic", "lecturer"]
    search_fields = ["course__code", "lecturer__search_key"]
    autocomplete_fields = ["course", "topic", "lecturer"]
    date_hierarchy = "date"
