"""Classes run by the committees (issue 17): the center's authorization, an authorized committee's officers opening
and running their own classes, the quality indicators and their verdict, and the center's acceptance, after which
the class's certificates count for "trained" and compliance."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from certificates.training import certificates_that_train
from courses import lifecycle
from courses.models import Course, Session
from enrollments.closing import close_course
from organizations import permissions
from organizations.access import scope_of
from organizations.class_authorizations import authorize_classes, revoke_authorization
from organizations.models import ClassAuthorization
from oversight import compliance
from oversight.indicators import indicators_for, verdict
from oversight.quality import accept_class, judge_closed_class
from tests import factories

DECISION = {"decision_number": "125-QĐ/ĐUK", "decision_date": datetime.date(2020, 6, 1)}


def authorize_b(world):
    return authorize_classes(world.committee_b, by=world.center_staff, **DECISION)


def fresh(user):
    """The user as a new request sees it (the predicates keep their answers on the user object)."""
    return type(user).objects.get(pk=user.pk)


# -- Authorization ---------------------------------------------------------------------------------------


def test_the_center_authorizes_a_committee_and_the_history_names_it(world):
    authorization = authorize_b(world)
    assert permissions.may_run_own_classes(fresh(world.officer_b))
    assert not permissions.may_run_own_classes(fresh(world.officer_a))
    record = authorization.history.get()
    assert record.history_user == world.center_staff
    assert record.history_change_reason == "Giao tự tổ chức lớp"

    revoke_authorization(authorization, on=datetime.date(2021, 1, 1), by=world.center_staff)
    assert not permissions.may_run_own_classes(fresh(world.officer_b))
    assert authorization.history.count() == 2


def test_an_officer_cannot_authorize(world):
    before = ClassAuthorization.objects.count()
    with pytest.raises(PermissionDenied):
        authorize_classes(world.committee_b, by=world.officer_b, **DECISION)
    assert ClassAuthorization.objects.count() == before


# -- An officer opening a class ----------------------------------------------------------------------------


def new_course(world, organizer, **fields):
    return Course(
        code=fields.pop("code", "2026-B-L9"),
        program=world.program,
        organizer=organizer,
        year=2026,
        intake=1,
        number=9,
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 5, 8),
        capacity=40,
        **fields,
    )


def test_an_authorized_officer_opens_a_class_for_their_own_committee_only(world):
    officer = fresh(world.officer_b)
    with pytest.raises(PermissionDenied):
        lifecycle.save_course(new_course(world, world.committee_b), by=officer)
    authorize_b(world)
    officer = fresh(world.officer_b)
    course = lifecycle.save_course(new_course(world, world.committee_b), by=officer)
    assert course.kind == Course.Kind.SELF_RUN
    assert course.history.get().history_user == officer
    with pytest.raises(PermissionDenied):
        lifecycle.save_course(new_course(world, world.committee_a, code="2026-A-L9"), by=officer)
    with pytest.raises(PermissionDenied):
        lifecycle.save_course(new_course(world, world.root, code="2026-K1-L9"), by=officer)
    # Another committee's officer, not authorized, is refused its own committee too.
    with pytest.raises(PermissionDenied):
        lifecycle.save_course(new_course(world, world.committee_a, code="2026-A-L8"), by=fresh(world.officer_a))


def test_a_self_run_class_follows_an_issued_program_without_co_organizer(world):
    authorize_b(world)
    world.program.status = world.program.Status.DRAFT
    world.program.save()
    with pytest.raises(ValidationError) as raised:
        lifecycle.save_course(new_course(world, world.committee_b), by=fresh(world.officer_b))
    assert "program" in raised.value.message_dict


def test_the_three_kinds_of_class(world):
    co = factories.CourseFactory(program=world.program, organizer=world.root, co_organizer=world.committee_a)
    assert set(Course.objects.centers().values_list("pk", flat=True)) == {world.root_course.pk}
    assert set(Course.objects.co_organized().values_list("pk", flat=True)) == {co.pk}
    assert set(Course.objects.self_run().values_list("pk", flat=True)) == {world.course_a.pk, world.course_b.pk}
    co = Course.objects.select_related("organizer").get(pk=co.pk)
    assert co.kind == Course.Kind.CO_ORGANIZED


def test_the_add_page_is_offered_to_an_authorized_officer_with_only_their_committee(world, client_for):
    url = reverse("admin:courses_course_add")
    assert client_for(world.officer_b).get(url).status_code == 403
    authorize_b(world)
    response = client_for(world.officer_b).get(url)
    assert response.status_code == 200
    organizers = list(response.context["adminform"].form.fields["organizer"].queryset)
    assert organizers == [world.committee_b]
    assert client_for(world.officer_a).get(url).status_code == 403


def test_an_authorized_officer_runs_their_class_and_not_the_centers(world):
    authorize_b(world)
    officer = fresh(world.officer_b)
    assert permissions.may_close(officer, world.course_b)
    assert permissions.may_issue(officer, world.course_b)
    assert permissions.may_mark_attendance(officer, world.course_b)
    assert permissions.may_schedule(officer, world.course_b)
    assert not permissions.may_close(officer, world.root_course)
    assert not permissions.may_issue(officer, world.root_course)
    assert not permissions.may_mark_attendance(officer, world.root_course)
    assert not permissions.may_reopen(officer)
    assert not permissions.may_accept_class(officer)
    # The unauthorized committee's officer keeps what it had: nothing of running a class.
    assert not permissions.may_close(fresh(world.officer_a), world.course_a)
    assert not permissions.may_mark_attendance(fresh(world.officer_a), world.course_a)


# -- Indicators and their verdict ------------------------------------------------------------------------------


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    delivered=st.integers(min_value=0, max_value=200),
    planned=st.integers(min_value=1, max_value=200),
    conference=st.lists(st.dates(datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)), max_size=3),
    minimum=st.sampled_from([Decimal("0.5"), Decimal("0.8"), Decimal("1")]),
)
def test_the_verdict_rule(delivered, planned, conference, minimum):
    meets, reasons = verdict(Decimal(delivered), Decimal(planned), conference, minimum)
    short = Decimal(delivered) < minimum * planned
    assert meets == (not short and not conference)
    assert len(reasons) == short + bool(conference)
    if conference:
        assert "hội nghị" in reasons[-1]
    if short:
        assert reasons[0].startswith(f"Số tiết đã học {delivered},0/{planned},0")


def test_indicators_from_the_records(world, settings):
    settings.SESSION_HOURS = 4
    program = factories.ProgramFactory()
    topics = [factories.TopicFactory(program=program, hours=Decimal(8)) for _ in range(3)]
    course = factories.CourseFactory(program=program, organizer=world.committee_b)
    outsider = factories.LecturerFactory(in_pool=False)
    factories.SessionFactory(course=course, topic=topics[0], date=datetime.date(2021, 3, 1), period=1)
    factories.SessionFactory(course=course, topic=topics[0], date=datetime.date(2021, 3, 1), period=2)
    factories.SessionFactory(course=course, topic=topics[0], date=datetime.date(2021, 3, 2), period=1)
    conference = factories.SessionFactory(
        course=course, topic=topics[1], date=datetime.date(2021, 3, 3), period=1, lecturer=outsider
    )
    Session.objects.filter(pk=conference.pk).update(during_conference=True)
    enrollment = factories.EnrollmentFactory(course=course)
    factories.AttendanceFactory(enrollment=enrollment, session=conference)
    factories.EvaluationFactory(enrollment=enrollment)

    indicators = indicators_for([course])[course.pk]
    # Topic 1 taught three half-days (12 periods) counts its own 8; topic 2 one half-day, 4; topic 3 none.
    assert indicators.hours_delivered == 12
    assert indicators.program_hours == 24
    assert indicators.attendance_recorded_share == 0.25
    assert indicators.topics_as_planned_share == pytest.approx(2 / 3)
    assert indicators.pool_lecturers_only is False
    assert indicators.evaluations == 1
    assert not indicators.meets_requirements
    assert indicators.reasons == (
        "Số tiết đã học 12,0/24,0, dưới 80% số tiết của chương trình.",
        "Buổi học trùng ngày hội nghị: 03/03/2021.",
    )


@pytest.mark.parametrize("size", [2, 8])
def test_indicators_take_a_fixed_number_of_queries(world, size, django_assert_max_num_queries):
    courses = []
    for _ in range(size):
        course = factories.CourseFactory(program=world.program, organizer=world.committee_b)
        factories.SessionFactory(course=course, topic=world.topic)
        courses.append(course)
    with django_assert_max_num_queries(3):
        result = indicators_for(courses)
    assert set(result) == {course.pk for course in courses}


# -- The verdict and the center's acceptance -------------------------------------------------------------------


def certified_b(world):
    period = compliance.term_period()
    return compliance.totals(compliance.holders_in(world.center_staff, period, world.committee_b))


def train_count(world):
    return certificates_that_train([world.program.pk], None).filter(enrollment__course=world.course_b).count()


@pytest.mark.usefixtures("in_the_2020_term")
def test_a_failing_self_run_class_does_not_train_until_the_center_accepts_it(world):
    Session.objects.filter(pk=world.session_b.pk).update(during_conference=True)
    Course.objects.filter(pk=world.course_b.pk).update(status=Course.Status.CERTIFIED)
    before = certified_b(world)
    assert train_count(world) == 1

    course = judge_closed_class(world.course_b, world.center_staff)
    assert course.quality == Course.Quality.NOT_MET
    assert course.quality_reasons == "Buổi học trùng ngày hội nghị: 01/03/2021."
    assert train_count(world) == 0
    required, certified = certified_b(world)
    assert (required, certified) == (before[0], before[1] - 1)

    with pytest.raises(PermissionDenied):
        accept_class(course, by=world.officer_b, reason="Đã học bù")
    with pytest.raises(ValidationError):
        accept_class(course, by=world.center_staff, reason="  ")
    accepted = accept_class(course, by=world.center_staff, reason="Đã tổ chức học bù buổi trùng hội nghị")
    assert accepted.quality == Course.Quality.ACCEPTED
    assert train_count(world) == 1
    assert certified_b(world) == before
    record = accepted.history.first()
    assert record.history_user == world.center_staff
    assert record.history_change_reason == "Trung tâm công nhận lớp: Đã tổ chức học bù buổi trùng hội nghị"


def test_closing_a_self_run_class_stores_its_verdict(world):
    authorize_b(world)
    Session.objects.filter(pk=world.session_b.pk).update(during_conference=True)
    close_course(world.course_b, by=fresh(world.officer_b), today=datetime.date(2021, 4, 1))
    course = Course.objects.get(pk=world.course_b.pk)
    assert course.status == Course.Status.CLOSED
    assert course.quality == Course.Quality.NOT_MET
    # The center's own class is not judged.
    close_course(world.root_course, by=world.center_staff, today=datetime.date(2021, 4, 1), reason="Đủ")
    assert Course.objects.get(pk=world.root_course.pk).quality == Course.Quality.UNJUDGED


# -- The pages -------------------------------------------------------------------------------------------------


def test_the_class_page_shows_the_indicators_and_the_accept_button(world, client_for):
    Session.objects.filter(pk=world.session_b.pk).update(during_conference=True)
    Course.objects.filter(pk=world.course_b.pk).update(status=Course.Status.CLOSED)
    judge_closed_class(world.course_b)
    url = reverse("admin:courses_course_change", args=[world.course_b.pk])
    page = client_for(world.center_staff).get(url).content.decode()
    assert "Chỉ số chất lượng" in page
    assert "Buổi học trùng ngày hội nghị: 01/03/2021." in page
    assert reverse("admin:courses_course_accept", args=[world.course_b.pk]) in page
    officer_page = client_for(world.officer_b).get(url).content.decode()
    assert "Chỉ số chất lượng" in officer_page
    assert reverse("admin:courses_course_accept", args=[world.course_b.pk]) not in officer_page

    accept = reverse("admin:courses_course_accept", args=[world.course_b.pk])
    assert client_for(world.officer_b).post(accept, {"reason": "x"}).status_code == 403
    response = client_for(world.center_staff).post(accept, {"reason": "Học bù đủ"})
    assert response.status_code == 302
    assert Course.objects.get(pk=world.course_b.pk).quality == Course.Quality.ACCEPTED


def test_the_self_run_list_is_scoped_and_filters_the_failing(world, client_for):
    Session.objects.filter(pk=world.session_b.pk).update(during_conference=True)
    url = reverse("admin:courses_course_self_run")
    center = client_for(world.center_staff).get(url)
    assert {course.code for course, _i in center.context["rows"]} == {"2021-A-L1", "2021-B-L1"}
    failing = client_for(world.center_staff).get(url, {"chua_dat": "1"})
    assert [course.code for course, _i in failing.context["rows"]] == ["2021-B-L1"]
    own = client_for(world.officer_b).get(url)
    assert [course.code for course, _i in own.context["rows"]] == ["2021-B-L1"]
    assert client_for(world.trainee_x).get(url).status_code in (302, 403)


@pytest.mark.parametrize("size", [1, 6])
def test_the_self_run_list_takes_a_fixed_number_of_queries(world, client_for, size, django_assert_max_num_queries):
    for _ in range(size):
        course = factories.CourseFactory(program=world.program, organizer=world.committee_b)
        factories.SessionFactory(course=course, topic=world.topic)
    client = client_for(world.center_staff)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("admin:courses_course_self_run"))
    assert len(response.context["rows"]) == size + 2


# -- The dashboard and the yearly workbook ---------------------------------------------------------------------


def test_the_workbook_separates_the_kinds_and_lists_the_self_run_classes_quality(world):
    import openpyxl

    from tests.reports.test_workbook import export, rows, summary

    factories.CourseFactory(program=world.program, organizer=world.root, co_organizer=world.committee_a)
    Session.objects.filter(pk=world.session_b.pk).update(during_conference=True)
    workbook = openpyxl.load_workbook(export(world.center_staff))
    figures = summary(workbook)
    assert figures["— do Trung tâm tổ chức"] == 1
    assert figures["— Trung tâm phối hợp với đảng ủy tổ chức"] == 1
    assert figures["— do đảng ủy trực thuộc tự tổ chức"] == 2
    assert figures["— trong số đó, lớp tự tổ chức chưa đạt yêu cầu"] == 1
    listed = {row[0]: row for row in rows(workbook, "Lớp tự tổ chức")}
    assert set(listed) == {"2021-A-L1", "2021-B-L1"}
    assert listed["2021-B-L1"][8] == "Chưa đạt yêu cầu"
    assert listed["2021-B-L1"][9] == "Buổi học trùng ngày hội nghị: 01/03/2021."
    assert listed["2021-A-L1"][2:4] == [4, 4]
    assert listed["2021-A-L1"][8] == "Đạt yêu cầu"
    own = openpyxl.load_workbook(export(world.officer_b))
    assert [row[0] for row in rows(own, "Lớp tự tổ chức")] == ["2021-B-L1"]


@pytest.mark.parametrize("size", [1, 6])
def test_the_workbook_and_the_dashboard_keep_a_fixed_number_of_queries(
    world, client_for, size, django_assert_max_num_queries
):
    from django.utils import timezone

    from reports.yearly import YearReport

    year = timezone.localdate().year
    for _ in range(size):
        course = factories.CourseFactory(program=world.program, organizer=world.committee_b, year=year)
        factories.SessionFactory(course=course, topic=world.topic)
    scope_of(world.center_staff)  # the user's scope (and rights), read once per request whatever is counted
    with django_assert_max_num_queries(6):
        report = YearReport(world.center_staff, year)
        assert len(report.self_run_rows()) == size
    client = client_for(world.center_staff)
    client.get(reverse("reports:dashboard"))
    with django_assert_max_num_queries(45):
        response = client.get(reverse("reports:dashboard"))
    assert response.context["summary"].own_courses == size
