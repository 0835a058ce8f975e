"""Enrollments of members in courses, and their attendance per session."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.numbers import LocalizedDecimalField
from courses.models import Course, Lecturer, Session, Topic
from enrollments.rules import Grade
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
    member = models.ForeignKey(Member, verbose_name=_("học viên"), on_delete=models.PROTECT, related_name="enrollments")
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
    final_score = LocalizedDecimalField(
        _("điểm bài thu hoạch"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    # The result as evaluated when the course closed (or as overridden by staff with a reason).
    grade = models.CharField(_("xếp loại"), max_length=16, choices=Grade.choices, blank=True)
    attended_percent = LocalizedDecimalField(
        _("tỷ lệ chuyên cần (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    result_reasons = models.TextField(_("lý do"), blank=True)
    result_overridden = models.BooleanField(_("kết quả do cán bộ điều chỉnh"), default=False)
    override_reason = models.TextField(_("lý do điều chỉnh"), blank=True)
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


class SeatQuotaQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(organization__path__startswith=path) | Q(course__organizer__path__startswith=path)


# The bloc is depth 1; its affiliated committees are depth 2: the level nominations are counted for.
AFFILIATED_DEPTH = 2


class SeatQuota(models.Model):
    """Seats of a course set aside for the members of one organization: an affiliated committee, or an
    organization inside one. A nomination counts against every quota set on its member's organization or an
    ancestor of it (enrollments/nominations.py), so a quota is never ignored; one above the affiliated
    committees (the bloc) would be, and clean() refuses it."""

    course = models.ForeignKey(Course, verbose_name=_("lớp"), on_delete=models.CASCADE, related_name="seat_quotas")
    organization = models.ForeignKey(
        Organization, verbose_name=_("đơn vị cử"), on_delete=models.PROTECT, related_name="seat_quotas"
    )
    seats = models.PositiveIntegerField(_("số chỉ tiêu"), validators=[MinValueValidator(1)])

    objects = SeatQuotaQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu cử học viên")
        verbose_name_plural = _("chỉ tiêu cử học viên")
        ordering = ["course", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["course", "organization"], name="seat_quota_unique_organization"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="seat_quota_positive"),
        ]

    def __str__(self):
        return f"{self.course.code} — {self.organization}: {self.seats}"

    def clean(self):
        organization = self.organization if self.organization_id else None
        if organization is not None and organization.depth < AFFILIATED_DEPTH:
            raise ValidationError(
                {
                    "organization": _(
                        "Chỉ tiêu chỉ đặt cho đảng ủy trực thuộc hoặc tổ chức đảng bên trong một đảng ủy trực thuộc; "
                        "chỉ tiêu đặt cho %(organization)s sẽ không được tính."
                    )
                    % {"organization": organization.name}
                }
            )


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


class EvaluationQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return enrollment_scope(path, prefix="enrollment__")

    def own_filter(self, member_id):
        return Q(enrollment__member_id=member_id)


RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Evaluation(models.Model):
    """A trainee's evaluation of a course (phiếu đánh giá); staff read it only as averages."""

    enrollment = models.OneToOneField(
        Enrollment, verbose_name=_("học viên"), on_delete=models.PROTECT, related_name="evaluation"
    )
    organization_rating = models.PositiveSmallIntegerField(_("công tác tổ chức lớp"), validators=RATING_VALIDATORS)
    content_rating = models.PositiveSmallIntegerField(_("nội dung chương trình"), validators=RATING_VALIDATORS)
    materials_rating = models.PositiveSmallIntegerField(_("tài liệu học tập"), validators=RATING_VALIDATORS)
    comments = models.TextField(_("ý kiến khác"), blank=True)
    submitted_at = models.DateTimeField(_("thời gian gửi"), auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiếu đánh giá")
        verbose_name_plural = _("phiếu đánh giá")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    organization_rating__range=(1, 5), content_rating__range=(1, 5), materials_rating__range=(1, 5)
                ),
                name="evaluation_ratings_range",
            ),
        ]

    def __str__(self):
        return _("Phiếu đánh giá lớp %(course)s") % {"course": self.enrollment.course.code}


class LecturerRating(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("phiếu đánh giá"), on_delete=models.CASCADE, related_name="lecturer_ratings"
    )
    lecturer = models.ForeignKey(
        Lecturer, verbose_name=_("giảng viên"), on_delete=models.PROTECT, related_name="ratings"
    )
    topic = models.ForeignKey(Topic, verbose_name=_("chuyên đề"), on_delete=models.PROTECT, related_name="ratings")
    rating = models.PositiveSmallIntegerField(_("đánh giá"), validators=RATING_VALIDATORS)

    class Meta:
        verbose_name = _("đánh giá giảng viên")
        verbose_name_plural = _("đánh giá giảng viên")
        ordering = ["evaluation", "lecturer", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "lecturer", "topic"], name="lecturer_rating_unique"),
            models.CheckConstraint(condition=Q(rating__range=(1, 5)), name="lecturer_rating_range"),
        ]

    def __str__(self):
        return f"{self.lecturer} — {self.topic}: {self.rating}"
