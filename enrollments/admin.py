"""Staff pages for enrollments and attendance, and the trainees inline on a course."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from courses.admin import CourseAdmin
from courses.models import Course
from enrollments.models import Attendance, Enrollment
from organizations.access import ScopedAdminMixin


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["member", "nominated_by"]
    fields = ["member", "nominated_by", "post", "status", "final_score"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user).select_related("member", "nominated_by")


# The course page lists its trainees; courses cannot import enrollments, so the page is extended here.
admin.site.unregister(Course)


@admin.register(Course)
class CourseWithTraineesAdmin(CourseAdmin):
    inlines = [*CourseAdmin.inlines, EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["member", "course", "nominated_by", "post", "status", "final_score"]
    list_filter = ["status", "course__year", "post"]
    list_select_related = ["member", "course", "nominated_by"]
    search_fields = ["member__search_key", "course__code"]
    autocomplete_fields = ["course", "member", "nominated_by"]


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["enrollment", "session", "status"]
    list_filter = ["status", "session__period"]
    list_select_related = ["enrollment__member", "enrollment__course", "session"]
    search_fields = ["enrollment__member__search_key", "enrollment__course__code"]
    autocomplete_fields = ["enrollment", "session"]
