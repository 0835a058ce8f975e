"""The party tree, its members, their posts, and the officers who keep a sub-tree."""

import operator
from collections.abc import Iterable
from functools import reduce

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from common.localtime import local_datetime_text, local_today
from common.vietnamese import normalize_name, search_key, sort_key
from organizations.access import ScopedQuerySet


class OrganizationQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(path__startswith=path)

    def path_labels(self):
        """{path: "Đảng ủy … › Đảng bộ … › Chi bộ …"} for these organizations, read in one query, for
        exports that show where a row sits. The bloc itself is left out: every row is inside it."""
        labels = {}
        for path, name, depth in self.order_by("path").values_list("path", "name", "depth"):
            if depth == 1:
                continue
            parent = labels.get(path[: -Organization.steplen])
            labels[path] = f"{parent} › {name}" if parent else name
        return labels

    def upward_labels(self, paths):
        """{path: "Chi bộ … › Đảng bộ … › Đảng ủy …"} for these treebeard paths: the organization, then each
        parent up to the affiliated committee (the bloc left out), read in one query for any number of paths, as
        a picker tells namesakes apart."""
        above_bloc = {path: Organization.path_prefixes(path)[1:] for path in paths}
        wanted = {prefix for prefixes in above_bloc.values() for prefix in prefixes}
        names = dict(self.filter(path__in=wanted).values_list("path", "name")) if wanted else {}
        return {
            path: " › ".join(names[prefix] for prefix in reversed(prefixes) if prefix in names)
            for path, prefixes in above_bloc.items()
        }


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self):
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node):
    class Kind(models.TextChoices):
        BLOC = "bloc", _("Đảng bộ Khối")
        AFFILIATED_COMMITTEE = "affiliated_committee", _("Đảng ủy trực thuộc")
        GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
        GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
        PARTIAL_COMMITTEE = "partial_committee", _("Đảng bộ bộ phận")
        CELL = "cell", _("Chi bộ")

    kind = models.CharField(_("loại"), max_length=32, choices=Kind.choices)
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=64, blank=True)
    can_self_organize = models.BooleanField(
        _("được tự mở lớp"),
        default=False,
        help_text=_("Tổ chức này được tự tổ chức các lớp bồi dưỡng của mình."),
    )
    search_key = models.CharField(_("khóa tìm kiếm"), max_length=255, editable=False, db_index=True)

    objects = OrganizationManager()

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_keys()
        super().save(*args, **kwargs)

    def fill_keys(self):
        """Normalize the name and derive its search key; bulk writers call this too."""
        self.name = normalize_name(self.name)
        self.search_key = search_key(self.name)

    @classmethod
    def path_prefixes(cls, path):
        """The paths of a node and of each of its ancestors, the root's first."""
        return [path[:end] for end in range(cls.steplen, len(path) + 1, cls.steplen)]


class MemberQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(organization__path__startswith=path)

    def own_filter(self, member_id):
        return Q(pk=member_id)

    def search(self, term):
        return self.filter(search_key__contains=search_key(term))

    def count_by_subtree(self, paths: Iterable[str]) -> dict[str, int]:
        """{path: how many of these members belong to the organization at that treebeard path or below it}, in one
        grouped query: the members of the sub-trees asked about are counted by organization, and each
        organization's count is added to every asked-about path above it."""
        counts = dict.fromkeys(paths, 0)
        tops: list[str] = []  # the asked-about paths with no other one above them; sorted, a sub-tree is a run
        for path in sorted(counts):
            if not tops or not path.startswith(tops[-1]):
                tops.append(path)
        if not tops:
            return counts
        within = reduce(operator.or_, (Q(organization__path__startswith=top) for top in tops))
        by_organization = self.filter(within).order_by().values_list("organization__path").annotate(Count("pk"))
        for path, count in by_organization:
            for prefix in Organization.path_prefixes(path):
                if prefix in counts:
                    counts[prefix] += count
        return counts

    def roster_order(self):
        return self.order_by("sort_key", "birth_date", "pk")


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")

    full_name = models.CharField(_("họ và tên"), max_length=128)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=8, choices=Gender.choices, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("tổ chức đảng"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    workplace = models.CharField(_("đơn vị công tác"), max_length=255, blank=True)
    job_title = models.CharField(_("chức danh"), max_length=255, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )
    search_key = models.CharField(_("khóa tìm kiếm"), max_length=128, editable=False, db_index=True)
    sort_key = models.CharField(_("khóa sắp xếp"), max_length=512, editable=False, db_index=True)
    history = HistoricalRecords()

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        ordering = ["sort_key", "birth_date", "pk"]
        # The staff search finds a member by a whole email address or phone number (organizations/admin.py).
        indexes = [
            models.Index(Upper("email"), name="member_email_upper"),
            models.Index(fields=["phone"], name="member_phone"),
        ]

    def __str__(self):
        if self.birth_date:
            return f"{self.full_name} ({self.birth_date:%d/%m/%Y})"
        return self.full_name

    def save(self, *args, **kwargs):
        self.fill_keys()
        super().save(*args, **kwargs)

    def fill_keys(self):
        """Normalize the name and derive its search and sort keys; bulk writers call this too."""
        self.full_name = normalize_name(self.full_name)
        self.search_key = search_key(self.full_name)
        self.sort_key = sort_key(self.full_name)


class Post(models.TextChoices):
    SECRETARY = "secretary", _("Bí thư")
    DEPUTY_SECRETARY = "deputy_secretary", _("Phó Bí thư")
    STANDING_MEMBER = "standing_member", _("Ủy viên Ban Thường vụ")
    COMMITTEE_MEMBER = "committee_member", _("Cấp ủy viên")


class AppointmentQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(organization__path__startswith=path)

    def own_filter(self, member_id):
        return Q(member_id=member_id)

    def current(self):
        return self.filter(is_current=True)


class Appointment(models.Model):
    member = models.ForeignKey(
        Member, verbose_name=_("đảng viên"), on_delete=models.PROTECT, related_name="appointments"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("tổ chức đảng"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    post = models.CharField(_("chức vụ"), max_length=32, choices=Post.choices)
    term_label = models.CharField(_("nhiệm kỳ"), max_length=32, help_text=_("Ví dụ: 2020–2025"))
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)
    requires_training = models.BooleanField(_("phải bồi dưỡng"), default=True)
    is_current = models.BooleanField(_("đang đảm nhiệm"), default=True)
    history = HistoricalRecords()

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("chức vụ trong nhiệm kỳ")
        verbose_name_plural = _("chức vụ trong nhiệm kỳ")
        ordering = ["organization__path", "post", "-start_date"]
        indexes = [models.Index(fields=["organization", "is_current", "post"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="appointment_end_after_start",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu."),
            ),
        ]

    def __str__(self):
        return f"{self.member.full_name} — {self.get_post_display()} {self.organization} ({self.term_label})"

    def end(self, on=None):
        """Close this post when its holder leaves it; the row stays as history."""
        self.end_date = on or timezone.localdate()
        self.is_current = False
        self.full_clean()
        self.save(update_fields=["end_date", "is_current"])


class OfficerQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(organization__path__startswith=path)


class Officer(models.Model):
    """A staff login attached to one organization: it sees and keeps that sub-tree only.

    The center's own staff are attached to the root (the bloc), so they see everything.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="officer",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("tổ chức đảng"),
        on_delete=models.PROTECT,
        related_name="officers",
    )

    objects = OfficerQuerySet.as_manager()

    class Meta:
        verbose_name = _("cán bộ phụ trách")
        verbose_name_plural = _("cán bộ phụ trách")
        ordering = ["organization__path", "user__username"]

    def __str__(self):
        return f"{self.user.get_username()} — {self.organization}"


class ImportRecordQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(organization__path__startswith=path)


class ImportRecord(models.Model):
    """An uploaded workbook kept between its preview and its import, and what the import did.

    The file is stored once per content, under its SHA-256; a file imported once for a target is not
    imported again (its rows' natural keys would find nothing to change anyway).
    """

    class Kind(models.TextChoices):
        ORGANIZATIONS = "organizations", _("Cây tổ chức, đảng viên và chức vụ")
        NOMINATIONS = "nominations", _("Danh sách cử đi học")

    code = models.CharField(_("mã"), max_length=32, unique=True, editable=False)
    kind = models.CharField(_("loại"), max_length=32, choices=Kind.choices)
    target = models.CharField(
        _("đối tượng"), max_length=64, blank=True, help_text=_("Mã lớp, với danh sách cử đi học.")
    )
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, db_index=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    # Emptied when the file is deleted after IMPORT_FILE_DAYS (uploads.expire_uploads).
    stored_name = models.CharField(_("tệp lưu trữ"), max_length=255, blank=True)
    options = models.JSONField(_("lựa chọn"), default=dict, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("tổ chức đảng"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("thời gian tải lên"), auto_now_add=True)
    imported_at = models.DateTimeField(_("thời gian nhập"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.JSONField(_("kết quả"), default=dict, blank=True)

    objects = ImportRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần nhập từ Excel")
        verbose_name_plural = _("lần nhập từ Excel")
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target", "sha256"],
                condition=Q(imported_at__isnull=False),
                name="import_record_imported_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.file_name}"


class AppendOnlyError(Exception):
    """A change or delete of an access-log row was asked for."""


class AccessLogQuerySet(models.QuerySet):
    """Rows of the access log can only be added: bulk changes and deletes are refused, except the pruning of rows
    past their retention (organizations/access_log.py prune_access_log), which deletes through _prune()."""

    def update(self, **kwargs):
        raise AppendOnlyError(_("Nhật ký truy cập không sửa được."))

    def delete(self):
        raise AppendOnlyError(_("Nhật ký truy cập không xóa được."))

    def _prune(self):
        return super().delete()


class AccessLog(models.Model):
    """One read of personal data: who viewed a member's page, exported a list or workbook, or downloaded a
    certificate PDF, an import's error report or their own data; when, from which address, and what was read. An
    early unlock of locked-out logins is written here too (organizations/lockouts.py), naming who unlocked which.

    Party membership is sensitive personal data (Law 91/2025/QH15 on personal data protection): the log shows
    who read whose. Rows are written by record_access() and removed only by prune_access_log()."""

    class Action(models.TextChoices):
        VIEW_MEMBER = "view_member", _("Xem trang đảng viên")
        VIEW_MEMBER_HISTORY = "view_member_history", _("Xem lịch sử đảng viên")
        EXPORT = "export", _("Xuất danh sách, báo cáo")
        CERTIFICATE_PDF = "certificate_pdf", _("Tải giấy chứng nhận")
        IMPORT_REPORT = "import_report", _("Tải báo cáo lỗi tệp nhập")
        OWN_DATA = "own_data", _("Tải dữ liệu của mình")
        UNLOCK_LOGIN = "unlock_login", _("Mở khóa đăng nhập")

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người truy cập"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    # Kept as written: the log still names who read when the account is renamed or removed.
    username = models.CharField(_("tên đăng nhập"), max_length=150, editable=False)
    action = models.CharField(_("việc"), max_length=32, choices=Action.choices, editable=False)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("loại đối tượng"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
    )
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True, editable=False)
    object_label = models.CharField(_("đối tượng"), max_length=255, blank=True, editable=False)
    parameters = models.JSONField(_("tham số"), default=dict, blank=True, editable=False)
    client_address = models.GenericIPAddressField(_("địa chỉ máy"), null=True, editable=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        ordering = ["-at", "-pk"]
        # Seeing the log is a permission of its own; nobody may add, change or delete a row.
        default_permissions = ["view"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="access_log_object")]

    def __str__(self):
        return f"{local_datetime_text(self.at)} {self.username} — {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("Nhật ký truy cập không sửa được."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Nhật ký truy cập không xóa được."))


class Term(models.Model):
    """A term of the bloc's party committees (2020–2025, 2025–2030, …): it runs from its start until the next
    term's start; the last one has no end yet. The current term is the one today falls in (organizations/terms.py);
    compliance counts certificates within it."""

    name = models.CharField(_("nhiệm kỳ"), max_length=32, unique=True, help_text=_("Ví dụ: 2025–2030"))
    start = models.DateField(
        _("bắt đầu từ ngày"),
        unique=True,
        help_text=_("Nhiệm kỳ kéo dài đến ngày bắt đầu của nhiệm kỳ sau."),
    )

    class Meta:
        verbose_name = _("nhiệm kỳ")
        verbose_name_plural = _("nhiệm kỳ")
        ordering = ["start"]

    def __str__(self):
        return self.name


class LockedOutLogin(AccessAttempt):
    """django-axes' count of failed logins for one username from one client address, as the center's staff see
    the locked-out ones (organizations/lockouts.py) and unlock them."""

    class Meta:
        proxy = True
        verbose_name = _("đăng nhập bị tạm khóa")
        verbose_name_plural = _("đăng nhập bị tạm khóa")
        default_permissions = ("view",)
        permissions = [("unlock_lockedoutlogin", _("Có thể mở khóa đăng nhập bị tạm khóa"))]

    def __str__(self):
        return f"{self.username} — {self.ip_address}"


class ClassAuthorizationQuerySet(ScopedQuerySet):
    def subtree_filter(self, path):
        return Q(organization__path__startswith=path)

    def in_force(self, today=None):
        """The authorizations not revoked on `today` (default: today in Asia/Ho_Chi_Minh)."""
        today = today or local_today()
        return self.filter(decision_date__lte=today).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=today))


class ClassAuthorization(models.Model):
    """The center's decision that an affiliated committee runs classes itself (lớp do đảng ủy tự tổ chức): its
    officers then open classes with the committee as organizer (organizations/permissions.py may_run_own_classes).
    Revoking it stops new classes; the classes already run keep their records."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("đảng ủy được giao"),
        on_delete=models.PROTECT,
        related_name="class_authorizations",
    )
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decision_date = models.DateField(_("ngày quyết định"))
    revoked_on = models.DateField(_("thu hồi từ ngày"), null=True, blank=True)

    history = HistoricalRecords()

    objects = ClassAuthorizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định giao tự tổ chức lớp")
        verbose_name_plural = _("quyết định giao tự tổ chức lớp")
        ordering = ["organization__path", "-decision_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=F("decision_date")),
                name="class_authorization_revoked_after_decision",
            ),
        ]

    def __str__(self):
        return f"{self.decision_number} — {self.organization}"

    def clean(self):
        if self.organization_id and self.organization.depth == 1:
            raise ValidationError({"organization": _("Trung tâm tự tổ chức lớp của mình: chỉ giao cho đảng ủy.")})
        if self.revoked_on and self.decision_date and self.revoked_on < self.decision_date:
            raise ValidationError({"revoked_on": _("Ngày thu hồi không được trước ngày quyết định.")})
