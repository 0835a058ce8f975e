"""The admin pages several apps contribute to, composed once.

Courses holds the base admins of courses, sessions and lecturers, organizations the member's; enrollments,
certificates and reports each add their tools (inlines, pages wired in get_urls(), actions, change-form context,
the picker's answer) as mixins that register nothing. This module, in the app at the right end that nothing
imports, puts them together and registers each model once. The tools' get_urls() and render_change_form() call
super(), so they chain through the bases in the order written; inlines and actions are plain lists, joined here in
the order the pages show them. The course change form's template, templates/admin/courses/course/change_form.html,
is the one the admin finds for the model and holds the enrollments' buttons and sessions list; the member's,
templates/admin/organizations/member/change_form.html, holds the training record.
"""

from typing import Any, ClassVar

from django.contrib import admin

from certificates.admin import CertificateCourseTools, CertificateMemberTools
from courses.admin import CourseAdminBase, LecturerAdminBase, SessionAdminBase
from courses.models import Course, Lecturer, Session
from enrollments.admin import (
    EnrollmentCourseTools,
    EnrollmentLecturerTools,
    EnrollmentMemberTools,
    EnrollmentSessionTools,
)
from organizations.admin import MemberAdminBase
from organizations.models import Member
from oversight.class_admin import OversightCourseTools
from reports.admin import ReportsCourseTools


@admin.register(Course)
class CourseAdmin(
    ReportsCourseTools, OversightCourseTools, CertificateCourseTools, EnrollmentCourseTools, CourseAdminBase
):
    inlines: ClassVar[list[Any]] = [*CourseAdminBase.inlines, *EnrollmentCourseTools.inlines]
    actions: list[Any] = [
        *EnrollmentCourseTools.actions,
        *CertificateCourseTools.actions,
        *ReportsCourseTools.actions,
    ]


@admin.register(Session)
class SessionAdmin(EnrollmentSessionTools, SessionAdminBase):
    pass


@admin.register(Lecturer)
class LecturerAdmin(EnrollmentLecturerTools, LecturerAdminBase):
    pass


@admin.register(Member)
class MemberAdmin(CertificateMemberTools, EnrollmentMemberTools, MemberAdminBase):
    """The member's page with their training record (certificates); the member picker marks who is on the class
    a member is picked for (enrollments)."""
