"""Nominating members into courses and withdrawing them: scope, seat quotas, deadline, duplicates."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.history import attribute, change_reason, change_reason_length
from common.localtime import local_today
from courses import lifecycle
from courses.models import Course
from enrollments.models import AFFILIATED_DEPTH, Enrollment, SeatQuota
from enrollments.training import qualifying_programs, trained_members
from organizations.access import EVERYTHING, scope_of
from organizations.models import Appointment, Member, Organization
from organizations.permissions import may_nominate
from organizations.terms import default_period

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import QuerySet

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
    today = local_today()
    return courses.filter(status=Course.Status.OPEN, start_date__gt=today).filter(
        Q(nomination_deadline__isnull=True) | Q(nomination_deadline__gte=today)
    )


def with_seats_used(quotas: "QuerySet[SeatQuota]") -> "QuerySet[SeatQuota]":
    """Annotate each quota with `used`: the seats of its course taken by members of the quota's organization's
    sub-tree, whoever nominated them (the center, the committee's officer or a grassroots officer), in the same
    query."""
    used = (
        Enrollment.objects.filter(TAKEN)
        .filter(course=OuterRef("course"), member__organization__path__startswith=OuterRef("organization__path"))
        .order_by()
        .values("course")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return quotas.annotate(used=Coalesce(Subquery(used), 0))


def nominations_by_committee(course: Course, user: "User | AnonymousUser") -> list:
    """One row per affiliated committee the user may see with trainees in the course or a quota, and one per quota
    set lower down (a grassroots organization's), in tree order: the seats its sub-tree's members take, counted as
    the nomination rule counts them (whoever nominated), and its quota (None when it has none)."""
    return nominations_by_committee_of([course.pk], user).get(course.pk, [])


def nominations_by_committee_of(course_ids: Iterable[int], user: "User | AnonymousUser") -> dict[int, list]:
    """{course id: the rows of nominations_by_committee()} for several courses at once, in three queries whatever
    their number (the home page lists the classes whose nominations close soon)."""
    course_ids = list(course_ids)
    prefix = Organization.steplen * AFFILIATED_DEPTH
    counts = {
        (course_id, path): count
        for course_id, path, count in Enrollment.objects.for_user(user)
        .filter(TAKEN, course_id__in=course_ids, member__organization__depth__gte=AFFILIATED_DEPTH)
        .annotate(committee_path=Substr("member__organization__path", 1, prefix))
        .order_by()
        .values("course_id", "committee_path")
        .annotate(count=Count("pk"))
        .values_list("course_id", "committee_path", "count")
    }
    quotas: dict[tuple[int, str], Any] = {  # each annotated with `used`
        (quota.course_id, quota.organization.path): quota
        for quota in with_seats_used(SeatQuota.objects.for_user(user).filter(course_id__in=course_ids)).select_related(
            "organization"
        )
    }
    units = {path: quota.organization for (_course, path), quota in quotas.items()}
    units.update(
        Organization.objects.in_bulk(list({path for _course, path in counts} - units.keys()), field_name="path")
    )
    rows: dict[int, list] = {}
    for course_id, path in sorted(counts.keys() | quotas.keys()):
        quota = quotas.get((course_id, path))
        nominated = quota.used if quota is not None else counts.get((course_id, path), 0)
        seats = quota.seats if quota is not None else None
        remaining = None if seats is None else max(seats - nominated, 0)
        rows.setdefault(course_id, []).append(
            {"organization": units[path], "nominated": nominated, "seats": seats, "remaining": remaining}
        )
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
    enrollment = _ListRules(course, [member], scope, by, reason).admit(member, post)
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
    rules = _ListRules(course, [member for member, _post in requests], scope, by, reason)
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


class _ListRules:
    """The rules for members joining one course's list. What they need about the members is read once, in
    a fixed number of queries; admit() then checks one member and counts the seat it takes, so the
    members of a list are checked against each other as well as against the database."""

    def __init__(self, course, members, scope, by, reason=""):
        self.course = course
        self.scope = scope
        self.reason = reason
        ids = [member.pk for member in members]
        if scope.everything:
            self.visible = set(ids)
        else:
            self.visible = set(Member.objects.for_user(by).filter(pk__in=ids).values_list("pk", flat=True))
        self.listed = {e.member_id: e for e in Enrollment.objects.filter(course=course, member_id__in=ids)}
        self.appointments = _current_appointments(ids)
        self.period = default_period()
        self.trained = self._trained(ids)
        self.paths = dict(Member.objects.filter(pk__in=ids).values_list("pk", "organization__path"))
        self.units = self._nominating_units(ids)
        self.taken = Enrollment.objects.filter(TAKEN, course=course).count()
        self.quotas = list(with_seats_used(SeatQuota.objects.filter(course=course)).select_related("organization"))

    def _trained(self, member_ids):
        """member id -> the certificate that shows the member already trained in the current period, for what this
        course teaches: for a member holding a post this course's program qualifies for, a certificate of any
        program qualifying for that post (the question compliance asks); else one of this course's program.
        One definition (enrollments/training.py); a query per post at most."""
        qualifying = qualifying_programs()
        asked = defaultdict(list)
        for member_id in member_ids:
            appointment = self.appointments.get(member_id)
            post = appointment.post if appointment is not None and appointment.requires_training else ""
            programs = qualifying.get(post, [])
            key = tuple(programs) if self.course.program_id in programs else (self.course.program_id,)
            asked[key].append(member_id)
        trained = {}
        for programs, ids in asked.items():
            trained.update(trained_members(ids, programs, self.period))
        return trained

    def _nominating_units(self, member_ids):
        """member id -> who the nomination counts for: the officer's own organization, or, when the center
        nominates, the member's affiliated committee (the member's own node above that level)."""
        if not self.scope.everything:
            unit = Organization.objects.get(path=self.scope.path)
            return defaultdict(lambda: unit)
        prefix = Organization.steplen * AFFILIATED_DEPTH
        paths = self.paths
        committees = Organization.objects.in_bulk({path[:prefix] for path in paths.values()}, field_name="path")
        return {member_id: committees[path[:prefix]] for member_id, path in paths.items()}

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
        quotas = self._check_seats(member, nominated_by)

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
        for quota in quotas:
            quota.used += 1
        return enrollment

    def _check_not_completed_this_term(self, member):
        proof = self.trained.get(member.pk)
        if proof is not None:
            raise _error(
                "member",
                _(
                    "Đồng chí %(name)s đã được cấp giấy chứng nhận số %(number)s (lớp %(code)s, ngày %(date)s) "
                    "trong %(period)s."
                ),
                name=member.full_name,
                number=proof.register_number,
                code=proof.course_code,
                date=date_format(proof.issued_on, "SHORT_DATE_FORMAT"),
                period=self.period.label,
            )

    def _check_seats(self, member, nominated_by):
        """The quotas the member's seat counts against: every quota set on the member's organization or an
        ancestor of it (a grassroots quota inside its committee's). When the course has quotas, an officer is
        refused past any of them, or when none holds for the member; the center may go past them only with a
        written reason, kept in the history (never silently)."""
        course = self.course
        if self.taken >= course.capacity:
            raise _error(
                "course", _("Lớp %(code)s đã đủ %(capacity)d học viên."), code=course.code, capacity=course.capacity
            )
        if not self.quotas:
            return []
        path = self.paths.get(member.pk, "")
        chain = [quota for quota in self.quotas if path.startswith(quota.organization.path)]
        refusal = None
        if not chain:
            refusal = _error(
                "course",
                _("%(organization)s không có chỉ tiêu cử học viên vào lớp %(code)s."),
                organization=nominated_by.name,
                code=course.code,
            )
        for quota in chain:
            if refusal is None and quota.used >= quota.seats:
                refusal = _error(
                    "course",
                    _("%(organization)s đã cử đủ %(seats)d chỉ tiêu của lớp %(code)s."),
                    organization=quota.organization.name,
                    seats=quota.seats,
                    code=course.code,
                )
        if refusal is None:
            return chain
        if not self.scope.everything:
            raise refusal
        if not self.reason:
            raise _error(
                "reason",
                _("%(refusal)s Trung tâm cử vượt chỉ tiêu phải ghi lý do."),
                refusal=refusal.message_dict["course"][0],
            )
        return chain


def _save_with_reason(enrollment, by, reason):
    attribute(enrollment, by=by, reason=reason)
    enrollment.save()


def _error(field, message, **params):
    return ValidationError({field: ValidationError(message, params=params)})
