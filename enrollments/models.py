"""Enrollments of members in courses, and their attendance per session."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from courses.models import Course, Session
from organizations.access import ScopedQuerySet
from organizations.models import Member, Organization, Post


def enrollment_scope(path, prefix=""):
    """Enrollments a sub-tree may see: its own members anywhere, and everyone in the courses it
    organizes itself."""
    organizer = Q(**{f"{prefix}course__organizer__path__startswith": path})
    return Q(**{f"{prefix}member__organization__path__startswith": path}) | organizer


class EnrollmentQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return enrollment_scope(path)

    def own_filter(self, member_id):
        return Q(member_id=member_id)

    def roster_order(self):
        return self.order_by("member__sort_key", "member__birth_date", "pk")


class Enrollment(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Đã đăng ký")
        STUDYING = "studying", _("Đang học")
        COMPLETED = "completed", _("Hoàn thành")
        NOT_COMPLETED = "not_completed", _("Không hoàn thành")
        WITHDRAWN = "withdrawn", _("Rút khỏi lớp")

    course = models.ForeignKey(Course, verbose_name=_("lớp"), on_delete=models.PROTECT, related_name="enrollments")
    member = models.ForeignKey(
        Member, verbose_name=_("học viên"), on_delete=models.PROTECT, related_name="enrollments"
    )
    nominated_by = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị cử"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
    )
    post = models.CharField(_("chức vụ khi học"), max_length=32, choices=Post.choices, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    final_score = models.DecimalField(
        _("điểm bài thu hoạch"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    history = HistoricalRecords()

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("học viên của lớp")
        verbose_name_plural = _("học viên của lớp")
        ordering = ["course", "member__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["course", "member"], name="enrollment_unique_member"),
            models.CheckConstraint(
                condition=Q(final_score__isnull=True) | Q(final_score__gte=0, final_score__lte=10),
                name="enrollment_score_range",
                violation_error_message=_("Điểm phải từ 0 đến 10."),
            ),
        ]

    def __str__(self):
        return f"{self.member.full_name} — {self.course.code}"


class AttendanceQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return enrollment_scope(path, prefix="enrollment__")

    def own_filter(self, member_id):
        return Q(enrollment__member_id=member_id)


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Có mặt")
        LATE = "late", _("Đi muộn")
        EXCUSED = "excused", _("Vắng có phép")
        ABSENT = "absent", _("Vắng không phép")

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("học viên"), on_delete=models.CASCADE, related_name="attendances"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("buổi học"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("điểm danh"), max_length=16, choices=Status.choices, default=Status.PRESENT)
    history = HistoricalRecords()

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        ordering = ["session__date", "session__period", "enrollment__member__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "session"], name="attendance_unique_session"),
        ]

    def __str__(self):
        return f"{self.enrollment.member.full_name} — {self.session}: {self.get_status_display()}"

    def clean(self):
        if self.enrollment_id and self.session_id and self.enrollment.course_id != self.session.course_id:
            raise ValidationError({"session": _("Buổi học không thuộc lớp của học viên này.")})
