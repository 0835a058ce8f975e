"""The demo catalog and class history: programs, lecturers, courses, sessions, enrollments, attendance."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from common.vietnamese import normalize_name, search_key
from courses.models import Course, Lecturer, Program, Session, Topic
from demo import names
from demo.tree import CURRENT_TERM, Node, split_total
from enrollments.models import Attendance, Enrollment
from enrollments.rules import evaluate_completion
from organizations.models import Organization

CURRENT_YEAR = 2026
HISTORIC_YEARS = range(2009, 2022)
# The current year's last classes are placed around the day the demo is made, so that the admin's home page has
# something on each line (backoffice/home.py): a running class that started two weeks before this week and meets
# this week, one that met in full two weeks before it and that the center has not closed yet (courses.lifecycle's
# phase "ended"), and one open whose nominations close within the week.
RUNNING_WEEKS_BEFORE = timedelta(weeks=2)
ENDED_BEFORE_RUNNING = timedelta(weeks=2)
INTAKE_STARTS = {1: (3, 2), 2: (9, 7)}
SELF_ORGANIZED_START = (6, 8)
CLASS_SPACING = timedelta(weeks=3)
NOMINATION_LEAD = timedelta(weeks=2)
# Fixed-date public holidays: no class meets on them.
HOLIDAYS = {(1, 1), (4, 30), (5, 1), (9, 2)}
FULL_TIME = "full_time"  # every weekday, morning and afternoon
PART_TIME = "part_time"  # Monday, Wednesday and Friday mornings, for people who keep working

Status = Attendance.Status
ATTENDANCE = [Status.PRESENT, Status.LATE, Status.EXCUSED, Status.ABSENT]
USUAL_ATTENDANCE = [93, 96, 99, 100]  # cumulative weights
WEAK_ATTENDANCE = [60, 70, 85, 100]
WITHDRAWN_SHARE = 0.015
WEAK_SHARE = 0.05
# The phase each demo class is made in: its stored status is what courses.lifecycle keeps (closed, or open for the
# others, whose phase the dates give); the closed classes are then issued their certificates but for one.
CLOSED, ENDED, RUNNING, OPEN = "closed", "ended", "running", "open"
STORED = {
    CLOSED: Course.Status.CLOSED,
    ENDED: Course.Status.OPEN,
    RUNNING: Course.Status.OPEN,
    OPEN: Course.Status.OPEN,
}


@dataclass
class Catalog:
    programs: list[Program]
    topics: dict[str, list[Topic]]  # by program code
    lecturers: list[Lecturer]
    topic_lecturers: dict[int, list[Lecturer]]  # by id() of the topic


@dataclass
class CourseSpec:
    year: int
    intake: int
    number: int
    program: Program
    organizer: Node
    start: date
    status: str
    pattern: str = FULL_TIME
    size: int = 0


@dataclass
class Classes:
    courses: list[Course] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)
    # (enrollment, session, status): made into Attendance rows once both sides have ids.
    attendances: list[tuple[Enrollment, Session, str]] = field(default_factory=list)


def build_catalog(rng):
    programs, topics, topic_lecturers = [], {}, {}
    for spec in names.PROGRAMS:
        name = normalize_name(spec["name"])
        program = Program(
            code=spec["code"],
            name=name,
            version=spec["version"],
            status=spec["status"],
            qualifying_posts=spec["qualifying_posts"],
            search_key=search_key(name),
        )
        programs.append(program)
        topics[program.code] = [
            Topic(program=program, order=order, title=title, hours=Decimal(hours))
            for order, (title, hours) in enumerate(spec["topics"], 1)
        ]
    lecturers = _lecturers(rng, Lecturer.Kind.LECTURER, 10, names.LECTURER_TITLES, names.LECTURER_UNITS)
    lecturers += _lecturers(rng, Lecturer.Kind.REPORTER, 6, names.REPORTER_TITLES, names.REPORTER_UNITS)
    for program_topics in topics.values():
        for topic in program_topics:
            topic_lecturers[id(topic)] = rng.sample(lecturers, rng.randint(2, 3))
    return Catalog(programs, topics, lecturers, topic_lecturers)


def _lecturers(rng, kind, count, titles, units):
    people = []
    for _ in range(count):
        male = rng.random() < 0.6
        family = rng.choices(list(names.FAMILY_NAMES), list(names.FAMILY_NAMES.values()))[0]
        middles = names.MALE_MIDDLE_NAMES if male else names.FEMALE_MIDDLE_NAMES
        given = rng.choice(names.MALE_GIVEN_NAMES if male else names.FEMALE_GIVEN_NAMES)
        name = normalize_name(f"{family} {rng.choices(list(middles), list(middles.values()))[0]} {given}")
        people.append(
            Lecturer(
                name=name,
                academic_title=rng.choices(list(titles), list(titles.values()))[0],
                unit=rng.choice(units),
                kind=kind,
                search_key=search_key(name),
            )
        )
    return people


class ClassPlanner:
    """Plans every class from 2009 to now, with trainees drawn from the post holders of the tree."""

    def __init__(self, rng, scale, tree, people, catalog, today):
        self.rng = rng
        self.scale = scale
        self.tree = tree
        self.people = people
        self.catalog = catalog
        self.today = today
        this_monday = today - timedelta(days=today.weekday())
        self.running_start = this_monday - RUNNING_WEEKS_BEFORE
        # Its nominations close NOMINATION_LEAD before it starts: within the coming week.
        self.open_start = _monday_from(today + NOMINATION_LEAD + timedelta(days=1))
        self.pools = {}
        self.committee_by_path = {node.organization.path: node.organization for node in tree.committees}
        # An affiliated committee's path is the root's step and its own.
        self.committee_path_length = 2 * Organization.steplen
        self.out = Classes()

    def plan(self):
        secretary_program, committee_program = self.catalog.programs[:2]
        specs = self._course_specs(secretary_program, committee_program)
        trainee_course = next(
            s for s in specs if s.year == 2021 and s.organizer is self.tree.root and s.program is secretary_program
        )
        for spec in specs:
            forced = spec is trainee_course or spec.status == RUNNING
            self._add_course(spec, self.people.persona_holding if forced else None)
        return self.out

    def _course_specs(self, secretary_program, committee_program):
        rng, scale, root = self.rng, self.scale, self.tree.root
        programs = [secretary_program, committee_program]
        specs = []
        second_intake = {}
        for year, count in sorted(scale.center_courses.items()):
            first_intake = (count + 1) // 2
            second_intake[year] = count - first_intake
            for i in range(count):
                intake, number = (1, i + 1) if i < first_intake else (2, i - first_intake + 1)
                start = _monday_from(date(year, *INTAKE_STARTS[intake])) + CLASS_SPACING * (number - 1)
                specs.append(CourseSpec(year, intake, number, programs[i % 2], root, start, CLOSED))
        historic = [s for s in specs if s.year in HISTORIC_YEARS]
        weights = [rng.uniform(0.85, 1.15) for _ in historic]
        for spec, size in zip(historic, split_total(rng, scale.historic_enrollments, weights), strict=True):
            spec.size = size
        for spec in specs:
            spec.size = spec.size or rng.randint(*scale.class_size)
        number = second_intake.get(CURRENT_YEAR, 0)
        specs.append(
            CourseSpec(
                CURRENT_YEAR,
                2,
                number + 1,
                secretary_program,
                root,
                self.running_start,
                RUNNING,
                PART_TIME,
                rng.randint(*scale.class_size),
            )
        )
        specs.append(
            CourseSpec(
                CURRENT_YEAR,
                2,
                number + 2,
                committee_program,
                root,
                self.open_start,
                OPEN,
                size=rng.randint(scale.capacity // 3, scale.capacity // 2),
            )
        )
        specs.append(
            CourseSpec(
                CURRENT_YEAR,
                2,
                number + 3,
                committee_program,
                root,
                self.running_start - ENDED_BEFORE_RUNNING,
                ENDED,
                size=rng.randint(*scale.class_size),
            )
        )
        committee = self.tree.committees[0]
        low, high = scale.class_size
        for i, year in enumerate(scale.self_organized_years):
            start = _monday_from(date(year, *SELF_ORGANIZED_START))
            size = rng.randint(low // 2, high // 2)
            specs.append(CourseSpec(year, 1, 1, programs[i % 2], committee, start, CLOSED, size=size))
        return specs

    def _add_course(self, spec, forced):
        rng, out = self.rng, self.out
        organizer = spec.organizer.organization
        code = f"{spec.year}-K{spec.intake}-L{spec.number}"
        if spec.organizer is not self.tree.root:
            code = f"{organizer.code}-{code}"
        topics = self.catalog.topics[spec.program.code]
        # One half-day per topic, taken from an endless calendar of slots.
        sessions = [
            Session(date=day, period=period, topic=topic, lecturer=rng.choice(self.catalog.topic_lecturers[id(topic)]))
            for topic, (day, period) in zip(topics, _slots(spec.start, spec.pattern), strict=False)
        ]
        if spec.organizer is self.tree.root:
            venue = rng.choice(names.CENTER_VENUES)
        else:
            venue = f"Hội trường {spec.organizer.unit}"
        course = Course(
            code=code,
            program=spec.program,
            organizer=organizer,
            year=spec.year,
            intake=spec.intake,
            number=spec.number,
            start_date=sessions[0].date,
            end_date=sessions[-1].date,
            venue=venue,
            capacity=max(self.scale.capacity, -(-spec.size // 10) * 10),
            nomination_deadline=spec.start - NOMINATION_LEAD,
            status=STORED[spec.status],
        )
        out.courses.append(course)
        for session in sessions:
            session.course = course
        out.sessions.extend(sessions)
        if spec.status in (CLOSED, ENDED):
            held = sessions
        elif spec.status == RUNNING:
            # The one place the clock matters: a running class has met up to today, never all or none of it.
            held_count = sum(session.date <= self.today for session in sessions)
            held = sessions[: min(max(held_count, 1), len(sessions) - 1)]
        else:
            held = []
        for holding in self._trainees(spec, forced):
            self._enroll(course, spec, holding, held, forced is not None and holding.member is forced.member)

    def _trainees(self, spec, forced):
        era = "current" if spec.year >= 2020 else "earlier"
        scope = None if spec.organizer is self.tree.root else spec.organizer.organization.path
        key = (spec.program.code, era, scope)
        if key not in self.pools:
            posts = set(spec.program.qualifying_posts)
            # The demo trainee sits only the classes chosen for them, so the portal tells a simple story.
            eligible = [
                h
                for h in self.people.holdings
                if h.member is not self.people.persona
                and h.requires_training
                and h.post in posts
                and (era == "earlier" or h.term_label == CURRENT_TERM)
                and (scope is None or h.organization.path.startswith(scope))
            ]
            self.pools[key] = Pool(self.rng, eligible)
        chosen = self.pools[key].draw(spec.size)
        if forced is not None and all(h.member is not forced.member for h in chosen):
            chosen[-1] = forced
        return chosen

    def _enroll(self, course, spec, holding, held, is_persona):
        rng, program = self.rng, spec.program
        member = holding.member
        enrollment = Enrollment(
            course=course,
            member=member,
            nominated_by=self.committee_by_path[member.organization.path[: self.committee_path_length]],
            post=holding.post,
        )
        roll = rng.random()
        withdrawn = spec.status == CLOSED and roll < WITHDRAWN_SHARE and not is_persona
        if is_persona:
            marks = [Status.PRESENT] * len(held)
        else:
            weights = WEAK_ATTENDANCE if roll < WEAK_SHARE else USUAL_ATTENDANCE
            marks = rng.choices(ATTENDANCE, cum_weights=weights, k=len(held))
        if withdrawn:
            left_after = rng.randint(1, len(held) - 1)
            marks[left_after:] = [Status.ABSENT] * (len(held) - left_after)
        if spec.status == ENDED:
            # Every session held and every score entered: what is left is the center's closing.
            enrollment.status = Enrollment.Status.STUDYING
            enrollment.final_score = Decimal(min(100, max(30, round(rng.gauss(76, 10))))).scaleb(-1)
        elif spec.status == CLOSED:
            # Results are stored the way closing a course stores them, by the project's own completion rule.
            if not withdrawn:
                tenths = 85 if is_persona else min(100, max(30, round(rng.gauss(76, 10))))
                enrollment.final_score = Decimal(tenths).scaleb(-1)
            result = evaluate_completion(
                marks,
                len(held),
                enrollment.final_score,
                threshold_percent=program.completion_threshold,
                pass_score=program.pass_score,
            )
            enrollment.attended_percent = result.attended_percent
            enrollment.result_reasons = "\n".join(result.reasons)
            enrollment.grade = result.grade or ""
            if withdrawn:
                enrollment.status = Enrollment.Status.WITHDRAWN
            elif result.completed:
                enrollment.status = Enrollment.Status.COMPLETED
            else:
                enrollment.status = Enrollment.Status.NOT_COMPLETED
        elif spec.status == RUNNING:
            enrollment.status = Enrollment.Status.STUDYING
        else:
            enrollment.status = Enrollment.Status.REGISTERED
        self.out.enrollments.append(enrollment)
        self.out.attendances.extend((enrollment, session, mark) for session, mark in zip(held, marks, strict=True))


class Pool:
    """Post holders eligible for a program, handed out so nobody repeats until everyone has had a turn."""

    def __init__(self, rng, holdings):
        self.rng = rng
        self.holdings = holdings
        self.queue = []
        self.people = len({id(h.member) for h in holdings})

    def draw(self, count):
        chosen, seen = [], set()
        while len(chosen) < min(count, self.people):
            if not self.queue:
                self.queue = self.rng.sample(self.holdings, len(self.holdings))
            holding = self.queue.pop()
            if id(holding.member) not in seen:
                seen.add(id(holding.member))
                chosen.append(holding)
        return chosen


def _monday_from(day):
    return day + timedelta(days=-day.weekday() % 7)


def _slots(start, pattern):
    """Half-day slots from start on: weekdays only, never on a public holiday."""
    day = start
    while True:
        if day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS:
            if pattern == FULL_TIME:
                yield day, Session.Period.MORNING
                yield day, Session.Period.AFTERNOON
            elif day.weekday() in (0, 2, 4):
                yield day, Session.Period.MORNING
        day += timedelta(days=1)
