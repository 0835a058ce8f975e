"""Issuers and their register books, certificates (never deleted, revoked with a reason), and batch print jobs."""

import datetime
import re

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.localtime import local_datetime_text
from common.vietnamese import normalize_name
from courses.models import Course, organized_for
from enrollments.models import Enrollment, enrollment_scope
from enrollments.rules import Grade
from ops.jobs import BackgroundJob
from organizations.access import ScopedQuerySet
from organizations.models import Organization

# Verification codes: 16 symbols of a 32-symbol alphabet are 80 random bits. 0/O and 1/I are left out
# so that a code read off paper is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16
CODE_GROUP = 4
REGISTER_NUMBER = re.compile(r"^\s*(?P<number>\d{1,6})\s*/\s*(?P<year>\d{4})\s*/\s*(?P<suffix>[A-Z0-9-]+)\s*$", re.I)


def format_register_number(number, year, suffix):
    """How the register number is printed: 0123/2021/CC-TTBDCT."""
    return f"{number:04d}/{year}/{suffix}"


def format_code(code):
    """The code in groups of four, as printed: 7KQ2-M9XA-…"""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalize_code(text):
    """A typed code without separators, in capitals; None when it cannot be a code at all."""
    code = re.sub(r"[\s\-.]", "", text or "").upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


class IssuerProfileQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(organization__path__startswith=path)


class IssuerProfile(models.Model):
    """What an organizing organization prints on its certificates, and the suffix of its register book."""

    organization = models.OneToOneField(
        Organization,
        verbose_name=_("đơn vị tổ chức"),
        on_delete=models.PROTECT,
        related_name="issuer_profile",
    )
    header_line_1 = models.CharField(
        _("dòng tiêu đề thứ nhất"), max_length=128, help_text=_("Ví dụ: ĐẢNG BỘ KHỐI CÁC CƠ QUAN TRUNG ƯƠNG")
    )
    header_line_2 = models.CharField(
        _("dòng tiêu đề thứ hai"), max_length=128, help_text=_("Ví dụ: TRUNG TÂM BỒI DƯỠNG CHÍNH TRỊ")
    )
    place = models.CharField(_("địa danh"), max_length=64, default="Hà Nội")
    signer_title = models.CharField(_("chức vụ người ký"), max_length=128, help_text=_("Ví dụ: GIÁM ĐỐC"))
    signer_name = models.CharField(_("họ và tên người ký"), max_length=128)
    register_suffix = models.CharField(
        _("ký hiệu sổ"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]+(-[A-Z0-9]+)*$", _("Chỉ dùng chữ in hoa không dấu, chữ số và dấu -."))],
        help_text=_("In sau số vào sổ và năm, ví dụ CC-TTBDCT trong 0123/2021/CC-TTBDCT."),
    )

    objects = IssuerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị cấp giấy chứng nhận")
        verbose_name_plural = _("đơn vị cấp giấy chứng nhận")
        ordering = ["organization__path"]

    def __str__(self):
        return f"{self.header_line_2} ({self.register_suffix})"

    def save(self, *args, **kwargs):
        for field in ("header_line_1", "header_line_2", "place", "signer_title", "signer_name"):
            setattr(self, field, normalize_name(getattr(self, field)))
        super().save(*args, **kwargs)


class RegisterCounter(models.Model):
    """The last number written in an issuer's register book for a year: the row issuing locks."""

    issuer = models.ForeignKey(
        IssuerProfile, verbose_name=_("đơn vị cấp"), on_delete=models.PROTECT, related_name="counters"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    last_number = models.PositiveIntegerField(_("số cuối cùng đã cấp"), default=0)

    class Meta:
        verbose_name = _("sổ cấp giấy chứng nhận")
        verbose_name_plural = _("sổ cấp giấy chứng nhận")
        ordering = ["issuer", "-year"]
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="register_counter_unique_year")]

    def __str__(self):
        return f"{self.issuer.register_suffix} {self.year}: {self.last_number}"


class CertificateQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return enrollment_scope(path, prefix="enrollment__")

    def own_filter(self, member_id):
        return Q(enrollment__member_id=member_id)

    def valid(self):
        return self.filter(status=Certificate.Status.VALID)

    def for_printing(self):
        """Everything the PDF template reads, in Vietnamese roster order."""
        return self.select_related("issuer", "enrollment__course").order_by(
            "enrollment__member__sort_key", "enrollment__member__birth_date", "year", "number"
        )


class Certificate(models.Model):
    """A completion certificate as issued: what it says is copied from the trainee, course and issuer on
    the day it is issued, so later corrections change nothing already printed (they take a replacement)."""

    class Status(models.TextChoices):
        VALID = "valid", _("Còn hiệu lực")
        REVOKED = "revoked", _("Đã thu hồi")

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("học viên của lớp"), on_delete=models.PROTECT, related_name="certificates"
    )
    issuer = models.ForeignKey(
        IssuerProfile, verbose_name=_("đơn vị cấp"), on_delete=models.PROTECT, related_name="certificates"
    )
    year = models.PositiveSmallIntegerField(_("năm vào sổ"))
    number = models.PositiveIntegerField(_("số thứ tự trong sổ"), validators=[MinValueValidator(1)])
    register_number = models.CharField(_("số vào sổ"), max_length=48, unique=True)
    verification_code = models.CharField(_("mã xác minh"), max_length=CODE_LENGTH, unique=True)
    issued_on = models.DateField(_("ngày cấp"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    holder_name = models.CharField(_("họ và tên người được cấp"), max_length=128)
    holder_birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    holder_post = models.CharField(_("chức vụ"), max_length=128, blank=True)
    holder_organization = models.CharField(_("tổ chức đảng"), max_length=255, blank=True)
    program_name = models.CharField(_("chương trình"), max_length=255)
    course_title = models.CharField(_("lớp"), max_length=400)
    grade = models.CharField(_("xếp loại"), max_length=16, choices=Grade.choices, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=128)
    signer_name = models.CharField(_("người ký"), max_length=128)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.VALID)
    revoke_reason = models.TextField(_("lý do thu hồi"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thu hồi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("thời điểm thu hồi"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("cấp thay cho"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    pdf = models.FileField(_("tệp PDF"), upload_to="certificates/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 của tệp PDF"), max_length=64, blank=True)
    history = HistoricalRecords()

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        ordering = ["-year", "issuer", "-number"]
        indexes = [models.Index(fields=["enrollment", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "number"], name="certificate_unique_register_number"),
            # Issuing twice, or two staff issuing at once, can never give one trainee two valid certificates.
            models.UniqueConstraint(
                fields=["enrollment"], condition=Q(status="valid"), name="certificate_one_valid_per_enrollment"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="certificate_number_positive"),
            models.CheckConstraint(
                condition=Q(status="valid", revoked_at__isnull=True)
                | (Q(status="revoked", revoked_at__isnull=False) & ~Q(revoke_reason="")),
                name="certificate_revocation_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.register_number} — {self.holder_name}"

    def get_absolute_url(self):
        return reverse("certificates:verify-detail", args=[self.verification_code])

    @property
    def verification_url(self):
        """The absolute address printed on the certificate and encoded in its QR code."""
        return settings.SITE_URL.rstrip("/") + self.get_absolute_url()

    @property
    def printed_code(self):
        return format_code(self.verification_code)

    @property
    def is_valid(self):
        return self.status == self.Status.VALID


class PrintJobQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return organized_for(path, prefix="course__")

    def expired(self, now=None):
        """Done jobs whose file is past PRINT_FILE_HOURS and not yet deleted."""
        cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.PRINT_FILE_HOURS)
        return self.filter(status=PrintJob.Status.DONE, finished_at__lte=cutoff).exclude(output="")


class PrintJob(BackgroundJob):
    """A course's certificates printed as one PDF or zipped, by a background task that reports progress. The file is
    kept PRINT_FILE_HOURS after it is done (it holds the holders' personal data), then deleted by `manage.py prune`."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("Một tệp PDF để in")
        ZIP = "zip", _("Tệp ZIP các PDF riêng")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang in")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Bị lỗi")
        EXPIRED = "expired", _("Đã hết hạn")

    course = models.ForeignKey(Course, verbose_name=_("lớp"), on_delete=models.PROTECT, related_name="print_jobs")
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("thời điểm yêu cầu"), auto_now_add=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("số giấy chứng nhận"), default=0)
    done = models.PositiveIntegerField(_("đã xử lý"), default=0)
    output = models.FileField(_("tệp kết quả"), upload_to="certificate-prints/", blank=True)
    finished_at = models.DateTimeField(_("thời điểm xong"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    objects = PrintJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt in giấy chứng nhận")
        verbose_name_plural = _("lượt in giấy chứng nhận")
        ordering = ["-requested_at"]
        constraints = [models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="print_job_progress")]

    def __str__(self):
        return f"{self.course.code} — {self.get_kind_display()} ({local_datetime_text(self.requested_at)})"

    @property
    def percent(self):
        return 100 * self.done // self.total if self.total else (100 if self.status == self.Status.DONE else 0)

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def expires_at(self):
        if self.finished_at is None or self.status != self.Status.DONE:
            return None
        return self.finished_at + datetime.timedelta(hours=settings.PRINT_FILE_HOURS)

    @property
    def is_downloadable(self):
        return self.status == self.Status.DONE and bool(self.output) and self.expires_at > timezone.now()
