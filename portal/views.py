"""The trainee's own pages (/my/): their courses, schedule, attendance and results."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from enrollments.models import Enrollment
from enrollments.progress import progress_of, with_schedule


def home(request):
    """Send each visitor where they work: staff to the admin, trainees to their courses."""
    if request.user.is_authenticated and request.user.is_staff:
        return redirect("admin:index")
    return redirect("portal:course-list")


def own_enrollments(user):
    return with_schedule(Enrollment.objects.owned_by(user)).order_by("-course__start_date")


class MyCoursesView(LoginRequiredMixin, TemplateView):
    template_name = "portal/course_list.html"

    def get_context_data(self, **kwargs):
        progresses = [progress_of(enrollment) for enrollment in own_enrollments(self.request.user)]
        return super().get_context_data(progresses=progresses, **kwargs)


class MyCourseDetailView(LoginRequiredMixin, TemplateView):
    template_name = "portal/course_detail.html"

    def get_context_data(self, **kwargs):
        enrollment = get_object_or_404(own_enrollments(self.request.user), course__code=kwargs["code"])
        return super().get_context_data(progress=progress_of(enrollment), **kwargs)
