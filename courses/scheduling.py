"""When a class's sessions may be held: the one set of rules every way of scheduling a session goes through.

A session lies within its class's dates, teaches a topic of its class's program, takes a slot (date and period)
no other session of the class takes, and its lecturer teaches no other class in that slot. The rules read the
class's dates and program as given, so a class not saved yet (the admin's add page) is checked like a saved one.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from courses import lifecycle
from courses.models import Course, Lecturer, Session, SessionQuerySet, Topic
from organizations.permissions import may_schedule

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Frame:
    """What the rules read of the class: its dates and program, saved or only typed in."""

    course_id: int | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    program_id: int | None

    @classmethod
    def of(cls, course: Course) -> "Frame":
        return cls(course.pk, course.start_date, course.end_date, course.program_id)


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def _slot(session: Session) -> str:
    return _("buổi %(period)s ngày %(date)s") % {
        "period": str(session.get_period_display()).lower(),
        "date": _day(session.date),
    }


def _topic_program(session: Session) -> int | None:
    """The topic's program, read from the topic the form or caller attached (no query when it is loaded)."""
    topic = session.topic if session.topic_id else None
    return topic.program_id if topic is not None else None


def session_errors(session: Session, frame: Frame, *, topic_program_id: int | None = None) -> Errors:
    """The rules one session keeps on its own: inside the class's dates, a topic of the class's program."""
    errors: Errors = {}
    if session.date and frame.start_date and frame.end_date and not frame.start_date <= session.date <= frame.end_date:
        errors["date"] = [
            _("Ngày học %(date)s nằm ngoài thời gian của lớp (%(start)s – %(end)s).")
            % {"date": _day(session.date), "start": _day(frame.start_date), "end": _day(frame.end_date)}
        ]
    if session.topic_id and frame.program_id:
        program_id = topic_program_id if topic_program_id is not None else _topic_program(session)
        if program_id != frame.program_id:
            errors["topic"] = [_("Chuyên đề này thuộc chương trình khác, không thuộc chương trình của lớp.")]
    return errors


def _merge(into: Errors, more: Errors) -> None:
    for field, messages in more.items():
        into.setdefault(field, []).extend(messages)


def schedule_errors(sessions: Sequence[Session], frame: Frame, *, each: bool = True) -> list[Errors]:
    """The errors of each session of a set that is one class's whole schedule (or the part being written).

    `each=False` leaves out the rules of a session on its own (Session.clean has already run them); the rules
    of the set always run: two sessions of the set in one slot, and a lecturer who teaches another class in the
    slot. At most two queries, whatever the number of sessions: the topics' programs (only for topics not
    loaded) and the lecturers' sessions in other classes on those dates.
    """
    errors: list[Errors] = [{} for _session in sessions]
    if each:
        unloaded = {s.topic_id for s in sessions if s.topic_id and not Session.topic.is_cached(s)}
        programs = dict(Topic.objects.filter(pk__in=unloaded).values_list("pk", "program_id")) if unloaded else {}
        for index, session in enumerate(sessions):
            _merge(errors[index], session_errors(session, frame, topic_program_id=programs.get(session.topic_id)))
    taken: set[tuple[datetime.date, int]] = set()
    for index, session in enumerate(sessions):
        if not (session.date and session.period):
            continue
        slot = (session.date, session.period)
        if slot in taken:
            _merge(errors[index], {"period": [_("Lớp đã có một buổi học vào %(slot)s.") % {"slot": _slot(session)}]})
        taken.add(slot)
    for index, message in _lecturer_conflicts(sessions, frame.course_id):
        _merge(errors[index], {"lecturer": [message]})
    return errors


def _lecturer_conflicts(sessions: Sequence[Session], course_id: int | None) -> Iterable[tuple[int, str]]:
    booked = [(i, s) for i, s in enumerate(sessions) if s.lecturer_id and s.date and s.period]
    if not booked:
        return
    elsewhere = (
        Session.objects.filter(
            lecturer_id__in={s.lecturer_id for _i, s in booked}, date__in={s.date for _i, s in booked}
        )
        .exclude(pk__in=[s.pk for _i, s in booked if s.pk])
        .select_related("course", "lecturer")
        .order_by("course__code")
    )
    if course_id is not None:
        elsewhere = elsewhere.exclude(course_id=course_id)
    others: dict[tuple[int | None, datetime.date, int], Session] = {}
    for other in elsewhere:
        others.setdefault((other.lecturer_id, other.date, other.period), other)
    for index, session in booked:
        other = others.get((session.lecturer_id, session.date, session.period))
        if other is not None:
            yield (
                index,
                _("Giảng viên %(lecturer)s đã có lịch dạy lớp %(course)s vào %(slot)s.")
                % {"lecturer": other.lecturer, "course": other.course.code, "slot": _slot(session)},
            )


def _refusals(sessions: Sequence[Session], errors: Sequence[Errors]) -> list[str]:
    messages: list[str] = []
    for session, found in zip(sessions, errors, strict=True):
        label = _slot(session) if session.date and session.period else _("buổi học")
        for field_messages in found.values():
            messages.extend(f"{label[:1].upper()}{label[1:]}: {message}" for message in field_messages)
    return messages


def breaches(sessions: SessionQuerySet) -> list[str]:
    """What breaks the rules among sessions written in bulk (the demo's), each said as the forms say it; two
    queries, whatever the number of sessions."""
    found = [
        f"{session.course.code}, {_slot(session)}: {message}"
        for session in sessions.filter(
            ~Q(date__gte=F("course__start_date"), date__lte=F("course__end_date"))
            | ~Q(topic__program=F("course__program")) & Q(topic__isnull=False)
        ).select_related("course", "topic")
        for messages in session_errors(session, Frame.of(session.course)).values()
        for message in messages
    ]
    found.extend(
        _("Giảng viên %(lecturer)s dạy %(classes)s lớp cùng lúc vào %(slot)s.")
        % {
            "lecturer": booking["lecturer__name"],
            "classes": booking["classes"],
            "slot": _slot(Session(date=booking["date"], period=booking["period"])),
        }
        for booking in sessions.double_booked().values("lecturer__name", "date", "period", "classes")
    )
    return found


def lock_lecturers(sessions: Iterable[Session]) -> None:
    """Hold the lecturers' rows until the transaction ends, so two classes booking one lecturer at once queue up
    and the second sees the first's session (PostgreSQL; SQLite writes one at a time anyway)."""
    ids = sorted({s.lecturer_id for s in sessions if s.lecturer_id})
    if ids and not transaction.get_autocommit():
        list(Lecturer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def course_change_errors(course: Course) -> Errors:
    """What refuses new dates or a new program of a saved class: its saved sessions that would break the rules.

    One query: the sessions with their topics' programs."""
    if course.pk is None:
        return {}
    frame = Frame.of(course)
    outside, foreign = [], []
    for session in course.sessions.select_related("topic").order_by("date", "period"):
        errors = session_errors(session, frame)
        if "date" in errors:
            outside.append(_day(session.date))
        if "topic" in errors:
            foreign.append(_slot(session))
    found: Errors = {}
    if outside:
        found["end_date"] = [
            _("Các buổi học sau nằm ngoài thời gian mới của lớp: %(dates)s.") % {"dates": ", ".join(outside)}
        ]
    if foreign:
        found["program"] = [
            _("Các buổi học sau có chuyên đề của chương trình khác: %(slots)s.") % {"slots": ", ".join(foreign)}
        ]
    return found


def _lock_and_check(course: Course, sessions: Sequence[Session]) -> Course:
    """Lock the class's row and the lecturers' rows, then check the sessions with the class's other saved ones."""
    locked = Course.objects.select_for_update().get(pk=course.pk)
    lifecycle.ensure_editable(locked)  # a closed or cancelled class's schedule stays as it ran
    lock_lecturers(sessions)
    for session in sessions:
        session.course = locked
    ids = [session.pk for session in sessions if session.pk]
    saved = list(locked.sessions.exclude(pk__in=ids).order_by("date", "period"))
    messages = _refusals(sessions, schedule_errors([*saved, *sessions], Frame.of(locked))[len(saved) :])
    if messages:
        raise ValidationError(messages)
    for session in sessions:
        # The choices and field limits; the foreign keys were read above, the slot is the constraint's.
        session.clean_fields(exclude=["course", "topic", "lecturer"])
    return locked


def schedule_sessions(course: Course, sessions: Sequence[Session], *, by) -> list[Session]:
    """Add sessions to a class, all or none, under the class's row lock and the lecturers' row locks.

    Each new session is checked with the class's saved sessions (its slot) and the lecturers' other classes.
    """
    if not may_schedule(by, course):
        raise PermissionDenied(_("Bạn không có quyền xếp lịch học của lớp này."))
    with transaction.atomic():
        _lock_and_check(course, sessions)
        return Session.objects.bulk_create(sessions)


def reschedule_session(session: Session, *, by, **changes) -> Session:
    """Move a session to another slot, or change its topic or lecturer, by the same rules as a new one."""
    if not may_schedule(by, session.course):
        raise PermissionDenied(_("Bạn không có quyền xếp lịch học của lớp này."))
    unknown = set(changes) - {"date", "period", "topic", "lecturer"}
    if unknown:
        raise TypeError(f"reschedule_session() changes only the slot, topic and lecturer, not {sorted(unknown)}")
    with transaction.atomic():
        for field, value in changes.items():
            setattr(session, field, value)
        _lock_and_check(session.course, [session])
        session.save()
        return session
