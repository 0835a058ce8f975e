"""The quality indicators of a class, computed from its records (sessions, attendance, topics, lecturers,
evaluations), and the verdict they give: "đạt yêu cầu" or "chưa đạt yêu cầu" with its reasons.

How hours are counted: a session is a half-day (buổi) of up to settings.SESSION_HOURS periods (tiết, default 5,
a morning's). A held
session (its date not after today) delivers those hours to its topic, up to the topic's own hours: a topic taught
longer does not make up for another left out, and a session without a topic delivers nothing of the program. The
program's hours are its topics' hours. A class delivering fewer hours than settings.SELF_RUN_MIN_HOURS_SHARE
(default 0.8) of them, or holding a session on the same day as a conference (Session.during_conference, a flag
the organizer sets), does not meet the requirements. The other indicators (attendance recorded, topics taught as
planned, lecturers from the bloc's pool, evaluations received) are shown beside the verdict.

indicators_for(courses) computes them for any number of classes in four queries.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.utils import formats, translation
from django.utils.translation import gettext as _

from common.localtime import local_today
from common.numbers import decimal, share
from courses.models import Course, Session, Topic
from enrollments.models import Attendance, Evaluation


@dataclass(frozen=True)
class Indicators:
    hours_delivered: Decimal
    program_hours: Decimal
    held_sessions: int
    attendance_recorded_share: float | None  # of held sessions; None before any is held
    topics_as_planned_share: float | None  # of the program's topics taught in a held session; None without topics
    pool_lecturers_only: bool | None  # None when no session names a lecturer
    evaluations: int
    conference_days: tuple[datetime.date, ...] = ()
    meets_requirements: bool = True
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def hours_share(self) -> float | None:
        return float(self.hours_delivered / self.program_hours) if self.program_hours else None


def min_hours_share() -> Decimal:
    return Decimal(str(settings.SELF_RUN_MIN_HOURS_SHARE))


def verdict(
    hours_delivered: Decimal,
    program_hours: Decimal,
    conference_days: Iterable[datetime.date],
    minimum: Decimal | None = None,
) -> tuple[bool, tuple[str, ...]]:
    """The rule: enough hours against the program (at least `minimum` of them, the setting by default) and no
    session on a conference day. Returns (meets the requirements, the reasons it does not), in the active
    language."""
    minimum = min_hours_share() if minimum is None else minimum
    reasons = []
    if program_hours > 0 and hours_delivered < minimum * program_hours:
        reasons.append(
            _("Số tiết đã học %(delivered)s/%(planned)s, dưới %(share)s số tiết của chương trình.")
            % {
                "delivered": decimal(hours_delivered),
                "planned": decimal(program_hours),
                "share": share(minimum, 0),
            }
        )
    days = sorted(set(conference_days))
    if days:
        reasons.append(
            _("Buổi học trùng ngày hội nghị: %(dates)s.")
            % {"dates": ", ".join(formats.date_format(day, "SHORT_DATE_FORMAT") for day in days)}
        )
    return not reasons, tuple(reasons)


def indicators_for(courses: Iterable[Course], today: datetime.date | None = None) -> dict[int, Indicators]:
    """{course id: Indicators} for these classes: four queries (their sessions with whether each has attendance,
    their programs' topics, their evaluations; the classes themselves when a query set is given)."""
    courses = list(courses)
    if not courses:
        return {}
    today = today or local_today()
    ids = [course.pk for course in courses]
    session_hours = Decimal(str(settings.SESSION_HOURS))
    topics: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for program_id, topic_id, hours in Topic.objects.filter(
        program_id__in={course.program_id for course in courses}
    ).values_list("program_id", "pk", "hours"):
        topics[program_id][topic_id] = hours
    sessions = defaultdict(list)
    rows = (
        Session.objects.filter(course_id__in=ids)
        .annotate(recorded=Exists(Attendance.objects.filter(session_id=OuterRef("pk"))))
        .order_by()
        .values_list("course_id", "date", "topic_id", "lecturer__in_pool", "during_conference", "recorded")
    )
    for course_id, *row in rows:
        sessions[course_id].append(row)
    evaluations = dict(
        Evaluation.objects.filter(enrollment__course_id__in=ids)
        .values("enrollment__course_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("enrollment__course_id", "count")
    )
    return {
        course.pk: _indicators(
            topics[course.program_id], sessions[course.pk], evaluations.get(course.pk, 0), session_hours, today
        )
        for course in courses
    }


def _indicators(topic_hours, sessions, evaluations, session_hours, today):
    held = [row for row in sessions if row[0] <= today]
    per_topic: dict[int, Decimal] = defaultdict(Decimal)
    for _date, topic_id, _in_pool, _conference, _recorded in held:
        if topic_id in topic_hours:
            per_topic[topic_id] += session_hours
    delivered = sum((min(hours, topic_hours[topic]) for topic, hours in per_topic.items()), Decimal(0))
    program_hours = sum(topic_hours.values(), Decimal(0))
    pools = [in_pool for _date, _topic, in_pool, _conference, _recorded in sessions if in_pool is not None]
    conference_days = tuple(sorted({row[0] for row in sessions if row[3]}))
    meets, reasons = verdict(delivered, program_hours, conference_days)
    return Indicators(
        hours_delivered=delivered,
        program_hours=program_hours,
        held_sessions=len(held),
        attendance_recorded_share=(sum(1 for row in held if row[4]) / len(held)) if held else None,
        topics_as_planned_share=(len(per_topic) / len(topic_hours)) if topic_hours else None,
        pool_lecturers_only=all(pools) if pools else None,
        evaluations=evaluations,
        conference_days=conference_days,
        meets_requirements=meets,
        reasons=reasons,
    )


def stored_reasons(indicators: Indicators) -> str:
    """The reasons as a class keeps them (Course.quality_reasons): one a line, in the records' language whoever
    closes, like the results' reasons."""
    with translation.override(settings.LANGUAGE_CODE):
        _meets, reasons = verdict(indicators.hours_delivered, indicators.program_hours, indicators.conference_days)
    return "\n".join(reasons)
