"""Nominating members into courses and withdrawing them: scope, seat quotas, deadline, duplicates."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import Course
from enrollments.models import Enrollment, SeatQuota
from organizations.access import scope_of
from organizations.models import Member, Organization

AFFILIATED_DEPTH = 2  # the bloc is depth 1; its affiliated committees are depth 2
TAKEN = ~Q(status=Enrollment.Status.WITHDRAWN)  # an enrollment that holds a seat
# A reason is kept as the history record's change reason, a column of bounded length.
REASON_MAX_LENGTH = Enrollment.history.model._meta.get_field("history_change_reason").max_length


# -- Reads --------------------------------------------------------------------------------------


def courses_open_for_nomination(user):
    """Courses the user may nominate into: for officers, their open courses before the deadline;
    for the center, every course not closed yet."""
    scope = scope_of(user)
    courses = Course.objects.for_user(user).select_related("program")
    if scope.everything:
        return courses.exclude(status=Course.Status.CLOSED)
    if scope.path is None:
        return courses.none()
    return courses.filter(status=Course.Status.OPEN).filter(
        Q(nomination_deadline__isnull=True) | Q(nomination_deadline__gte=timezone.localdate())
    )


def with_seats_used(quotas):
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


def nominations_by_committee(course, user):
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


def is_locked(course, today=None):
    """After the nomination deadline only the center changes the list, with a reason."""
    deadline = course.nomination_deadline
    return deadline is not None and (today or timezone.localdate()) > deadline


# -- Writes -------------------------------------------------------------------------------------


@transaction.atomic
def nominate(course, member, *, by, post="", reason=""):
    """Enroll `member` in `course` on behalf of `by`; the one place for the nomination rules.

    Raises ValidationError (keyed by course, member, post or reason) with the rule that refuses.
    A member withdrawn earlier is enrolled again on the same row, so the history stays in one place.
    """
    scope = _staff_scope(by)
    course = _locked(course)
    reason = _checked_reason(reason)
    if not Course.objects.for_user(by).filter(pk=course.pk).exists():
        raise _error("course", _("Lớp %(code)s không dành cho đơn vị của đồng chí."), code=course.code)
    if not scope.everything and not Member.objects.for_user(by).filter(pk=member.pk).exists():
        raise _error(
            "member",
            _("Đồng chí %(name)s không thuộc tổ chức đảng do tài khoản này phụ trách."),
            name=member.full_name,
        )
    _check_list_open(course, scope, reason)

    enrollment = Enrollment.objects.filter(course=course, member=member).first()
    if enrollment is not None and enrollment.status != Enrollment.Status.WITHDRAWN:
        raise _error(
            "member", _("Đồng chí %(name)s đã có tên trong lớp %(code)s."), name=member.full_name, code=course.code
        )
    _check_not_completed_this_term(course, member)

    nominated_by = _nominating_unit(member, scope)
    _check_seats(course, scope, nominated_by)

    appointment = _current_appointment(member)
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
    enrollment.full_clean()
    _save_with_reason(enrollment, by, reason)
    return enrollment


@transaction.atomic
def withdraw(enrollment, *, by, reason=""):
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


def _staff_scope(user):
    scope = scope_of(user)
    if not scope.is_staff_scope:
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm và cán bộ đảng ủy được cử học viên."))
    return scope


def _locked(course):
    # Every change to a course's list takes the course row first, so two officers cannot both take
    # the last seat and a list is never changed while the course is being closed.
    return Course.objects.select_for_update().get(pk=course.pk)


def _checked_reason(reason):
    reason = (reason or "").strip()
    if REASON_MAX_LENGTH and len(reason) > REASON_MAX_LENGTH:
        raise _error("reason", _("Lý do dài tối đa %(limit)d ký tự."), limit=REASON_MAX_LENGTH)
    return reason


def _check_list_open(course, scope, reason):
    if course.status == Course.Status.CLOSED:
        raise _error("course", _("Lớp %(code)s đã kết thúc."), code=course.code)
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
    if course.status != Course.Status.OPEN:
        raise _error("course", _("Lớp %(code)s không trong thời gian nhận cử học viên."), code=course.code)


def _current_appointment(member):
    """The post the member holds now, a post that requires training first."""
    return member.appointments.filter(is_current=True).order_by("-requires_training", "-start_date").first()


def current_term(member, today=None):
    """The dates a completion counts for: the current appointment's, else the calendar year.
    Returns (start, end or None, label)."""
    appointment = _current_appointment(member)
    if appointment is not None:
        return appointment.start_date, appointment.end_date, _("nhiệm kỳ %(term)s") % {"term": appointment.term_label}
    year = (today or timezone.localdate()).year
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31), _("năm %(year)d") % {"year": year}


def _check_not_completed_this_term(course, member):
    # Completing the program stands in for holding a valid certificate until certificates exist;
    # this is the one place to change when they do.
    start, end, label = current_term(member)
    earlier = Enrollment.objects.filter(
        member=member,
        course__program_id=course.program_id,
        status=Enrollment.Status.COMPLETED,
        course__end_date__gte=start,
    ).exclude(course=course)
    if end is not None:
        earlier = earlier.filter(course__end_date__lte=end)
    earlier = earlier.select_related("course").order_by("-course__end_date").first()
    if earlier is not None:
        raise _error(
            "member",
            _(
                "Đồng chí %(name)s đã hoàn thành chương trình này tại lớp %(code)s "
                "(bế giảng ngày %(end)s), trong %(term)s."
            ),
            name=member.full_name,
            code=earlier.course.code,
            end=date_format(earlier.course.end_date, "SHORT_DATE_FORMAT"),
            term=label,
        )


def _nominating_unit(member, scope):
    """Who the nomination counts for: the officer's own organization, or, when the center
    nominates, the member's affiliated committee (the member's own node above that level)."""
    if not scope.everything:
        return Organization.objects.get(path=scope.path)
    path = member.organization.path[: Organization.steplen * AFFILIATED_DEPTH]
    return Organization.objects.get(path=path)


def _check_seats(course, scope, nominated_by):
    if Enrollment.objects.filter(TAKEN, course=course).count() >= course.capacity:
        raise _error(
            "course", _("Lớp %(code)s đã đủ %(capacity)d học viên."), code=course.code, capacity=course.capacity
        )
    if scope.everything or not SeatQuota.objects.filter(course=course).exists():
        return
    # The quotas of the nominating organization and of each ancestor down from its affiliated
    # committee all hold at once: a grassroots quota lives inside its committee's.
    steplen = Organization.steplen
    path = nominated_by.path
    chain = [path[:end] for end in range(steplen * AFFILIATED_DEPTH, len(path) + 1, steplen)]
    quotas = list(
        with_seats_used(SeatQuota.objects.filter(course=course, organization__path__in=chain)).select_related(
            "organization"
        )
    )
    if not quotas:
        raise _error(
            "course",
            _("%(organization)s không có chỉ tiêu cử học viên vào lớp %(code)s."),
            organization=nominated_by.name,
            code=course.code,
        )
    for quota in quotas:
        if quota.used >= quota.seats:
            raise _error(
                "course",
                _("%(organization)s đã cử đủ %(seats)d chỉ tiêu của lớp %(code)s."),
                organization=quota.organization.name,
                seats=quota.seats,
                code=course.code,
            )


def _save_with_reason(enrollment, by, reason):
    enrollment._history_user = by
    enrollment._change_reason = reason or None
    enrollment.save()


def _error(field, message, **params):
    return ValidationError({field: ValidationError(message, params=params)})
