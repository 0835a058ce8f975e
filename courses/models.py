"""Programs and their topics, lecturers, courses (classes) and their half-day sessions."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.numbers import LocalizedDecimalField
from common.vietnamese import normalize_name, search_key
from courses.wording import course_title
from organizations.access import ScopedQuerySet
from organizations.models import Organization, Post


def organized_for(path, prefix=""):
    """Courses a sub-tree may see: organized inside it, or by one of its ancestors (the center
    runs classes for the whole bloc); never a sibling committee's own classes."""
    ancestors = Organization.path_prefixes(path)[:-1]
    return Q(**{f"{prefix}organizer__path__startswith": path}) | Q(**{f"{prefix}organizer__path__in": ancestors})


class CatalogQuerySet(ScopedQuerySet):
    """Programs, topics and lecturers are the center's catalog: every staff scope reads it."""

    def subtree_filter(self, path):
        return Q()


class Program(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        APPRAISED = "appraised", _("Đã thẩm định")
        ISSUED = "issued", _("Đã ban hành")
        RETIRED = "retired", _("Ngừng sử dụng")

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên chương trình"), max_length=255)
    version = models.CharField(_("phiên bản"), max_length=32, default="1")
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    completion_threshold = models.PositiveSmallIntegerField(
        _("tỷ lệ chuyên cần tối thiểu (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    pass_score = LocalizedDecimalField(
        _("điểm đạt"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("5.0"),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    qualifying_posts = models.JSONField(
        _("chức vụ được công nhận"),
        default=list,
        blank=True,
        help_text=_("Chứng nhận của chương trình này đáp ứng yêu cầu bồi dưỡng của các chức vụ này."),
    )
    search_key = models.CharField(_("khóa tìm kiếm"), max_length=255, editable=False, db_index=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("chương trình khung")
        verbose_name_plural = _("chương trình khung")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_threshold__gte=1, completion_threshold__lte=100),
                name="program_threshold_percent",
            ),
            models.CheckConstraint(condition=Q(pass_score__gte=0, pass_score__lte=10), name="program_pass_score_range"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalize_name(self.name)
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        unknown = set(self.qualifying_posts or []) - set(Post.values)
        if unknown:
            raise ValidationError({"qualifying_posts": _("Chức vụ không hợp lệ: %s") % ", ".join(sorted(unknown))})


class Topic(models.Model):
    program = models.ForeignKey(
        Program, verbose_name=_("chương trình"), on_delete=models.CASCADE, related_name="topics"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("tên chuyên đề"), max_length=255)
    hours = LocalizedDecimalField(
        _("số tiết"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuyên đề")
        verbose_name_plural = _("chuyên đề")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["program", "order"], name="topic_unique_order"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="topic_hours_positive"),
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


class Lecturer(models.Model):
    class Kind(models.TextChoices):
        LECTURER = "lecturer", _("Giảng viên")
        REPORTER = "reporter", _("Báo cáo viên")

    name = models.CharField(_("họ và tên"), max_length=128)
    academic_title = models.CharField(_("học hàm, học vị"), max_length=64, blank=True)
    unit = models.CharField(_("đơn vị"), max_length=255, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices, default=Kind.LECTURER)
    in_pool = models.BooleanField(
        _("thuộc đội ngũ báo cáo viên của Khối"),
        default=True,
        help_text=_("Giảng viên, báo cáo viên trong danh sách của Đảng ủy Khối."),
    )
    search_key = models.CharField(_("khóa tìm kiếm"), max_length=128, editable=False, db_index=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("giảng viên")
        verbose_name_plural = _("giảng viên")
        ordering = ["name"]

    def __str__(self):
        return f"{self.academic_title} {self.name}".strip()

    def save(self, *args, **kwargs):
        self.name = normalize_name(self.name)
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)


class CourseQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return organized_for(path)

    def own_filter(self, member_id):
        return Q(enrollments__member_id=member_id)

    def closed(self):
        """Classes whose results are stored: the one filter the reports' completion rates count over."""
        return self.filter(status__in=RESULTS_STORED)

    # The three kinds of class (Course.kind): the center's own, co-organized by the center with a committee, and
    # self-run by an authorized committee. The center is the tree's root (depth 1).

    def centers(self):
        return self.filter(organizer__depth=1, co_organizer__isnull=True)

    def co_organized(self):
        return self.filter(organizer__depth=1, co_organizer__isnull=False)

    def self_run(self):
        return self.filter(organizer__depth__gt=1)

    def counting_for_compliance(self):
        """Classes whose certificates count for "trained": all but those judged short of the requirements and
        not accepted by the center (Course.Quality)."""
        return self.exclude(quality=Course.Quality.NOT_MET)


class Course(models.Model):
    class Status(models.TextChoices):
        # What people decide; the phases time brings (list locked, running, ended) are derived from the dates by
        # courses.lifecycle.phase(), which owns every change of this field.
        PLANNED = "planned", _("Dự kiến")
        OPEN = "open", _("Đang nhận cử học viên")
        CLOSED = "closed", _("Đã kết thúc")
        CERTIFIED = "certified", _("Đã cấp giấy chứng nhận")
        CANCELLED = "cancelled", _("Đã hủy")

    class Quality(models.TextChoices):
        UNJUDGED = "", _("Chưa đánh giá")
        MET = "met", _("Đạt yêu cầu")
        NOT_MET = "not_met", _("Chưa đạt yêu cầu")
        ACCEPTED = "accepted", _("Trung tâm đã công nhận")

    class Kind(models.TextChoices):
        CENTER = "center", _("Lớp của Trung tâm")
        CO_ORGANIZED = "co_organized", _("Lớp phối hợp tổ chức")
        SELF_RUN = "self_run", _("Lớp do đảng ủy tự tổ chức")

    code = models.CharField(_("mã lớp"), max_length=32, unique=True, help_text=_("Ví dụ: 2021-K1-L1"))
    program = models.ForeignKey(
        Program, verbose_name=_("chương trình"), on_delete=models.PROTECT, related_name="courses"
    )
    organizer = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị tổ chức"),
        on_delete=models.PROTECT,
        related_name="organized_courses",
    )
    year = models.PositiveSmallIntegerField(_("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    intake = models.PositiveSmallIntegerField(_("khóa"), validators=[MinValueValidator(1)])
    number = models.PositiveSmallIntegerField(_("lớp số"), validators=[MinValueValidator(1)])
    start_date = models.DateField(_("ngày khai giảng"))
    end_date = models.DateField(_("ngày bế giảng"))
    venue = models.CharField(_("địa điểm"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(_("số học viên tối đa"), validators=[MinValueValidator(1)])
    nomination_deadline = models.DateField(
        _("hạn cử học viên"),
        null=True,
        blank=True,
        help_text=_("Sau ngày này danh sách bị khóa: chỉ Trung tâm được thay đổi, kèm lý do."),
    )
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    co_organizer = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị phối hợp tổ chức"),
        on_delete=models.PROTECT,
        related_name="co_organized_courses",
        null=True,
        blank=True,
        help_text=_("Đảng ủy cùng Trung tâm tổ chức lớp (lớp phối hợp)."),
    )
    # The verdict of the quality indicators (oversight/indicators.py), stored when it matters: at closing, for a
    # self-run class, and when the center accepts a class short of the requirements (courses.quality). Only
    # NOT_MET keeps the class's certificates from counting for "trained" (certificates/training.py).
    quality = models.CharField(
        _("đánh giá chất lượng"), max_length=16, choices=Quality.choices, default=Quality.UNJUDGED, editable=False
    )
    quality_reasons = models.TextField(_("lý do chưa đạt yêu cầu"), blank=True, editable=False)

    history = HistoricalRecords()

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("lớp bồi dưỡng")
        verbose_name_plural = _("lớp bồi dưỡng")
        ordering = ["-year", "-start_date", "code"]
        indexes = [models.Index(fields=["year", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="course_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="course_capacity_positive"),
            models.UniqueConstraint(fields=["organizer", "year", "intake", "number"], name="course_unique_number"),
        ]

    def __str__(self):
        return f"{self.code} — {self.title}"

    @property
    def title(self):
        return course_title(self.program.name, self.intake, self.number, self.year)

    @property
    def kind(self) -> str:
        """Which of the three kinds the class is (the query-set methods centers(), co_organized(), self_run() say
        the same for many): reads organizer.depth, so select the organizer along."""
        if self.organizer.depth > 1:
            return self.Kind.SELF_RUN
        return self.Kind.CO_ORGANIZED if self.co_organizer_id else self.Kind.CENTER

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Ngày bế giảng phải sau ngày khai giảng.")})
        if self.co_organizer_id and self.organizer_id:
            if self.organizer.depth > 1:
                raise ValidationError({"co_organizer": _("Chỉ lớp của Trung tâm mới có đơn vị phối hợp tổ chức.")})
            if self.co_organizer.depth == 1:
                raise ValidationError({"co_organizer": _("Đơn vị phối hợp tổ chức là một đảng ủy trực thuộc.")})


# A class whose results are stored: closed, or closed and its certificates issued (courses/lifecycle.py names the
# transitions; reports count completion over these classes only).
RESULTS_STORED = (Course.Status.CLOSED, Course.Status.CERTIFIED)


class SessionQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return organized_for(path, prefix="course__")

    def own_filter(self, member_id):
        return Q(course__enrollments__member_id=member_id)

    def double_booked(self):
        """The slots (lecturer, date, period) in which a lecturer teaches more than one class: none, by the rules
        of courses/scheduling.py; a check of data written in bulk (the demo, benchmarks) asks this."""
        return (
            self.filter(lecturer__isnull=False)
            .values("lecturer", "date", "period")
            .annotate(classes=models.Count("course", distinct=True))
            .filter(classes__gt=1)
            .order_by()
        )


class Session(models.Model):
    class Period(models.IntegerChoices):
        MORNING = 1, _("Sáng")
        AFTERNOON = 2, _("Chiều")
        EVENING = 3, _("Tối")

    course = models.ForeignKey(Course, verbose_name=_("lớp"), on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("ngày"))
    period = models.PositiveSmallIntegerField(_("buổi"), choices=Period.choices)
    topic = models.ForeignKey(
        Topic, verbose_name=_("chuyên đề"), on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    lecturer = models.ForeignKey(
        Lecturer,
        verbose_name=_("giảng viên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    during_conference = models.BooleanField(
        _("trùng ngày hội nghị"),
        default=False,
        help_text=_("Buổi học tổ chức cùng ngày với hội nghị của đơn vị (lớp chưa đạt yêu cầu)."),
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("buổi học")
        verbose_name_plural = _("buổi học")
        ordering = ["course", "date", "period"]
        constraints = [
            models.UniqueConstraint(fields=["course", "date", "period"], name="session_unique_slot"),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_period_display()}"

    def clean(self):
        # The class may be one the admin's add page has not saved yet: its typed-in dates and program count.
        from courses.scheduling import Frame, session_errors

        if not (self.course_id or Session.course.is_cached(self)):
            return
        errors = session_errors(self, Frame.of(self.course))
        if errors:
            raise ValidationError(errors)
