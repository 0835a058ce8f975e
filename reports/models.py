"""Report jobs: an export that runs in the background, shows its progress, and keeps its file for a while. (The
compliance tallies are oversight's: oversight/models.py.)"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ops.jobs import BackgroundJob
from organizations.access import ScopedQuerySet, scope_of


class ReportJobQuerySet(ScopedQuerySet):
    """A job's file holds what its requester may see, so only the requester (or the center) reads it."""

    def for_user(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.path is not None:
            return self.filter(requested_by=user)
        return self.none()

    def subtree_filter(self, path):
        return Q(pk__in=[])

    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now()).exclude(file="")


class ReportJob(BackgroundJob):
    class Kind(models.TextChoices):
        YEAR_WORKBOOK = "year_workbook", _("Báo cáo năm (Excel)")
        MISSING_LIST = "missing_list", _("Danh sách chưa bồi dưỡng (Excel)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang lập")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Bị lỗi")
        EXPIRED = "expired", _("Đã hết hạn")

    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    parameters = models.JSONField(_("tham số"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("thời điểm yêu cầu"), auto_now_add=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    file = models.FileField(_("tệp kết quả"), upload_to="reports/", blank=True)
    finished_at = models.DateTimeField(_("thời điểm xong"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt xuất báo cáo")
        verbose_name_plural = _("lượt xuất báo cáo")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["expires_at"])]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="report_job_percent")]

    def __str__(self):
        label = self.get_kind_display()
        return f"{label} {self.year}" if self.year else str(label)

    @property
    def page_url(self):
        """The staff page that shows the job's progress and offers its file."""
        return reverse("admin:reports_reportjob_change", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def is_downloadable(self):
        return self.status == self.Status.DONE and bool(self.file) and self.expires_at > timezone.now()
