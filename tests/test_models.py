"""Rules the models keep themselves: database constraints, model validation, and history rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enrollments.models import Attendance, Enrollment
from organizations.models import Appointment, Member
from tests import factories

pytestmark = pytest.mark.django_db


def violates_constraint(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()
    return True


# -- Database constraints ------------------------------------------------------------------------


@pytest.mark.parametrize("score", [Decimal("10.5"), Decimal("-0.5")])
def test_database_refuses_a_final_score_outside_0_to_10(score):
    assert violates_constraint(lambda: factories.EnrollmentFactory(final_score=score))


@pytest.mark.parametrize("score", [Decimal("0"), Decimal("10"), None])
def test_final_score_edges_and_no_score_are_accepted(score):
    enrollment = factories.EnrollmentFactory(final_score=score)
    enrollment.full_clean()
    assert Enrollment.objects.get(pk=enrollment.pk).final_score == score


def test_full_clean_explains_a_score_outside_0_to_10():
    enrollment = factories.EnrollmentFactory()
    enrollment.final_score = Decimal("10.5")
    with pytest.raises(ValidationError) as error:
        enrollment.full_clean()
    assert "final_score" in error.value.message_dict


def test_database_refuses_an_appointment_ending_before_it_starts():
    start = datetime.date(2020, 9, 1)
    assert violates_constraint(
        lambda: factories.AppointmentFactory(start_date=start, end_date=start - datetime.timedelta(days=1))
    )
    assert factories.AppointmentFactory(start_date=start, end_date=start).end_date == start


def test_database_refuses_a_course_ending_before_it_starts():
    assert violates_constraint(
        lambda: factories.CourseFactory(start_date=datetime.date(2021, 3, 5), end_date=datetime.date(2021, 3, 4))
    )


def test_full_clean_explains_a_course_ending_before_it_starts():
    course = factories.CourseFactory.build(
        program=factories.ProgramFactory(),
        organizer=factories.OrganizationFactory(),
        start_date=datetime.date(2021, 3, 5),
        end_date=datetime.date(2021, 3, 4),
    )
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "end_date" in error.value.message_dict


def test_database_refuses_the_same_member_twice_in_a_course():
    enrollment = factories.EnrollmentFactory()
    assert violates_constraint(lambda: factories.EnrollmentFactory(course=enrollment.course, member=enrollment.member))


def test_database_refuses_two_attendance_marks_for_one_session():
    attendance = factories.AttendanceFactory()
    assert violates_constraint(
        lambda: factories.AttendanceFactory(enrollment=attendance.enrollment, session=attendance.session)
    )


def test_database_refuses_two_sessions_in_one_slot():
    session = factories.SessionFactory()
    assert violates_constraint(
        lambda: factories.SessionFactory(course=session.course, date=session.date, period=session.period)
    )


def test_database_refuses_a_second_class_with_the_same_number():
    course = factories.CourseFactory()
    assert violates_constraint(
        lambda: factories.CourseFactory(
            organizer=course.organizer, year=course.year, intake=course.intake, number=course.number
        )
    )


@pytest.mark.parametrize(
    "create",
    [
        pytest.param(lambda: factories.ProgramFactory(completion_threshold=0), id="threshold 0%"),
        pytest.param(lambda: factories.ProgramFactory(completion_threshold=101), id="threshold 101%"),
        pytest.param(lambda: factories.ProgramFactory(pass_score=Decimal("10.5")), id="pass score 10.5"),
        pytest.param(lambda: factories.TopicFactory(hours=Decimal("0")), id="topic of 0 hours"),
        pytest.param(lambda: factories.CourseFactory(capacity=0), id="course of 0 seats"),
        pytest.param(lambda: factories.SeatQuotaFactory(seats=0), id="quota of 0 seats"),
        pytest.param(lambda: factories.EvaluationFactory(content_rating=6), id="rating 6 of 5"),
        pytest.param(lambda: factories.LecturerRatingFactory(rating=0), id="lecturer rating 0"),
    ],
)
def test_database_refuses_values_outside_their_range(create):
    assert violates_constraint(create)


def test_topic_order_is_unique_within_its_program():
    topic = factories.TopicFactory()
    assert violates_constraint(lambda: factories.TopicFactory(program=topic.program, order=topic.order))
    assert factories.TopicFactory(order=topic.order).order == topic.order


# -- Model validation ----------------------------------------------------------------------------


@pytest.fixture
def course():
    return factories.CourseFactory(start_date=datetime.date(2021, 3, 1), end_date=datetime.date(2021, 3, 5))


@pytest.mark.parametrize("date", [datetime.date(2021, 2, 28), datetime.date(2021, 3, 6)])
def test_a_session_outside_its_course_dates_fails_full_clean(course, date):
    session = factories.SessionFactory.build(course=course, date=date, period=1, topic=None, lecturer=None)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert error.value.message_dict.keys() == {"date"}


@pytest.mark.parametrize("date", [datetime.date(2021, 3, 1), datetime.date(2021, 3, 5)])
def test_sessions_on_the_first_and_last_day_are_valid(course, date):
    factories.SessionFactory.build(course=course, date=date, period=2, topic=None, lecturer=None).full_clean()


def test_a_session_on_a_topic_of_another_program_fails_full_clean(course):
    foreign_topic = factories.TopicFactory()
    session = factories.SessionFactory.build(course=course, date=course.start_date, period=1, topic=foreign_topic)
    session.lecturer = factories.LecturerFactory()
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert error.value.message_dict.keys() == {"topic"}


def test_a_session_on_a_topic_of_its_program_is_valid(course):
    own_topic = factories.TopicFactory(program=course.program)
    lecturer = factories.LecturerFactory()
    session = factories.SessionFactory.build(course=course, date=course.start_date, period=1, topic=own_topic)
    session.lecturer = lecturer
    session.full_clean()


def test_attendance_for_a_session_of_another_course_fails_full_clean():
    enrollment = factories.EnrollmentFactory()
    other_session = factories.SessionFactory()
    attendance = Attendance(enrollment=enrollment, session=other_session)
    with pytest.raises(ValidationError) as error:
        attendance.full_clean()
    assert error.value.message_dict.keys() == {"session"}


def test_attendance_for_a_session_of_the_same_course_is_valid():
    enrollment = factories.EnrollmentFactory()
    Attendance(enrollment=enrollment, session=factories.SessionFactory(course=enrollment.course)).full_clean()


def test_a_program_accepts_only_known_posts_as_qualifying():
    program = factories.ProgramFactory(qualifying_posts=["secretary", "chairman"])
    with pytest.raises(ValidationError) as error:
        program.full_clean()
    assert "chairman" in str(error.value.message_dict["qualifying_posts"])


def test_ending_an_appointment_keeps_it_as_history():
    appointment = factories.AppointmentFactory(start_date=datetime.date(2020, 9, 1))
    appointment.end(on=datetime.date(2023, 6, 30))
    appointment.refresh_from_db()
    assert (appointment.end_date, appointment.is_current) == (datetime.date(2023, 6, 30), False)
    assert Appointment.objects.current().filter(pk=appointment.pk).count() == 0


def test_an_appointment_cannot_end_before_it_started():
    appointment = factories.AppointmentFactory(start_date=datetime.date(2020, 9, 1))
    with pytest.raises(ValidationError):
        appointment.end(on=datetime.date(2020, 8, 31))
    appointment.refresh_from_db()
    assert (appointment.end_date, appointment.is_current) == (None, True)


def test_a_member_is_stored_with_a_normalized_name_and_keys():
    member = factories.MemberFactory(full_name="  Pha\u0323m  Anh   Thie\u0302\u0323n ")
    member.refresh_from_db()
    assert member.full_name == "Phạm Anh Thiện"
    assert member.search_key == "pham anh thien"
    assert Member.objects.search("THIỆN").get() == member


# -- History -------------------------------------------------------------------------------------

HISTORY_KEPT = {
    "member": (factories.MemberFactory, "workplace", "Ban Tổ chức Trung ương"),
    "appointment": (factories.AppointmentFactory, "term_label", "2025–2030"),
    "enrollment": (factories.EnrollmentFactory, "final_score", Decimal("8.5")),
    "attendance": (factories.AttendanceFactory, "status", Attendance.Status.LATE),
}


@pytest.mark.parametrize("kind", HISTORY_KEPT)
def test_history_rows_are_written_on_create_change_and_delete(kind):
    factory, field, new_value = HISTORY_KEPT[kind]
    obj = factory()
    old_value = getattr(obj, field)
    setattr(obj, field, new_value)
    obj.save()
    pk = obj.pk
    history = type(obj).history
    obj.delete()
    rows = list(history.filter(id=pk).order_by("history_date", "history_id"))
    assert [row.history_type for row in rows] == ["+", "~", "-"]
    assert [getattr(row, field) for row in rows] == [old_value, new_value, new_value]
