"""Oversight: who is trained and by when, the self-run classes' indicators, and the Inspection Committee's yearly
inspections of training (plan, inspection record with its checklist, findings, corrections and their reports)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.access import ScopedQuerySet
from organizations.models import Appointment, Organization, Post


class InspectionPlanQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        # A committee sees a plan only through its own inspections; the plan itself is the Inspection Committee's.
        return Q(inspections__organization__path__startswith=path)


class InspectionPlan(models.Model):
    """The Inspection Committee's programme of training inspections for one year."""

    year = models.PositiveSmallIntegerField(
        _("năm"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch kiểm tra")
        verbose_name_plural = _("kế hoạch kiểm tra")
        ordering = ["-year"]

    def __str__(self):
        return str(_("Kế hoạch kiểm tra năm %(year)s") % {"year": self.year})


class InspectionQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(organization__path__startswith=path)


class Inspection(models.Model):
    """One inspection of an organization's training: when, by whom, on which topics; the checklist prepared from
    the records when it opens; the team's conclusion."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Dự kiến")
        OPEN = "open", _("Đang kiểm tra")
        CONCLUDED = "concluded", _("Đã kết luận")

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="inspections"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("tổ chức đảng được kiểm tra"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"))
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("đoàn kiểm tra"), related_name="inspections", blank=True
    )
    topics = models.TextField(_("nội dung kiểm tra"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    opened_at = models.DateTimeField(_("mở lúc"), null=True, blank=True)
    checklist = models.JSONField(_("số liệu kiểm tra"), default=dict, blank=True, editable=False)
    conclusion = models.TextField(_("kết luận"), blank=True)
    concluded_on = models.DateField(_("ngày kết luận"), null=True, blank=True)

    history = HistoricalRecords()

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("cuộc kiểm tra")
        ordering = ["-plan__year", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="inspection_end_after_start"),
            models.UniqueConstraint(fields=["plan", "organization"], name="inspection_once_per_plan"),
        ]

    def __str__(self):
        return f"{self.organization} ({self.plan.year})"


class FindingQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(inspection__organization__path__startswith=path)


class Finding(models.Model):
    """What the team found, in its own words."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("cuộc kiểm tra"), on_delete=models.CASCADE, related_name="findings"
    )
    text = models.TextField(_("nội dung"))

    history = HistoricalRecords()

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("phát hiện")
        verbose_name_plural = _("phát hiện")
        ordering = ["inspection", "pk"]

    def __str__(self):
        return self.text[:80]


class CorrectionQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(organization__path__startswith=path)

    def overdue(self, today):
        return self.filter(due_date__lt=today).exclude(status=Correction.Status.ACCEPTED)


class Correction(models.Model):
    """A correction the conclusion requires, of a responsible organization, by a due date. The responsible
    committee reports what it did; the team accepts the report or reopens the correction."""

    class Status(models.TextChoices):
        REQUIRED = "required", _("Phải khắc phục")
        REPORTED = "reported", _("Đã báo cáo")
        ACCEPTED = "accepted", _("Đã khắc phục")
        REOPENED = "reopened", _("Phải khắc phục lại")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("cuộc kiểm tra"), on_delete=models.CASCADE, related_name="corrections"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("tổ chức chịu trách nhiệm"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("yêu cầu khắc phục"))
    due_date = models.DateField(_("hạn khắc phục"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.REQUIRED)

    history = HistoricalRecords()

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("yêu cầu khắc phục")
        verbose_name_plural = _("yêu cầu khắc phục")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return self.text[:80]


class CorrectionReportQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(correction__organization__path__startswith=path)


class CorrectionReport(models.Model):
    """What the responsible committee reports it did on a correction, with an attachment; the team's answer."""

    class Verdict(models.TextChoices):
        PENDING = "pending", _("Chờ đoàn xem xét")
        ACCEPTED = "accepted", _("Chấp nhận")
        REOPENED = "reopened", _("Yêu cầu làm lại")

    correction = models.ForeignKey(
        Correction, verbose_name=_("yêu cầu khắc phục"), on_delete=models.CASCADE, related_name="reports"
    )
    text = models.TextField(_("kết quả khắc phục"))
    attachment = models.FileField(_("tệp đính kèm"), upload_to="corrections/", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người báo cáo"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("thời điểm báo cáo"), auto_now_add=True)
    verdict = models.CharField(_("ý kiến của đoàn"), max_length=16, choices=Verdict.choices, default=Verdict.PENDING)
    verdict_note = models.TextField(_("nhận xét của đoàn"), blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    judged_at = models.DateTimeField(_("thời điểm xem xét"), null=True, blank=True)

    objects = CorrectionReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo khắc phục")
        verbose_name_plural = _("báo cáo khắc phục")
        ordering = ["correction", "reported_at", "pk"]

    def __str__(self):
        return self.text[:80]


class CountedPost(models.Model):
    """A current post that requires training, as the compliance tallies last counted it (oversight/tallies.py): its
    organization, the tally unit it is counted in, the post, and when its holder was last certified for it (the
    issue date of their newest valid certificate of a program that qualifies the post; None: never)."""

    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("chức vụ trong nhiệm kỳ"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("tổ chức đảng"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(Organization, verbose_name=_("Đơn vị"), on_delete=models.CASCADE, related_name="+")
    post = models.CharField(_("chức vụ"), max_length=32, choices=Post.choices)
    certified_on = models.DateField(_("ngày cấp"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("Chức vụ phải bồi dưỡng")
        verbose_name_plural = _("Chức vụ phải bồi dưỡng")

    def __str__(self):
        return f"{self.appointment_id}: {self.post} {self.certified_on or '-'}"


class ComplianceTally(models.Model):
    """How many counted posts a tally unit holds, by post and by the year their holder was last certified (0:
    never). A unit is an organization no deeper than UNIT_DEPTH (oversight/compliance.py): the posts of one deeper
    down are counted in its ancestor at that depth, so a sub-tree's figures are a sum over a few hundred rows."""

    unit = models.ForeignKey(Organization, verbose_name=_("Đơn vị"), on_delete=models.CASCADE, related_name="+")
    post = models.CharField(_("chức vụ"), max_length=32, choices=Post.choices)
    certified_year = models.PositiveSmallIntegerField(_("năm"))
    holders = models.IntegerField(_("Số lượng"), default=0)

    class Meta:
        verbose_name = _("Bồi dưỡng theo nhiệm kỳ")
        verbose_name_plural = _("Bồi dưỡng theo nhiệm kỳ")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "post", "certified_year"], name="oversight_compliance_tally_unique_key"
            )
        ]

    def __str__(self):
        return f"{self.unit_id} {self.post} {self.certified_year}: {self.holders}"


class ReminderSent(models.Model):
    """An officer was sent the month's reminder of overdue and soon-due post holders (oversight/reminders.py):
    written in the transaction that decides to send it, and unique per officer and month, so that however often
    the command runs, and even when two runs overlap, each officer gets one mail a month."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    organization = models.ForeignKey(
        Organization, verbose_name=_("tổ chức đảng"), on_delete=models.CASCADE, related_name="+"
    )
    overdue = models.PositiveIntegerField(_("quá hạn"), default=0)
    due_soon = models.PositiveIntegerField(_("sắp đến hạn"), default=0)
    sent_at = models.DateTimeField(_("thời điểm gửi"), auto_now_add=True)

    class Meta:
        verbose_name = _("lượt nhắc hạn bồi dưỡng")
        verbose_name_plural = _("lượt nhắc hạn bồi dưỡng")
        constraints = [models.UniqueConstraint(fields=["user", "month"], name="reminder_sent_once_a_month")]

    def __str__(self):
        return f"{self.user_id} {self.month:%m/%Y}"
