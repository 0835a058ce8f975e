"""seed_demo: deterministic demo data that keeps the models' rules, at the small and the full scale."""

import io
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from courses import lifecycle
from courses.lifecycle import Phase
from courses.models import Course, Lecturer, Program, Session
from courses.scheduling import breaches
from demo.builder import DEMO_PASSWORD, TRAINEE_LOGIN, seed_demo
from enrollments.models import Attendance, Enrollment, SeatQuota
from organizations import roles
from organizations.access import Scope, scope_of
from organizations.models import Appointment, Member, Officer, Organization, Post
from oversight import compliance
from reports.workbook import YearWorkbook
from tests import factories

Kind = Organization.Kind
HISTORIC = Q(year__gte=2009, year__lte=2021)


def run_command(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def assert_tree_is_consistent():
    """What treebeard's find_problems() checks, in two queries instead of two per node."""
    steplen, alphabet = Organization.steplen, set(Organization.alphabet)
    numchild = dict(Organization.objects.values_list("path", "numchild"))
    children = Counter(path[:-steplen] for path in numchild if len(path) > steplen)
    for path, depth in Organization.objects.values_list("path", "depth"):
        assert set(path) <= alphabet and len(path) == depth * steplen, path
        assert depth == 1 or path[:-steplen] in numchild, path
        assert numchild[path] == children[path], path


def assert_keeps_model_rules():
    assert_tree_is_consistent()
    assert not Course.objects.annotate(enrolled=Count("enrollments")).filter(enrolled__gt=F("capacity")).exists()
    assert not Course.objects.filter(end_date__lt=F("start_date")).exists()
    assert not Session.objects.exclude(date__gte=F("course__start_date"), date__lte=F("course__end_date")).exists()
    assert not Session.objects.exclude(topic__program=F("course__program")).exists()
    assert not Session.objects.filter(Q(topic=None) | Q(lecturer=None)).exists()
    assert breaches(Session.objects.all()) == []
    assert {d.weekday() for d in Session.objects.values_list("date", flat=True)} <= {0, 1, 2, 3, 4}
    assert not Attendance.objects.exclude(enrollment__course=F("session__course")).exists()
    for model in (Member, Appointment, Enrollment, Attendance):
        assert not model.objects.exclude(pk__in=model.history.values("id")).exists(), model


def assert_attendance_taken_for_held_sessions():
    marked = Counter(Attendance.objects.values_list("session_id", flat=True))
    enrolled = dict(Course.objects.annotate(n=Count("enrollments")).values_list("pk", "n"))
    for course in Course.objects.prefetch_related("sessions"):
        sessions = list(course.sessions.all())
        held = [s for s in sessions if marked[s.pk]]
        current = lifecycle.phase(course)
        if current in (Phase.CLOSED, Phase.CERTIFIED, Phase.ENDED):
            assert held == sessions, course.code
        elif current == Phase.RUNNING:
            assert 0 < len(held) < len(sessions), course.code
            assert held == sessions[: len(held)], "only the earliest sessions have been held"
        else:
            assert held == [], course.code
        assert all(marked[s.pk] == enrolled[course.pk] for s in held), course.code


def assert_enrollments_are_plausible():
    closed = Enrollment.objects.filter(course__status__in=lifecycle.RESULTS_STORED)
    assert not closed.exclude(status=Enrollment.Status.WITHDRAWN).filter(final_score=None).exists()
    assert not closed.filter(status=Enrollment.Status.COMPLETED, final_score__lt=Decimal("5.0")).exists()
    scores = closed.exclude(final_score=None).values_list("final_score", flat=True)
    assert all(Decimal(0) <= s <= Decimal(10) and s == s.quantize(Decimal("0.1")) for s in scores)
    # Scores are entered at the end of a class: in the closed ones, and in the one ended but not closed yet.
    scored = Enrollment.objects.exclude(final_score=None).exclude(course__status__in=lifecycle.RESULTS_STORED)
    assert {lifecycle.phase(course) for course in Course.objects.filter(enrollments__in=scored)} <= {Phase.ENDED}
    completed = closed.filter(status=Enrollment.Status.COMPLETED)
    assert not completed.filter(Q(grade="") | ~Q(result_reasons="") | Q(attended_percent__lt=80)).exists()
    failed = closed.filter(status=Enrollment.Status.NOT_COMPLETED)
    assert failed.exists() and not failed.filter(Q(result_reasons="") | ~Q(grade="")).exists()
    assert not closed.filter(attended_percent=None).exists()
    assert not Enrollment.objects.exclude(member__organization__path__startswith=F("nominated_by__path")).exists()
    assert not Enrollment.objects.exclude(nominated_by__kind=Kind.AFFILIATED_COMMITTEE).exists()
    holds_post = Appointment.objects.filter(member=OuterRef("member"), post=OuterRef("post"))
    assert not Enrollment.objects.filter(~Exists(holds_post)).exists()


@pytest.mark.django_db
def test_small_scale_creates_the_three_logins_with_their_roles_and_scopes():
    run_command()
    committee = Organization.objects.get(name="Đảng ủy Ban Tổ chức Trung ương")
    staff, officer, trainee = (User.objects.get(username=name) for name in ("trungtam", "donvi", TRAINEE_LOGIN))

    assert staff.is_staff and list(staff.groups.values_list("name", flat=True)) == [roles.CENTER_STAFF]
    assert staff.officer.organization.depth == 1
    assert scope_of(staff) == Scope(everything=True)
    assert officer.is_staff and list(officer.groups.values_list("name", flat=True)) == [roles.OFFICER]
    assert scope_of(officer) == Scope(path=committee.path)
    assert not trainee.is_staff and not trainee.groups.exists()
    assert scope_of(trainee) == Scope(member_id=trainee.member.pk)
    assert not User.objects.filter(is_superuser=True).exists()
    assert all(user.check_password(DEMO_PASSWORD) for user in (staff, officer, trainee))


@pytest.mark.django_db
def test_trainee_is_a_cell_secretary_with_a_completed_and_a_running_class():
    run_command()
    member = User.objects.get(username=TRAINEE_LOGIN).member
    committee = Organization.objects.get(name="Đảng ủy Ban Tổ chức Trung ương")

    assert member.full_name == "Phạm Anh Thiện" and member.gender == Member.Gender.MALE
    assert member.organization.kind == Kind.CELL and member.organization.path.startswith(committee.path)
    assert member.appointments.filter(
        organization=member.organization, post=Post.SECRETARY, is_current=True, end_date=None
    ).exists()
    enrollments = {e.course.status: e for e in member.enrollments.select_related("course", "nominated_by")}
    assert sorted(enrollments) == [Course.Status.CERTIFIED, Course.Status.OPEN]
    assert member.enrollments.count() == 2
    completed = enrollments[Course.Status.CERTIFIED]
    assert completed.status == Enrollment.Status.COMPLETED and completed.final_score >= Decimal("5.0")
    assert completed.grade and completed.attended_percent == Decimal("100.0")
    assert completed.nominated_by == committee and completed.post == Post.SECRETARY
    running = enrollments[Course.Status.OPEN]
    assert running.status == Enrollment.Status.STUDYING and running.course.year == 2026
    assert running.attendances.exists()
    assert set(running.attendances.values_list("status", flat=True)) == {Attendance.Status.PRESENT}
    officer = User.objects.get(username="donvi")
    assert Member.objects.for_user(officer).filter(pk=member.pk).exists()


@pytest.mark.django_db
def test_the_demo_officer_can_nominate_into_the_open_class_up_to_its_quota():
    run_command()
    officer = User.objects.get(username="donvi")
    committee = officer.officer.organization
    course = Course.objects.for_user(officer).get(
        status=Course.Status.OPEN, organizer__depth=1, start_date__gt=timezone.localdate()
    )
    quota = SeatQuota.objects.get(course=course, organization=committee)
    nominated = course.enrollments.filter(nominated_by=committee).count()
    assert quota.seats == nominated + 3


@pytest.mark.django_db
def test_small_scale_has_every_kind_of_node_and_the_current_year_classes():
    output = run_command("--scale", "small")
    kinds = Counter(Organization.objects.values_list("kind", flat=True))

    assert kinds[Kind.BLOC] == 1 and 2 <= kinds[Kind.AFFILIATED_COMMITTEE] <= 5
    assert 20 <= kinds[Kind.GRASSROOTS_COMMITTEE] + kinds[Kind.GRASSROOTS_CELL] <= 40
    assert kinds[Kind.PARTIAL_COMMITTEE] >= 1 and 80 <= kinds[Kind.CELL] <= 120
    partials = Organization.objects.filter(kind=Kind.PARTIAL_COMMITTEE).values_list("path", flat=True)
    cell_parents = {path[:-4] for path in Organization.objects.filter(kind=Kind.CELL).values_list("path", flat=True)}
    assert cell_parents & set(partials), "some cells sit under partial committees"
    assert 100 <= Member.objects.count() <= 1000
    # A class in each state (courses.lifecycle): 2026's ended, running and open ones, its latest closed class
    # waiting for certificates, and the earlier classes certified.
    phases_2026 = {lifecycle.phase(course) for course in Course.objects.filter(year=2026)}
    assert {Phase.CLOSED, Phase.ENDED, Phase.RUNNING, Phase.OPEN} <= phases_2026
    assert Course.objects.filter(status=Course.Status.CERTIFIED, year__lt=2026).exists()
    assert 6 <= Course.objects.count() <= 12
    assert "trungtam" in output and "donvi" in output and TRAINEE_LOGIN in output and DEMO_PASSWORD in output


@pytest.mark.django_db
def test_small_scale_keeps_the_model_rules():
    run_command()
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert_keeps_model_rules()
    assert_attendance_taken_for_held_sessions()
    assert_enrollments_are_plausible()


@pytest.mark.django_db
def test_people_are_named_the_vietnamese_way():
    run_command()
    names = list(Member.objects.values_list("full_name", "gender"))
    assert all(2 <= len(name.split()) <= 5 for name, _ in names)
    assert all(gender == Member.Gender.FEMALE for name, gender in names if name.split()[1] == "Thị")
    assert Member.objects.search("pham anh thien").filter(full_name="Phạm Anh Thiện").exists()
    births = Member.objects.values_list("birth_date", flat=True)
    assert all(date(1960, 1, 1) <= born <= date(1995, 12, 31) for born in births)
    titles = set(Lecturer.objects.values_list("academic_title", flat=True))
    assert titles & {"TS.", "ThS.", "PGS.TS."}


@pytest.mark.django_db
def test_posts_have_a_history_of_terms():
    run_command()
    assert not Appointment.objects.filter(is_current=True).exclude(end_date=None).exists()
    assert not Appointment.objects.filter(is_current=False, end_date=None).exists()
    assert Appointment.objects.filter(is_current=True, term_label="2020–2025").exists()
    assert Appointment.objects.filter(is_current=False, term_label="2015–2020").exists()
    changed_post = Member.objects.filter(appointments__is_current=True).filter(appointments__is_current=False)
    assert changed_post.exists()


def _seeded_rows():
    return (
        list(Organization.objects.order_by("path").values_list("code", "name")),
        list(Member.objects.order_by("pk").values_list("full_name", "birth_date", "organization__code")),
        list(Course.objects.order_by("code").values_list("code", "start_date", "end_date", "capacity")),
        list(Enrollment.objects.order_by("pk").values_list("course__code", "member__full_name", "final_score")),
    )


def _seed_and_roll_back(seed):
    with transaction.atomic():
        seed_demo("small", seed=seed)
        rows = _seeded_rows()
        transaction.set_rollback(True)
    return rows


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = _seed_and_roll_back(11)
    assert not Organization.objects.exists()
    assert _seed_and_roll_back(11) == first
    assert _seed_and_roll_back(12)[1] != first[1]


@pytest.mark.django_db
def test_refuses_a_database_that_already_has_organizations_and_writes_nothing():
    factories.OrganizationFactory(code="KHOI", name="Đảng bộ Khối")
    with pytest.raises(CommandError, match="đã có tổ chức đảng"):
        run_command()
    assert Organization.objects.count() == 1
    for model in (Member, Appointment, Program, Lecturer, Course, Enrollment, User, Officer):
        assert not model.objects.exists(), model


@pytest.mark.django_db
def test_refuses_when_a_demo_login_already_exists():
    User.objects.create_user("donvi")
    with pytest.raises(CommandError, match="donvi"):
        run_command()
    assert not Organization.objects.exists() and User.objects.count() == 1


@pytest.mark.django_db
def test_if_empty_skips_a_database_that_has_data():
    factories.OrganizationFactory(code="KHOI", name="Đảng bộ Khối")
    output = run_command("--if-empty")
    assert "bỏ qua bước tạo dữ liệu mẫu" in output
    assert Organization.objects.count() == 1 and not Member.objects.exists()


def assert_every_due_bucket_filled():
    """Overdue, due soon, not yet due and trained: each holds someone (oversight/compliance.py)."""
    holders = compliance.holders_in(User.objects.get(username="trungtam"), compliance.default_period())
    overdue, due_soon = compliance.due_counts(holders)
    required, trained = compliance.totals(holders)
    buckets = {"overdue": overdue, "due_soon": due_soon, "not_yet_due": required - trained - overdue - due_soon}
    assert all(count > 0 for count in buckets.values()) and trained > 0, (buckets, trained)


@pytest.mark.django_db
def test_small_scale_fills_every_due_bucket_and_the_officer_would_be_reminded():
    run_command()
    assert_every_due_bucket_filled()
    out = StringIO()
    call_command("send_compliance_reminders", "--dry-run", stdout=out)
    assert "would send to donvi@btctw.example" in out.getvalue()


@pytest.fixture(scope="module")
def full_scale(django_db_setup, django_db_blocker):
    """The full-scale demo, built once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = seed_demo("full")
        # PostgreSQL checks the deferred foreign keys of the seeding here, once: checked first inside a test's
        # savepoint, they would be checked again after every test (a rolled-back savepoint un-fires them),
        # minutes each at this size.
        connection.check_constraints()
        yield summary
        transaction.set_rollback(True)


def assert_self_run_classes_are_authorized_and_some_fail():
    """A few committees are authorized to run classes; of their closed classes, some fail the indicators, and
    their certificates do not train until the center accepts them."""
    from certificates.training import certificates_that_train
    from organizations.models import ClassAuthorization
    from oversight.indicators import indicators_for

    authorized = set(ClassAuthorization.objects.in_force().values_list("organization_id", flat=True))
    assert len(authorized) >= 3
    self_run = list(Course.objects.self_run().closed())
    assert self_run and {course.organizer_id for course in self_run} <= authorized
    indicators = indicators_for(self_run)
    failing = [course for course in self_run if course.quality == Course.Quality.NOT_MET]
    assert failing and all(not indicators[course.pk].meets_requirements for course in failing)
    assert all(course.quality_reasons for course in failing)
    programs = Program.objects.values_list("pk", flat=True)
    assert not certificates_that_train(programs, None).filter(enrollment__course__in=failing).exists()


@pytest.mark.django_db
def test_small_scale_has_committees_running_classes_some_failing_the_indicators():
    run_command()
    assert_self_run_classes_are_authorized_and_some_fail()


@pytest.mark.django_db
def test_full_scale_reproduces_the_blocs_published_figures(full_scale):
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds[Kind.GRASSROOTS_COMMITTEE] + kinds[Kind.GRASSROOTS_CELL] == 1092
    assert kinds[Kind.CELL] == 5939
    assert 20 <= kinds[Kind.AFFILIATED_COMMITTEE] <= 40 and kinds[Kind.PARTIAL_COMMITTEE] > 0
    assert Appointment.objects.filter(is_current=True).count() >= 15000
    assert Course.objects.filter(HISTORIC).count() == 70
    assert Enrollment.objects.filter(course__year__gte=2009, course__year__lte=2021).count() == 6392
    assert set(Course.objects.filter(year__gte=2022).values_list("year", flat=True)) == set(range(2022, 2027))
    assert full_scale.historic_courses == 70 and full_scale.historic_enrollments == 6392


@pytest.mark.django_db
def test_full_scale_courses_follow_the_code_format_and_organizers(full_scale):
    root = Organization.objects.get(depth=1)
    for code, organizer_id, year, intake, number in Course.objects.values_list(
        "code", "organizer", "year", "intake", "number"
    ):
        assert code.endswith(f"{year}-K{intake}-L{number}")
        assert (organizer_id == root.pk) == bool(re.fullmatch(r"\d{4}-K\d+-L\d+", code))
    assert not Course.objects.exclude(organizer=root).exclude(organizer__can_self_organize=True).exists()
    programs = Program.objects.filter(status=Program.Status.ISSUED).annotate(topic_count=Count("topics"))
    assert {(p.name, tuple(sorted(p.qualifying_posts))) for p in programs} >= {
        ("Bồi dưỡng nghiệp vụ công tác đảng cho bí thư chi bộ", ("deputy_secretary", "secretary")),
        ("Bồi dưỡng nghiệp vụ công tác đảng cho cấp ủy viên cơ sở", ("committee_member", "standing_member")),
    }
    assert all(8 <= p.topic_count <= 12 for p in programs)


@pytest.mark.django_db
def test_full_scale_keeps_the_model_rules_and_the_history(full_scale):
    committee = Organization.objects.get(name="Đảng ủy Ban Tổ chức Trung ương")
    assert Organization.objects.find_problems(parent=committee) == ([], [], [], [], [])
    assert_keeps_model_rules()
    assert_attendance_taken_for_held_sessions()
    assert_enrollments_are_plausible()


@pytest.mark.django_db
def test_full_scale_yearly_workbook_shows_the_published_history_and_agrees_with_itself(full_scale):
    center = User.objects.get(username="trungtam")
    buffer = io.BytesIO()
    YearWorkbook(center, 2021).save(buffer)
    workbook = openpyxl.load_workbook(buffer)
    cumulative = [row for row in workbook["Lũy kế"].iter_rows(min_row=5, values_only=True)]
    assert cumulative[0][0] == 2009 and cumulative[-1] == (2021, 5, 446, 70, 6392)
    figures = {row[0]: row[1] for row in workbook["Tổng hợp"].iter_rows(min_row=5, values_only=True) if row[0]}
    committees = list(workbook["Theo đảng ủy"].iter_rows(min_row=5, values_only=True))
    total = committees[-1]
    assert total[0] == "Tổng cộng" and len(committees) > 20
    assert [sum(row[i] for row in committees[:-1]) for i in (1, 2, 3, 4, 6, 7, 8)] == [
        total[i] for i in (1, 2, 3, 4, 6, 7, 8)
    ]
    assert total[1] == figures["Số lượt được cử đi học"] == 446
    assert total[4] == figures["Số học viên hoàn thành"]
    assert total[6] == figures["— còn hiệu lực"] == figures["Số học viên hoàn thành"]  # every completion certified
    missing = workbook["Chưa bồi dưỡng"].max_row - 4
    assert missing == total[7] - total[8] > 0


@pytest.mark.django_db
def test_full_scale_compliance_page_lists_who_is_missing_in_a_bounded_number_of_queries(
    full_scale, client, django_assert_max_num_queries
):
    client.force_login(User.objects.get(username="trungtam"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("oversight:compliance"))
    rows = response.context["rows"]
    assert len(rows) > 20 and response.context["total"].required >= 15000
    assert 0 < response.context["total"].certified < response.context["total"].required
    assert response.context["missing"].paginator.count == response.context["total"].missing
    assert len(response.context["missing_rows"]) == 100


@pytest.mark.django_db
def test_full_scale_fills_every_due_bucket(full_scale):
    assert_every_due_bucket_filled()


@pytest.mark.django_db
def test_full_scale_has_this_years_inspections_open_concluded_and_overdue(full_scale):
    from oversight.models import Correction, Inspection

    today = timezone.localdate()
    statuses = set(Inspection.objects.filter(plan__year=today.year).values_list("status", flat=True))
    assert statuses == {Inspection.Status.PLANNED, Inspection.Status.OPEN, Inspection.Status.CONCLUDED}
    assert Correction.objects.overdue(today).exists()


@pytest.mark.django_db
def test_full_scale_has_committees_running_classes_some_failing_the_indicators(full_scale):
    assert_self_run_classes_are_authorized_and_some_fail()
    assert Course.objects.self_run().closed().filter(quality=Course.Quality.MET).exists()
