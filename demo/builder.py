"""Seeds an empty database with a deterministic demo of the bloc: its tree, post holders, classes and logins."""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from certificates.models import IssuerProfile
from certificates.services import issue_certificates
from common.localtime import local_today
from courses import scheduling
from courses.models import Course, Lecturer, Program, Session, Topic
from demo.classes import HISTORIC_YEARS, ClassPlanner, build_catalog
from demo.due_dates import appoint_recently
from demo.tree import PeoplePlanner, build_tree
from enrollments.models import Attendance, Enrollment, SeatQuota
from organizations import roles
from organizations.class_authorizations import authorize_classes
from organizations.models import Appointment, Member, Officer, Organization
from oversight.quality import judge_closed_class

DEFAULT_SEED = 2021
DEMO_PASSWORD = "demo-2026"
CENTER_STAFF_LOGIN = "trungtam"
OFFICER_LOGIN = "donvi"
INSPECTOR_LOGIN = "kiemtra"
# The demo trainee's login follows the pattern of every trainee login (organizations.accounts.TRAINEE_USERNAME).
TRAINEE_LOGIN = "hvpham26"
# Django lowers this further on SQLite, whose statements take at most 999 variables.
BATCH_SIZE = 1000
HISTORY_REASON = "Dữ liệu mẫu"


class DatabaseNotEmpty(Exception):
    pass


@dataclass(frozen=True)
class Scale:
    committees: int
    grassroots: int  # grassroots committees and grassroots cells together
    cells: int
    partial_threshold: int  # grassroots committees with this many cells get partial committees
    center_courses: dict[int, int]  # closed classes the center ran, by year
    historic_enrollments: int  # trainees of the center's classes 2009–2021, in total
    class_size: tuple[int, int]
    capacity: int
    self_organized_years: tuple[int, ...]  # closed classes run by the first affiliated committee


SCALES = {
    "small": Scale(
        committees=3,
        grassroots=30,
        cells=100,
        partial_threshold=10,
        center_courses={2019: 1, 2021: 2, 2023: 1, 2025: 1, 2026: 1},
        historic_enrollments=60,
        class_size=(15, 25),
        capacity=30,
        self_organized_years=(2024,),
    ),
    # The bloc's published figures: 1,092 grassroots organizations, 5,939 cells, and 70 classes with
    # 6,392 trainees from 2009 to 2021.
    "full": Scale(
        committees=40,
        grassroots=1092,
        cells=5939,
        partial_threshold=16,
        center_courses={
            **{2009: 4, 2010: 5, 2011: 5, 2012: 5},
            **dict.fromkeys(range(2013, 2020), 6),
            **{2020: 4, 2021: 5, 2022: 5, 2023: 6, 2024: 6, 2025: 6, 2026: 2},
        },
        historic_enrollments=6392,
        class_size=(50, 80),
        capacity=100,
        self_organized_years=(2023, 2025),
    ),
}


@dataclass
class Summary:
    scale: str
    seed: int
    seconds: float
    organizations: Counter
    members: int
    appointments: int
    current_appointments: int
    programs: int
    topics: int
    lecturers: int
    courses: int
    historic_courses: int
    sessions: int
    enrollments: int
    historic_enrollments: int
    attendances: int
    logins: list[tuple[str, str]]


def seed_demo(scale="small", seed=DEFAULT_SEED, today=None):
    """Fill an empty database in one transaction; the same seed always gives the same people and classes.

    today only decides how far the current year's running class has got.
    """
    started = time.monotonic()
    rng = random.Random(seed)
    shape = SCALES[scale]
    with transaction.atomic():
        _refuse_unless_empty()
        tree = build_tree(rng, shape)
        people = PeoplePlanner(rng, tree).plan()
        catalog = build_catalog(rng)
        today = today or timezone.localdate()
        classes = ClassPlanner(rng, shape, tree, people, catalog, today).plan()
        appoint_recently(people.holdings, people.persona_holding, seed, today)

        users = _create_users(people.persona)
        organizations = [node.organization for node in tree.nodes]
        Organization.objects.bulk_create(organizations, batch_size=BATCH_SIZE)
        Officer.objects.bulk_create(
            [
                Officer(user=users[CENTER_STAFF_LOGIN], organization=tree.root.organization),
                Officer(user=users[OFFICER_LOGIN], organization=tree.committees[0].organization),
                Officer(user=users[INSPECTOR_LOGIN], organization=tree.root.organization),
            ]
        )
        _create_with_history(people.members, Member)
        _create_with_history(
            [
                Appointment(
                    member_id=h.member.pk,
                    organization_id=h.organization.pk,
                    post=h.post,
                    term_label=h.term_label,
                    start_date=h.start_date,
                    end_date=h.end_date,
                    requires_training=h.requires_training,
                    is_current=h.is_current,
                )
                for h in people.holdings
            ],
            Appointment,
        )
        Program.objects.bulk_create(catalog.programs)
        Topic.objects.bulk_create([topic for topics in catalog.topics.values() for topic in topics])
        Lecturer.objects.bulk_create(catalog.lecturers)
        _create_with_history(classes.courses, Course)
        Session.objects.bulk_create(classes.sessions, batch_size=BATCH_SIZE)
        # Written in bulk past the forms, so the schedule is checked once whole; a breach is a bug of the planner.
        found = scheduling.breaches(Session.objects.all())
        if found:
            raise ValidationError(found)
        _create_with_history(classes.enrollments, Enrollment)
        _create_with_history(
            [
                Attendance(enrollment_id=enrollment.pk, session_id=session.pk, status=status)
                for enrollment, session, status in classes.attendances
            ],
            Attendance,
        )
        SeatQuota.objects.bulk_create(_demo_seat_quotas(tree, classes, today))
        _authorize_self_run_classes(tree, classes, today)
        _issue_demo_certificates(tree, people, classes)
        # Imported here: the samples it uploads are built by demo/import_samples.py, which reads this module's logins.
        from demo.workplace import leave_work_waiting

        leave_work_waiting(
            center=users[CENTER_STAFF_LOGIN],
            officer=users[OFFICER_LOGIN],
            root=tree.root.organization,
            committee=tree.committees[0].organization,
            other_committee=tree.committees[1].organization,
            today=today,
        )
        from demo.inspections import plan_demo_inspections

        plan_demo_inspections(
            inspector=users[INSPECTOR_LOGIN],
            officer=users[OFFICER_LOGIN],
            committees=[node.organization for node in tree.committees],
            today=today,
        )

    historic = {id(course) for course in classes.courses if course.year in HISTORIC_YEARS}
    return Summary(
        scale=scale,
        seed=seed,
        seconds=time.monotonic() - started,
        organizations=Counter(organization.kind for organization in organizations),
        members=len(people.members),
        appointments=len(people.holdings),
        current_appointments=sum(holding.is_current for holding in people.holdings),
        programs=len(catalog.programs),
        topics=sum(len(topics) for topics in catalog.topics.values()),
        lecturers=len(catalog.lecturers),
        courses=len(classes.courses),
        historic_courses=len(historic),
        sessions=len(classes.sessions),
        enrollments=len(classes.enrollments),
        historic_enrollments=sum(id(enrollment.course) in historic for enrollment in classes.enrollments),
        attendances=len(classes.attendances),
        logins=[
            (CENTER_STAFF_LOGIN, f"cán bộ Trung tâm, {tree.root.organization.name}"),
            (OFFICER_LOGIN, f"cán bộ {tree.committees[0].organization.name}"),
            (INSPECTOR_LOGIN, "cán bộ Ủy ban Kiểm tra"),
            (TRAINEE_LOGIN, f"học viên {people.persona.full_name}"),
        ],
    )


def _demo_seat_quotas(tree, classes, today):
    """The center's open class shares its seats among the committees, each with a few still free, so the
    demo officer can nominate up to a quota and see the refusal past it."""
    free_seats = 3
    quotas = []
    for course in classes.courses:
        # The class still taking nominations: open, and not started (the others stored as open are under way).
        if (
            course.status != Course.Status.OPEN
            or course.start_date <= today
            or course.organizer_id != tree.root.organization.pk
        ):
            continue
        used = Counter(e.nominated_by_id for e in classes.enrollments if e.course is course)
        quotas += [
            SeatQuota(course=course, organization=node.organization, seats=used[node.organization.pk] + free_seats)
            for node in tree.committees
        ]
    return quotas


def _authorize_self_run_classes(tree, classes, today):
    """The center's decisions letting the first three committees run their own classes (the first one does, and
    its officer is the demo's), and the verdict of the self-run classes already closed: the first of them held a
    session on a conference day, so it is "chưa đạt yêu cầu" and its certificates do not count until the center
    accepts it; the others meet the requirements."""
    for number, node in enumerate(tree.committees[:3], 1):
        authorize_classes(
            node.organization,
            decision_number=f"{100 + number}-QĐ/ĐUK",
            decision_date=date(2022, 3, number),
            by=None,
        )
    self_run = sorted(
        (
            c
            for c in classes.courses
            if c.organizer_id != tree.root.organization.pk and c.status == Course.Status.CLOSED
        ),
        key=lambda course: (course.start_date, course.code),
    )
    if self_run:
        first = Session.objects.filter(course=self_run[0]).order_by("date", "period").first()
        Session.objects.filter(pk=first.pk).update(during_conference=True)
    for course in self_run:
        judge_closed_class(course)
        course.refresh_from_db(fields=["quality", "quality_reasons"])


def _issue_demo_certificates(tree, people, classes):
    """Issuer profiles for the center and the first committee (which runs classes of its own), and the
    certificates of every closed class but the center's latest, issued a week after it ended (issuing marks the
    class certified, courses.lifecycle.mark_certified).

    PDFs are rendered at issuing only for the classes the demo trainee attended: the full demo has thousands of
    completed trainees, and each other PDF is rendered when it is first downloaded.
    """
    center = IssuerProfile.objects.create(
        organization=tree.root.organization,
        header_line_1="ĐẢNG BỘ KHỐI CÁC CƠ QUAN TRUNG ƯƠNG",
        header_line_2="TRUNG TÂM BỒI DƯỠNG CHÍNH TRỊ",
        signer_title="GIÁM ĐỐC",
        signer_name="Nguyễn Văn Thành",
        register_suffix="CC-TTBDCT",
    )
    committee = tree.committees[0].organization
    IssuerProfile.objects.create(
        organization=committee,
        header_line_1=center.header_line_1,
        header_line_2=committee.name.upper(),
        signer_title="T/M BAN THƯỜNG VỤ — BÍ THƯ",
        signer_name="Trần Minh Đức",
        register_suffix=f"CC-{committee.code}",
    )
    persona_courses = {e.course.pk for e in classes.enrollments if e.member is people.persona}
    closed = sorted(
        (course for course in classes.courses if course.status == Course.Status.CLOSED),
        key=lambda course: (course.end_date, course.code),
    )
    # The center's latest closed class waits for its certificates, so the demo shows a class in each state.
    waiting = next(
        (c for c in reversed(closed) if c.organizer_id == tree.root.organization.pk and c.pk not in persona_courses),
        None,
    )
    for course in closed:
        if course is not waiting:
            issue_certificates(
                course,
                by=None,
                # A week after the class, or today for a class that ended this week: never a date to come.
                issued_on=min(course.end_date + timedelta(days=7), local_today()),
                notify=False,
                render_pdfs=course.pk in persona_courses,
            )


def _refuse_unless_empty():
    problems = []
    if Organization.objects.exists():
        problems.append("đã có tổ chức đảng")
    if Program.objects.exists():
        problems.append("đã có chương trình khung")
    taken = sorted(
        get_user_model()
        .objects.filter(username__in=[CENTER_STAFF_LOGIN, OFFICER_LOGIN, INSPECTOR_LOGIN, TRAINEE_LOGIN])
        .values_list("username", flat=True)
    )
    if taken:
        problems.append(f"đã có tài khoản {', '.join(taken)}")
    if problems:
        raise DatabaseNotEmpty(
            f"Cơ sở dữ liệu {' và '.join(problems)}: chỉ tạo dữ liệu mẫu trên cơ sở dữ liệu trống. "
            "Không có gì được ghi."
        )


def _create_users(persona):
    roles.sync_role_groups()
    # One hash for the demo logins: each hash costs most of a second, and the password is public anyway.
    password = make_password(DEMO_PASSWORD)
    user_model = get_user_model()
    users = {
        CENTER_STAFF_LOGIN: user_model(
            username=CENTER_STAFF_LOGIN, first_name="Nguyễn Thị Minh Hằng", is_staff=True, password=password
        ),
        # An address, so that the monthly compliance reminders (send_compliance_reminders) have someone to mail.
        OFFICER_LOGIN: user_model(
            username=OFFICER_LOGIN,
            first_name="Lê Quang Huy",
            email=f"{OFFICER_LOGIN}@btctw.example",
            is_staff=True,
            password=password,
        ),
        INSPECTOR_LOGIN: user_model(
            username=INSPECTOR_LOGIN, first_name="Đặng Thu Trang", is_staff=True, password=password
        ),
        TRAINEE_LOGIN: user_model(username=TRAINEE_LOGIN, first_name=persona.full_name, password=password),
    }
    user_model.objects.bulk_create(users.values())
    Group.objects.get(name=roles.CENTER_STAFF).user_set.add(users[CENTER_STAFF_LOGIN])
    Group.objects.get(name=roles.OFFICER).user_set.add(users[OFFICER_LOGIN])
    Group.objects.get(name=roles.INSPECTOR).user_set.add(users[INSPECTOR_LOGIN])
    persona.user = users[TRAINEE_LOGIN]
    return users


def _create_with_history(objects, model):
    bulk_create_with_history(
        objects,
        model,
        batch_size=BATCH_SIZE,
        default_change_reason=HISTORY_REASON,
        default_date=timezone.now(),
    )
