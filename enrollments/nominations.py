"""Nominating members into courses and withdrawing them: scope, seat quotas, deadline, duplicates."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.history import attribute, change_reason, change_reason_length
from courses import lifecycle
from courses.models import Course
from enrollments.models import Enrollment, SeatQuota
from organizations.access import EVERYTHING, scope_of
from organizations.models import Appointment, Member, Organization
from organizations.permissions import may_nominate

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import QuerySet

AFFILIATED_DEPTH = 2  # the bloc is depth 1; its affiliated committees are depth 2
TAKEN = ~Q(status=Enrollment.Status.WITHDRAWN)  # an enrollment that holds a seat
# A reason is kept as the history record's change reason, a column of bounded length.
REASON_MAX_LENGTH = change_reason_length(Enrollment)


# -- Reads --------------------------------------------------------------------------------------


def courses_open_for_nomination(user: "User | AnonymousUser") -> "QuerySet[Course]":
    """Courses the user may nominate into: for officers, their open courses before the deadline;
    for the center, every course not closed yet."""
    scope = scope_of(user)
    courses = Course.objects.for_user(user).select_related("program")
    if scope.everything:
        return courses.exclude(status__in=lifecycle.READ_ONLY)
    if scope.path is None:
        return courses.none()
    # The phase "open" of courses.lifecycle.phase(), as a filter: open, before the deadline and the start.
    today = lifecycle.today_here()
    return courses.filter(status=Course.Status.OPEN, start_date__gt=today).filter(
        Q(nomination_deadline__isnull=True) | Q(nomination_deadline__gte=today)
    )


def with_seats_used(quotas: "QuerySet[SeatQuota]") -> "QuerySet[SeatQuota]":
    """Annotate each quota with `used`: the seats of its course taken by nominations from inside
    the quota's organization, in the same query."""
    used = (
        Enrollment.objects.filter(TAKEN)
        .filter(course=OuterRef("course"), nominated_by__path__startswith=OuterRef("organization__path"))
        .order_by()
        .values("course")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return quotas.annotate(used=Coalesce(Subquery(used), 0))


def nominations_by_committee(course: Course, user: "User | AnonymousUser") -> list:
    """One row per affiliated committee the user may see: its nominations to the course and the
    quota set for it (None when it has none)."""
    prefix = Organization.steplen * AFFILIATED_DEPTH
    counts = dict(
        Enrollment.objects.for_user(user)
        .filter(TAKEN, course=course, nominated_by__isnull=False)
        .annotate(committee_path=Substr("nominated_by__path", 1, prefix))
        .order_by()
        .values("committee_path")
        .annotate(count=Count("pk"))
        .values_list("committee_path", "count")
    )
    quotas = {
        quota.organization.path: quota
        for quota in SeatQuota.objects.for_user(user)
        .filter(course=course, organization__depth=AFFILIATED_DEPTH)
        .select_related("organization")
    }
    committees = Organization.objects.filter(path__in=counts.keys() | quotas.keys()).order_by("path")
    rows = []
    for committee in committees:
        nominated = counts.get(committee.path, 0)
        seats = quotas[committee.path].seats if committee.path in quotas else None
        remaining = None if seats is None else max(seats - nominated, 0)
        rows.append({"organization": committee, "nominated": nominated, "seats": seats, "remaining": remaining})
    return rows


def is_locked(course: Course, today: datetime.date | None = None) -> bool:
    """After the nomination deadline only the center changes the list, with a reason."""
    deadline = course.nomination_deadline
    return deadline is not None and (today or timezone.localdate()) > deadline


# -- Writes -------------------------------------------------------------------------------------


@transaction.atomic
def nominate(course: Course, member: Member, *, by: "User | None", post: str = "", reason: str = "") -> Enrollment:
    """Enroll `member` in `course` on behalf of `by`; the nomination rules are those of nominate_many().

    Raises ValidationError (keyed by course, member, post or reason) with the rule that refuses.
    A member withdrawn earlier is enrolled again on the same row, so the history stays in one place.
    """
    scope = _staff_scope(by)
    course, reason = _open_list(course, by, scope, reason)
    enrollment = _ListRules(course, [member], scope, by).admit(member, post)
    enrollment.full_clean()
    _save_with_reason(enrollment, by, reason)
    return enrollment


@transaction.atomic
def nominate_many(
    course: Course, requests: Iterable[tuple[Member, str]], *, by: "User | None", reason: str = ""
) -> list[Enrollment | ValidationError]:
    """Nominate a list of members at once (an imported list) under the rules of nominate(), reading and
    writing in a fixed number of queries whatever the list's length.

    requests are (member, post) pairs, post "" for the member's current post. Returns one outcome per
    request, in order: the Enrollment written, or the ValidationError that refuses it
    (is_already_listed() tells a member already on the list). What refuses the whole list — the course
    closed, past its deadline, not the user's — is raised. `by` None is the command line, with the
    center's rights.
    """
    scope = EVERYTHING if by is None else _staff_scope(by)
    course, reason = _open_list(course, by, scope, reason)
    rules = _ListRules(course, [member for member, _post in requests], scope, by)
    outcomes: list = []
    new: list[Enrollment] = []
    again: list[Enrollment] = []
    for member, post in requests:
        try:
            enrollment = rules.admit(member, post)
        except ValidationError as refusal:
            outcomes.append(refusal)
            continue
        (again if enrollment.pk else new).append(enrollment)
        outcomes.append(enrollment)
    # Every row is built from checked objects and the database's constraints stand behind them;
    # full_clean() would read the database once per row.
    history = {"default_user": by, "default_change_reason": change_reason(Enrollment, reason)}
    bulk_create_with_history(new, Enrollment, **history)
    if again:
        bulk_update_with_history(again, Enrollment, RENOMINATED_FIELDS, **history)
    return outcomes


def is_already_listed(error: Exception) -> bool:
    """Whether a refusal of nominate_many() is for a member already on the course's list."""
    return any(inner.code == "already_listed" for inner in getattr(error, "error_dict", {}).get("member", []))


@transaction.atomic
def withdraw(enrollment: Enrollment, *, by: "User | None", reason: str = "") -> Enrollment:
    """Take a trainee off a course's list; the seat frees up for the committee that nominated."""
    scope = _staff_scope(by)
    course = _locked(enrollment.course)
    reason = _checked_reason(reason)
    enrollment = Enrollment.objects.for_user(by).select_related("member").filter(pk=enrollment.pk).first()
    if enrollment is None:
        raise PermissionDenied(_("Học viên này không thuộc phạm vi của tài khoản."))
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        raise ValidationError(
            _("Đồng chí %(name)s đã rút khỏi lớp %(code)s."),
            params={"name": enrollment.member.full_name, "code": course.code},
        )
    _check_list_open(course, scope, reason)
    enrollment.status = Enrollment.Status.WITHDRAWN
    _save_with_reason(enrollment, by, reason)
    return enrollment


# -- The rules, each once -----------------------------------------------------------------------

# What nominating a withdrawn member again rewrites on their row.
RENOMINATED_FIELDS = [
    "nominated_by",
    "post",
    "status",
    "grade",
    "result_reasons",
    "override_reason",
    "attended_percent",
    "result_overridden",
]


def _staff_scope(user):
    """The scope of the staff user changing a list; a change is a person's here (nominate_many takes the command
    line's)."""
    if user is None or not may_nominate(user):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm và cán bộ đảng ủy được cử học viên."))
    return scope_of(user)


def _locked(course):
    # Every change to a course's list takes the course row first, so two officers cannot both take
    # the last seat and a list is never changed while the course is being closed.
    return Course.objects.select_for_update().get(pk=course.pk)


def _open_list(course, by, scope, reason):
    """The course, locked, if its list may be changed by `by` now; the reason, checked."""
    course = _locked(course)
    reason = _checked_reason(reason)
    if by is not None and not Course.objects.for_user(by).filter(pk=course.pk).exists():
        raise _error("course", _("Lớp %(code)s không dành cho đơn vị của đồng chí."), code=course.code)
    _check_list_open(course, scope, reason)
    return course, reason


def _checked_reason(reason):
    reason = (reason or "").strip()
    if REASON_MAX_LENGTH and len(reason) > REASON_MAX_LENGTH:
        raise _error("reason", _("Lý do dài tối đa %(limit)d ký tự."), limit=REASON_MAX_LENGTH)
    return reason


def _check_list_open(course, scope, reason):
    lifecycle.ensure_editable(course, field="course")
    locked = is_locked(course)
    if scope.everything:
        if locked and not reason:
            raise _error(
                "reason",
                _("Danh sách lớp %(code)s đã khóa từ sau ngày %(deadline)s; hãy ghi lý do thay đổi."),
                code=course.code,
                deadline=date_format(course.nomination_deadline, "SHORT_DATE_FORMAT"),
            )
        return
    if locked:
        raise _error(
            "course",
            _("Đã quá hạn cử học viên của lớp %(code)s (%(deadline)s); chỉ Trung tâm được thay đổi danh sách."),
            code=course.code,
            deadline=date_format(course.nomination_deadline, "SHORT_DATE_FORMAT"),
        )
    if lifecycle.phase(course) != lifecycle.Phase.OPEN:
        raise _error("course", _("Lớp %(code)s không trong thời gian nhận cử học viên."), code=course.code)


def _current_appointments(member_ids):
    """member id -> the post the member holds now, a post that requires training first."""
    current = {}
    appointments = Appointment.objects.filter(member_id__in=member_ids, is_current=True)
    for appointment in appointments.order_by("-requires_training", "-start_date"):
        current.setdefault(appointment.member_id, appointment)
    return current


def _term(appointment, today=None):
    if appointment is not None:
        return appointment.start_date, appointment.end_date, _("nhiệm kỳ %(term)s") % {"term": appointment.term_label}
    year = (today or timezone.localdate()).year
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31), _("năm %(year)d") % {"year": year}


class _ListRules:
    """The rules for members joining one course's list. What they need about the members is read once, in
    a fixed number of queries; admit() then checks one member and counts the seat it takes, so the
    members of a list are checked against each other as well as against the database."""

    def __init__(self, course, members, scope, by):
        self.course = course
        self.scope = scope
        ids = [member.pk for member in members]
        if scope.everything:
            self.visible = set(ids)
        else:
            self.visible = set(Member.objects.for_user(by).filter(pk__in=ids).values_list("pk", flat=True))
        self.listed = {e.member_id: e for e in Enrollment.objects.filter(course=course, member_id__in=ids)}
        self.appointments = _current_appointments(ids)
        # Completing the program stands in for holding a valid certificate until certificates exist;
        # this is the one place to change when they do.
        self.completions = defaultdict(list)
        completed = (
            Enrollment.objects.filter(
                member_id__in=ids, course__program_id=course.program_id, status=Enrollment.Status.COMPLETED
            )
            .exclude(course=course)
            .select_related("course")
            .order_by("-course__end_date")
        )
        for enrollment in completed:
            self.completions[enrollment.member_id].append(enrollment)
        self.units = self._nominating_units(ids)
        self.taken = Enrollment.objects.filter(TAKEN, course=course).count()
        self.quotas = None if scope.everything else self._quota_chain()

    def _nominating_units(self, member_ids):
        """member id -> who the nomination counts for: the officer's own organization, or, when the center
        nominates, the member's affiliated committee (the member's own node above that level)."""
        if not self.scope.everything:
            unit = Organization.objects.get(path=self.scope.path)
            return defaultdict(lambda: unit)
        prefix = Organization.steplen * AFFILIATED_DEPTH
        paths = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "organization__path"))
        committees = Organization.objects.in_bulk({path[:prefix] for path in paths.values()}, field_name="path")
        return {member_id: committees[path[:prefix]] for member_id, path in paths.items()}

    def _quota_chain(self):
        """The quotas that hold for the officer's organization: its own and each ancestor's down from its
        affiliated committee, all at once (a grassroots quota lives inside its committee's). None when the
        course has no quotas; [] when it has some, but none for this organization."""
        steplen = Organization.steplen
        path = self.scope.path
        chain = [path[:end] for end in range(steplen * AFFILIATED_DEPTH, len(path) + 1, steplen)]
        if not SeatQuota.objects.filter(course=self.course).exists():
            return None
        return list(
            with_seats_used(SeatQuota.objects.filter(course=self.course, organization__path__in=chain)).select_related(
                "organization"
            )
        )

    def admit(self, member, post=""):
        """The enrollment that puts the member on the list (not saved), or the ValidationError that refuses."""
        course = self.course
        if member.pk not in self.visible:
            raise _error(
                "member",
                _("Đồng chí %(name)s không thuộc tổ chức đảng do tài khoản này phụ trách."),
                name=member.full_name,
            )
        enrollment = self.listed.get(member.pk)
        if enrollment is not None and enrollment.status != Enrollment.Status.WITHDRAWN:
            error = ValidationError(
                _("Đồng chí %(name)s đã có tên trong lớp %(code)s."),
                code="already_listed",
                params={"name": member.full_name, "code": course.code},
            )
            raise ValidationError({"member": error})
        self._check_not_completed_this_term(member)
        nominated_by = self.units[member.pk]
        self._check_seats(nominated_by)

        appointment = self.appointments.get(member.pk)
        if not post and appointment is not None and appointment.requires_training:
            post = appointment.post
        enrollment = enrollment or Enrollment(course=course, member=member)
        enrollment.nominated_by = nominated_by
        enrollment.post = post
        enrollment.status = Enrollment.Status.REGISTERED
        # A result set before the member was withdrawn belongs to that earlier stay, not to this one.
        enrollment.grade = enrollment.result_reasons = enrollment.override_reason = ""
        enrollment.attended_percent = None
        enrollment.result_overridden = False
        self.listed[member.pk] = enrollment
        self.taken += 1
        for quota in self.quotas or []:
            quota.used += 1
        return enrollment

    def _check_not_completed_this_term(self, member):
        start, end, label = _term(self.appointments.get(member.pk))
        for earlier in self.completions[member.pk]:
            ended = earlier.course.end_date
            if ended >= start and (end is None or ended <= end):
                raise _error(
                    "member",
                    _(
                        "Đồng chí %(name)s đã hoàn thành chương trình này tại lớp %(code)s "
                        "(bế giảng ngày %(end)s), trong %(term)s."
                    ),
                    name=member.full_name,
                    code=earlier.course.code,
                    end=date_format(ended, "SHORT_DATE_FORMAT"),
                    term=label,
                )

    def _check_seats(self, nominated_by):
        course = self.course
        if self.taken >= course.capacity:
            raise _error(
                "course", _("Lớp %(code)s đã đủ %(capacity)d học viên."), code=course.code, capacity=course.capacity
            )
        if self.quotas is None:
            return
        if not self.quotas:
            raise _error(
                "course",
                _("%(organization)s không có chỉ tiêu cử học viên vào lớp %(code)s."),
                organization=nominated_by.name,
                code=course.code,
            )
        for quota in self.quotas:
            if quota.used >= quota.seats:
                raise _error(
                    "course",
                    _("%(organization)s đã cử đủ %(seats)d chỉ tiêu của lớp %(code)s."),
                    organization=quota.organization.name,
                    seats=quota.seats,
                    code=course.code,
                )


def _save_with_reason(enrollment, by, reason):
    attribute(enrollment, by=by, reason=reason)
    enrollment.save()


def _error(field, message, **params):
    return ValidationError({field: ValidationError(message, params=params)})
