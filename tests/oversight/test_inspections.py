"""The inspection services (oversight/inspections.py): who may plan, open, conclude, report and judge; the
checklist's generic shape; the correction life cycle as a Hypothesis state machine."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from organizations.permissions import is_center, is_inspector, may_close, may_issue, may_link_login, may_nominate
from oversight import inspections
from oversight.models import Correction, CorrectionReport, Inspection, InspectionPlan
from tests import factories
from tests.oversight.world import PDF_BYTES

TODAY = datetime.date(2026, 6, 1)


def pdf(name="bao-cao.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def planned(world):
    plan = InspectionPlan.objects.create(year=2026)
    inspection = inspections.plan_inspection(
        plan,
        inspections.Planned(
            organization=world.committee_a,
            start_date=TODAY,
            end_date=TODAY + datetime.timedelta(days=5),
            topics="Cử cán bộ đi bồi dưỡng",
            team=[world.inspector],
        ),
        by=world.inspector,
    )
    return inspection


def test_the_inspector_reads_everything_but_is_not_the_center(world):
    inspector = world.inspector
    assert is_inspector(inspector) and not is_center(inspector)
    assert not may_close(inspector) and not may_issue(inspector) and not may_link_login(inspector)
    assert not may_nominate(inspector)
    assert is_center(world.center_staff) and not is_inspector(world.center_staff)
    from organizations.models import Member

    assert Member.objects.for_user(inspector).count() == Member.objects.count()


def test_only_inspectors_plan(world):
    plan = InspectionPlan(year=2027)
    for user in (world.center_staff, world.officer_a):
        with pytest.raises(PermissionDenied):
            inspections.save_plan(plan, by=user)
    inspections.save_plan(plan, by=world.inspector)
    assert plan.history.get().history_user == world.inspector


def test_opening_prepares_the_checklist_in_its_generic_shape(world, planned, django_assert_max_num_queries):
    with pytest.raises(PermissionDenied):
        inspections.open_inspection(planned, by=world.officer_a)
    with django_assert_max_num_queries(30):
        inspections.open_inspection(planned, by=world.inspector, today=TODAY)
    planned.refresh_from_db()
    checklist = planned.checklist
    assert planned.status == Inspection.Status.OPEN
    assert checklist["prepared_on"] == "2026-06-01" and checklist["period"]
    keys = [section["key"] for section in checklist["sections"]]
    assert keys == ["compliance", "untrained", "courses", "evaluations"]
    for section in checklist["sections"]:
        assert set(section) == {"key", "title", "figures", "columns", "rows"}
        assert all(len(figure) == 2 and isinstance(figure[1], str) for figure in section["figures"])
        assert all(len(row) == len(section["columns"]) for row in section["rows"])
    with pytest.raises(ValidationError):
        inspections.open_inspection(planned, by=world.inspector)


def test_the_checklist_lists_the_untrained_holders_of_the_subtree(world, planned, in_the_2020_term):
    inspections.open_inspection(planned, by=world.inspector, today=TODAY)
    sections = {section["key"]: section for section in planned.checklist["sections"]}
    names = [row[0] for row in sections["untrained"]["rows"]]
    # A's sub-tree holds one post requiring training, cell A's secretary, who holds no certificate of the term;
    # B's secretary is outside A's sub-tree.
    assert names == [world.secretary_a.full_name]
    assert sections["compliance"]["figures"][0][1] == "1"
    assert sections["courses"]["rows"][0][0] == world.course_a.code  # grassroots A organized course_a


def test_the_command_line_prepares_the_same_checklist(world, planned, in_the_2020_term):
    from oversight.checklist import build_checklist

    assert build_checklist(world.committee_a, user=None, today=TODAY) == build_checklist(
        world.committee_a, user=world.inspector, today=TODAY
    )


def test_evaluations_show_averages_only_from_enough_forms(world, settings, in_the_2020_term):
    from organizations.terms import term_period
    from oversight.checklist import evaluations_section

    settings.EVALUATION_MIN_FORMS = 2
    section = evaluations_section(world.root, term_period(), world.inspector)
    row = next(row for row in section["rows"] if row[0] == world.root_course.code)
    assert row[1] == "2" and row[2] != "—"
    settings.EVALUATION_MIN_FORMS = 3
    section = evaluations_section(world.root, term_period(), world.inspector)
    row = next(row for row in section["rows"] if row[0] == world.root_course.code)
    assert row[2:] == ["—", "—", "—"]


def test_conclusion_requires_corrections_within_the_subtree(world, planned):
    inspections.open_inspection(planned, by=world.inspector, today=TODAY)
    outside = inspections.Required(world.committee_b, "Khắc phục", TODAY + datetime.timedelta(days=30))
    with pytest.raises(ValidationError):
        inspections.conclude(planned, by=world.inspector, conclusion="Kết luận", corrections=[outside], today=TODAY)
    planned.refresh_from_db()
    assert planned.status == Inspection.Status.OPEN and not planned.corrections.exists()
    inside = inspections.Required(world.grassroots_a, "Khắc phục", TODAY + datetime.timedelta(days=30))
    [correction] = inspections.conclude(
        planned, by=world.inspector, conclusion="Kết luận", corrections=[inside], today=TODAY
    )
    assert correction.status == Correction.Status.REQUIRED
    assert planned.status == Inspection.Status.CONCLUDED


def test_a_team_member_who_is_not_an_inspector_inspects_only_their_own(world, planned):
    # The center's staff on the team still lacks the inspectors' right to change inspections.
    planned.team.add(world.center_staff)
    planned._team_ids = None
    with pytest.raises(PermissionDenied):
        inspections.open_inspection(planned, by=world.center_staff)


def test_reports_by_the_responsible_committee_only_with_a_valid_attachment(world):
    correction = world.correction_a
    correction.status = Correction.Status.REQUIRED
    correction.save()
    for user in (world.officer_b, world.inspector, world.center_staff):
        with pytest.raises(PermissionDenied):
            inspections.report_correction(correction, by=user, text="Đã làm")
    with pytest.raises(ValidationError):
        inspections.report_correction(correction, by=world.officer_a, text="Đã làm", attachment=pdf("x.exe"))
    with pytest.raises(ValidationError):
        inspections.report_correction(correction, by=world.officer_a, text="Đã làm", attachment=pdf(content=b"MZ"))
    with pytest.raises(ValidationError):
        big = pdf(content=PDF_BYTES + b"0" * (inspections.attachment_max_bytes() + 1))
        inspections.report_correction(correction, by=world.officer_a, text="Đã làm", attachment=big)
    report = inspections.report_correction(correction, by=world.officer_a, text="Đã làm", attachment=pdf())
    assert report.attachment.read() == PDF_BYTES
    correction.refresh_from_db()
    assert correction.status == Correction.Status.REPORTED
    assert correction.history.latest("history_date").history_user == world.officer_a


def test_the_attachment_download_is_scoped_and_logged(world, client_for):
    from organizations.models import AccessLog

    url = f"/admin/oversight/correctionreport/{world.correction_report_a.pk}/attachment/"
    assert client_for(world.officer_b).get(url).status_code == 404
    before = AccessLog.objects.count()
    response = client_for(world.officer_a).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert AccessLog.objects.count() == before + 1


def test_overdue_corrections_are_scoped(world):
    after_due = datetime.date(2022, 1, 1)
    assert set(inspections.overdue_corrections(world.inspector, after_due)) == {world.correction_a, world.correction_b}
    assert list(inspections.overdue_corrections(world.officer_a, after_due)) == [world.correction_a]
    assert list(inspections.overdue_corrections(world.officer_a, datetime.date(2021, 12, 31))) == []


# -- The correction life cycle ------------------------------------------------------------------------------------

WORLD = {}
DAYS = st.integers(min_value=-40, max_value=40)


class CorrectionMachine(RuleBasedStateMachine):
    """A correction reported, accepted, reopened, reported again, by whoever tries, on any day: the status follows
    the life cycle, refusals write nothing, and it is overdue exactly when not accepted and past due."""

    def __init__(self):
        super().__init__()
        self.world = WORLD["world"]
        self.savepoint = transaction.savepoint()
        self.correction = Correction.objects.create(
            inspection=self.world.inspection_a,
            organization=self.world.grassroots_a,
            text="Bổ sung hồ sơ",
            due_date=TODAY,
        )
        self.expected = Correction.Status.REQUIRED
        self.today = TODAY
        self.reports = 0

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    def _attempt(self, action, allowed_statuses, allowed_user, user, after):
        before = self.correction.status
        try:
            with transaction.atomic():
                action(user)
        except (PermissionDenied, ValidationError):
            self.correction.refresh_from_db()
            assert self.correction.status == before
            assert not (allowed_user and before in allowed_statuses), "a permitted transition was refused"
            return
        assert allowed_user and before in allowed_statuses, "a transition was let through"
        self.expected = after
        self.correction.refresh_from_db()

    @rule(by=st.sampled_from(["officer_a", "officer_b", "inspector", "center_staff"]))
    def report(self, by):
        user = getattr(self.world, by)

        def act(user):
            inspections.report_correction(self.correction, by=user, text="Đã khắc phục", attachment=pdf())

        to_do = {Correction.Status.REQUIRED, Correction.Status.REOPENED}
        self._attempt(act, to_do, by == "officer_a", user, Correction.Status.REPORTED)

    @rule(by=st.sampled_from(["inspector", "officer_a", "center_staff"]), accept=st.booleans())
    def judge(self, by, accept):
        user = getattr(self.world, by)
        service = inspections.accept_report if accept else inspections.reopen_correction
        after = Correction.Status.ACCEPTED if accept else Correction.Status.REOPENED
        self._attempt(
            lambda user: service(self.correction, by=user), {Correction.Status.REPORTED}, by == "inspector", user, after
        )

    @rule(days=DAYS)
    def time_passes(self, days):
        self.today = TODAY + datetime.timedelta(days=days)

    @invariant()
    def status_follows_the_life_cycle(self):
        self.correction.refresh_from_db()
        assert self.correction.status == self.expected

    @invariant()
    def overdue_only_when_not_accepted_and_past_due(self):
        overdue = Correction.objects.overdue(self.today).filter(pk=self.correction.pk).exists()
        expected = self.correction.status != Correction.Status.ACCEPTED and self.today > self.correction.due_date
        assert overdue == expected

    @invariant()
    def one_pending_report_at_most(self):
        pending = self.correction.reports.filter(verdict=CorrectionReport.Verdict.PENDING).count()
        assert pending == (1 if self.correction.status == Correction.Status.REPORTED else 0)


@pytest.mark.django_db(transaction=False)
def test_the_correction_life_cycle_whatever_the_order(world):
    WORLD["world"] = world
    run_state_machine_as_test(
        CorrectionMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=15,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_each_section_costs_the_same_queries_whatever_the_size(world, in_the_2020_term, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organizations.terms import term_period
    from oversight.checklist import SECTIONS

    period = term_period()
    term_period()  # the terms, read once
    small = {}
    for section in SECTIONS:
        section(world.committee_a, period, world.inspector)  # what is cached per process (the programs) is read
        with CaptureQueriesContext(connection) as captured:
            section(world.committee_a, period, world.inspector)
        small[section.__name__] = len(captured)
    for n in range(6):
        cell = factories_cell(world, n)
        member = factories.MemberFactory(organization=cell)
        factories.AppointmentFactory(member=member, organization=cell)
        course = factories.CourseFactory(
            code=f"2021-A-L{n + 2}",
            program=world.program,
            organizer=world.grassroots_a,
            start_date=datetime.date(2021, 4, 1),
            end_date=datetime.date(2021, 4, 2),
        )
        enrollment = factories.EnrollmentFactory(course=course, member=member)
        factories.EvaluationFactory(enrollment=enrollment)
    for section in SECTIONS:
        with django_assert_num_queries(small[section.__name__]):
            rows = section(world.committee_a, period, world.inspector)["rows"]
        assert rows


def factories_cell(world, n):
    return factories.OrganizationFactory(parent=world.grassroots_a, kind="cell", code=f"DU-A-CS1-X{n}")


def test_the_checklist_gives_each_untrained_holder_a_due_date_and_each_own_class_its_indicators(
    world, planned, in_the_2020_term
):
    from oversight import compliance

    inspections.open_inspection(planned, by=world.inspector, today=TODAY)
    sections = {section["key"]: section for section in planned.checklist["sections"]}
    untrained = sections["untrained"]
    holders = compliance.holders_in(world.inspector, compliance.term_period(), world.committee_a)
    (holder,) = compliance.missing(holders)
    assert untrained["rows"][0][3] == f"{holder.due_date:%d/%m/%Y}"
    overdue, due_soon = compliance.due_counts(holders)
    assert dict(untrained["figures"])["Quá hạn"] == str(overdue)
    assert dict(untrained["figures"])["Sắp đến hạn"] == str(due_soon)
    courses = sections["courses"]
    row = dict(zip(courses["columns"], courses["rows"][0], strict=True))
    assert row["Yêu cầu"] in ("Đạt", "Chưa đạt yêu cầu")
    assert "/" in row["Số tiết đã học/chương trình"]
