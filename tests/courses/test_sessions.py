"""A class's sessions: inside the class's dates, topics of its program, one session per slot, and a lecturer in
one place per slot, on the admin's add and change pages as in the services."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from courses.forms import CourseForm
from courses.models import Course, Session
from courses.scheduling import Frame, breaches, reschedule_session, schedule_errors, schedule_sessions
from tests import factories

START = datetime.date(2026, 11, 2)
END = datetime.date(2026, 11, 6)


def management_data(page):
    """The management forms of every inline of an admin page, as the browser posts them."""
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = str(value)
        for index, form in enumerate(formset.initial_forms):
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is not None:
                    data[f"{formset.prefix}-{index}-{name}"] = (
                        value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else str(value)
                    )
    return data


def session_rows(data, rows, *, initial=0):
    """Put the session rows into the posted data: each row a dict of date, period, topic, lecturer (and id)."""
    data["sessions-TOTAL_FORMS"] = str(len(rows))
    data["sessions-INITIAL_FORMS"] = str(initial)
    for index, row in enumerate(rows):
        for name, value in row.items():
            if isinstance(value, datetime.date):
                value = value.strftime("%d/%m/%Y")
            elif hasattr(value, "pk"):
                value = value.pk
            data[f"sessions-{index}-{name}"] = "" if value is None else str(value)
    return data


def course_fields(world, program, **overrides):
    fields = {
        "code": "2026-K3-L1",
        "program": program.pk,
        "organizer": world.root.pk,
        "year": "2026",
        "intake": "3",
        "number": "1",
        "start_date": START.strftime("%d/%m/%Y"),
        "end_date": END.strftime("%d/%m/%Y"),
        "venue": "Hội trường Trung tâm",
        "capacity": "60",
        "nomination_deadline": "",
        "status": Course.Status.PLANNED,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def other_program():
    program = factories.ProgramFactory(code="CUV", name="Bồi dưỡng cấp ủy viên cơ sở")
    factories.TopicFactory(program=program, order=1, title="Nghiệp vụ công tác đảng ở chi bộ")
    return program


def add_page_post(client, world, rows, **overrides):
    url = reverse("admin:courses_course_add")
    data = management_data(client.get(url))
    data.update(course_fields(world, world.program, **overrides))
    return client.post(url, session_rows(data, rows))


def row_errors(response):
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "sessions")
    return [dict(form.errors) for form in formset.forms]


# -- The reproduction: a class created together with its sessions -------------------------------------------


def test_add_page_refuses_a_session_months_after_the_class_ends(world, center_staff, client_for):
    late = datetime.date(2027, 3, 1)
    response = add_page_post(
        client_for(center_staff),
        world,
        [{"date": START, "period": 1, "topic": world.topic}, {"date": late, "period": 1, "topic": world.topic}],
    )
    assert response.status_code == 200
    assert not Course.objects.filter(code="2026-K3-L1").exists()
    errors = row_errors(response)
    assert errors[0] == {}
    assert "nằm ngoài thời gian của lớp" in str(errors[1]["date"])
    assert "01/03/2027" in str(errors[1]["date"])


def test_add_page_refuses_a_topic_of_another_program(world, center_staff, client_for, other_program):
    foreign = other_program.topics.get()
    response = add_page_post(client_for(center_staff), world, [{"date": START, "period": 1, "topic": foreign}])
    assert response.status_code == 200
    assert not Course.objects.filter(code="2026-K3-L1").exists()
    assert "không thuộc chương trình của lớp" in str(row_errors(response)[0]["topic"])


def test_add_page_saves_a_good_schedule(world, center_staff, client_for):
    response = add_page_post(
        client_for(center_staff),
        world,
        [
            {"date": START, "period": 1, "topic": world.topic, "lecturer": world.lecturer},
            {"date": START, "period": 2, "topic": world.topic},
        ],
    )
    assert response.status_code == 302
    course = Course.objects.get(code="2026-K3-L1")
    assert list(course.sessions.values_list("date", "period")) == [(START, 1), (START, 2)]


def test_add_page_labels_every_topic_with_its_program(world, center_staff, client_for, other_program):
    page = client_for(center_staff).get(reverse("admin:courses_course_add")).content.decode()
    assert "BTCB — 1. Nghiệp vụ công tác đảng ở chi bộ" in page
    assert "CUV — 1. Nghiệp vụ công tác đảng ở chi bộ" in page


def test_add_page_refuses_two_new_rows_in_one_slot(world, center_staff, client_for):
    response = add_page_post(
        client_for(center_staff),
        world,
        [{"date": START, "period": 1, "topic": world.topic}, {"date": START, "period": 1, "topic": world.topic}],
    )
    assert response.status_code == 200
    assert not Course.objects.filter(code="2026-K3-L1").exists()
    errors = row_errors(response)
    assert errors[0] == {}
    assert "Lớp đã có một buổi học vào buổi sáng ngày 02/11/2026." in str(errors[1]["period"])


def test_add_page_refuses_a_lecturer_teaching_another_class_in_the_slot(world, center_staff, client_for):
    other = factories.CourseFactory(code="2026-K2-L4", program=world.program, start_date=START, end_date=END)
    factories.SessionFactory(course=other, date=START, period=2, lecturer=world.lecturer, topic=world.topic)
    response = add_page_post(
        client_for(center_staff),
        world,
        [{"date": START, "period": 2, "topic": world.topic, "lecturer": world.lecturer}],
    )
    assert response.status_code == 200
    assert not Course.objects.filter(code="2026-K3-L1").exists()
    message = str(row_errors(response)[0]["lecturer"])
    assert "PGS.TS. Đỗ Xuân Ánh" in message
    assert "lớp 2026-K2-L4 vào buổi chiều ngày 02/11/2026" in message


# -- The change page ----------------------------------------------------------------------------------------


def change_page_post(client, course, rows=None, **overrides):
    url = reverse("admin:courses_course_change", args=[course.pk])
    page = client.get(url)
    data = management_data(page)
    fields = page.context["adminform"].form.initial
    for name in ["code", "program", "organizer", "year", "intake", "number", "venue", "capacity", "status"]:
        value = fields.get(name)
        data[name] = str(value.pk if hasattr(value, "pk") else value)
    data["start_date"] = course.start_date.strftime("%d/%m/%Y")
    data["end_date"] = course.end_date.strftime("%d/%m/%Y")
    data["nomination_deadline"] = ""
    data.update(overrides)
    if rows is not None:
        session_rows(data, rows, initial=course.sessions.count())
    return client.post(url, data)


@pytest.fixture
def planned(world):
    course = factories.CourseFactory(
        code="2026-K3-L2", program=world.program, organizer=world.root, start_date=START, end_date=END
    )
    factories.SessionFactory(course=course, date=START, period=1, topic=world.topic, lecturer=world.lecturer)
    factories.SessionFactory(course=course, date=END, period=1, topic=world.topic, lecturer=None)
    return course


def test_change_page_refuses_dates_that_leave_a_session_outside(world, center_staff, client_for, planned):
    response = change_page_post(client_for(center_staff), planned, end_date="05/11/2026")
    assert response.status_code == 200
    assert "nằm ngoài thời gian của lớp" in str(row_errors(response)[1]["date"])
    planned.refresh_from_db()
    assert planned.end_date == END


def test_change_page_moves_a_class_with_its_sessions_at_once(world, center_staff, client_for, planned):
    first, last = planned.sessions.order_by("date")
    week = datetime.timedelta(days=7)
    rows = [
        {"id": first.pk, "date": START + week, "period": 1, "topic": world.topic, "lecturer": world.lecturer},
        {"id": last.pk, "date": END + week, "period": 1, "topic": world.topic, "lecturer": None},
    ]
    response = change_page_post(
        client_for(center_staff),
        planned,
        rows,
        start_date=(START + week).strftime("%d/%m/%Y"),
        end_date=(END + week).strftime("%d/%m/%Y"),
    )
    assert response.status_code == 302
    assert sorted(planned.sessions.values_list("date", flat=True)) == [START + week, END + week]


def test_change_page_refuses_a_program_whose_topics_the_sessions_do_not_teach(
    world, center_staff, client_for, planned, other_program
):
    response = change_page_post(client_for(center_staff), planned, program=str(other_program.pk))
    assert response.status_code == 200
    assert "không thuộc chương trình của lớp" in str(row_errors(response)[0])
    planned.refresh_from_db()
    assert planned.program == world.program


def test_change_page_lists_only_the_class_programs_topics(world, center_staff, client_for, planned, other_program):
    page = client_for(center_staff).get(reverse("admin:courses_course_change", args=[planned.pk]))
    formset = next(f.formset for f in page.context["inline_admin_formsets"] if f.formset.prefix == "sessions")
    labels = [label for _value, label in formset.forms[0].fields["topic"].choices if _value]
    assert labels == ["BTCB — 1. Nghiệp vụ công tác đảng ở chi bộ"]


def test_change_page_adds_a_row_in_a_taken_slot_refused_on_the_row(world, center_staff, client_for, planned):
    first, last = planned.sessions.order_by("date")
    rows = [
        {"id": first.pk, "date": START, "period": 1, "topic": world.topic, "lecturer": world.lecturer},
        {"id": last.pk, "date": END, "period": 1, "topic": world.topic, "lecturer": None},
        {"date": END, "period": 1, "topic": world.topic},
    ]
    response = change_page_post(client_for(center_staff), planned, rows)
    assert response.status_code == 200
    assert "Lớp đã có một buổi học vào buổi sáng ngày 06/11/2026." in str(row_errors(response)[2]["period"])
    assert planned.sessions.count() == 2


# -- The session's own page ---------------------------------------------------------------------------------


def test_session_page_refuses_a_lecturer_booked_elsewhere_and_a_date_outside(world, center_staff, client_for):
    client = client_for(center_staff)
    url = reverse("admin:courses_session_add")
    factories.SessionFactory(
        course=world.root_course, date=datetime.date(2021, 3, 1), period=2, lecturer=world.lecturer
    )
    base = {"course": world.course_a.pk, "period": "2", "topic": world.topic.pk, "lecturer": world.lecturer.pk}
    response = client.post(url, {**base, "date": "01/03/2021"})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "lớp 2021-K1-L1 vào buổi chiều ngày 01/03/2021" in str(form.errors["lecturer"])
    response = client.post(url, {**base, "date": "01/09/2021", "lecturer": ""})
    assert "nằm ngoài thời gian của lớp (01/03/2021 – 05/03/2021)" in str(response.context["adminform"].form.errors)
    response = client.post(url, {**base, "date": "02/03/2021"})
    assert response.status_code == 302
    assert world.course_a.sessions.filter(date=datetime.date(2021, 3, 2), lecturer=world.lecturer).exists()


# -- The service --------------------------------------------------------------------------------------------


def new_session(day, period, topic=None, lecturer=None):
    return Session(date=day, period=period, topic=topic, lecturer=lecturer)


def test_schedule_sessions_adds_a_whole_set(world, planned):
    other = factories.LecturerFactory()
    saved = schedule_sessions(
        planned, [new_session(START, 2, world.topic, other), new_session(END, 2, world.topic)], by=None
    )
    assert len(saved) == 2
    assert planned.sessions.count() == 4


def test_schedule_sessions_refuses_the_whole_set_naming_each_session(world, planned, other_program):
    foreign = other_program.topics.get()
    booked = factories.CourseFactory(code="2026-K9-L9", program=world.program, start_date=START, end_date=END)
    factories.SessionFactory(course=booked, date=START, period=3, lecturer=world.lecturer, topic=world.topic)
    sessions = [
        new_session(START, 2, world.topic),
        new_session(START, 1, world.topic),
        new_session(datetime.date(2027, 2, 1), 1, world.topic),
        new_session(END, 2, foreign),
        new_session(START, 3, world.topic, world.lecturer),
    ]
    with pytest.raises(ValidationError) as refused:
        schedule_sessions(planned, sessions, by=None)
    messages = refused.value.messages
    assert messages == [
        "Buổi sáng ngày 02/11/2026: Lớp đã có một buổi học vào buổi sáng ngày 02/11/2026.",
        "Buổi sáng ngày 01/02/2027: Ngày học 01/02/2027 nằm ngoài thời gian của lớp (02/11/2026 – 06/11/2026).",
        "Buổi chiều ngày 06/11/2026: Chuyên đề này thuộc chương trình khác, không thuộc chương trình của lớp.",
        "Buổi tối ngày 02/11/2026: Giảng viên PGS.TS. Đỗ Xuân Ánh đã có lịch dạy lớp 2026-K9-L9 vào buổi tối "
        "ngày 02/11/2026.",
    ]
    assert planned.sessions.count() == 2


def test_schedule_sessions_is_refused_to_an_officer_of_another_subtree(world, officer_a, planned):
    with pytest.raises(PermissionDenied):
        schedule_sessions(planned, [new_session(START, 2, world.topic)], by=officer_a)
    assert planned.sessions.count() == 2


def test_reschedule_session_moves_a_session_by_the_same_rules(world, planned):
    first, last = planned.sessions.order_by("date")
    booked = factories.CourseFactory(code="2026-K9-L9", program=world.program, start_date=START, end_date=END)
    factories.SessionFactory(course=booked, date=END, period=2, lecturer=world.lecturer, topic=world.topic)
    with pytest.raises(ValidationError, match="Lớp đã có một buổi học vào buổi sáng ngày 06/11/2026"):
        reschedule_session(first, date=END, by=None)
    with pytest.raises(ValidationError, match="đã có lịch dạy lớp 2026-K9-L9 vào buổi chiều ngày 06/11/2026"):
        reschedule_session(first, date=END, period=2, by=None)
    with pytest.raises(ValidationError, match="nằm ngoài thời gian của lớp"):
        reschedule_session(first, date=END + datetime.timedelta(days=1), by=None)
    first.refresh_from_db()
    assert (first.date, first.period) == (START, 1)
    reschedule_session(first, date=END, period=3, by=None)
    first.refresh_from_db()
    assert (first.date, first.period, first.lecturer) == (END, 3, world.lecturer)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_classes_booking_one_lecturer_in_one_slot_at_once_get_one_session(world):
    """The lecturer's row lock makes the second booking wait for the first and see it."""
    assert connection.vendor == "postgresql"
    courses = [
        factories.CourseFactory(code=f"2026-K8-L{n}", program=world.program, start_date=START, end_date=END)
        for n in range(4)
    ]
    barrier = threading.Barrier(len(courses))
    refused = []

    def book(course):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            schedule_sessions(course, [new_session(START, 1, world.topic, world.lecturer)], by=None)
        except ValidationError as error:
            refused.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(course,)) for course in courses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Session.objects.filter(lecturer=world.lecturer, date=START, period=1).count() == 1
    assert len(refused) == len(courses) - 1
    assert not Session.objects.filter(date=START).double_booked().exists()


def test_course_form_without_the_sessions_refuses_dates_leaving_a_session_outside(world, planned):
    """Where the page does not edit the sessions alongside, the class's own form says which sessions block it."""

    class Form(CourseForm):
        sessions_edited_alongside = False

        class Meta:
            model = Course
            fields = ["program", "start_date", "end_date"]

    form = Form({"program": world.program.pk, "start_date": "02/11/2026", "end_date": "04/11/2026"}, instance=planned)
    assert not form.is_valid()
    assert "Các buổi học sau nằm ngoài thời gian mới của lớp: 06/11/2026." in form.errors["end_date"]
    form = Form({"program": world.program.pk, "start_date": "01/11/2026", "end_date": "08/11/2026"}, instance=planned)
    assert form.is_valid()


# -- Properties and costs -----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)),
    length=st.integers(0, 30),
    offsets=st.lists(st.tuples(st.integers(-40, 70), st.sampled_from([1, 2, 3])), max_size=12),
)
def test_rules_refuse_exactly_the_sessions_outside_the_dates_and_the_repeated_slots(start, length, offsets):
    """No database: sessions without topic or lecturer need none."""
    end = start + datetime.timedelta(days=length)
    sessions = [new_session(start + datetime.timedelta(days=o), p) for o, p in offsets]
    errors = schedule_errors(sessions, Frame(None, start, end, None))
    seen = set()
    for session, found in zip(sessions, errors, strict=True):
        assert ("date" in found) == (not start <= session.date <= end)
        assert ("period" in found) == ((session.date, session.period) in seen)
        seen.add((session.date, session.period))
    assert sum("period" not in found for found in errors) == len({(s.date, s.period) for s in sessions})


@pytest.mark.parametrize("size", [3, 30])
def test_checking_a_schedule_costs_the_same_queries_at_any_size(world, size, django_assert_max_num_queries):
    """The topics' programs in one query, the lecturers' other classes in one: none per session."""
    lecturers = factories.LecturerFactory.create_batch(3)
    topics = factories.TopicFactory.create_batch(3, program=world.program)
    sessions = [
        Session(
            date=START + datetime.timedelta(days=i // 3),
            period=i % 3 + 1,
            topic_id=topics[i % 3].pk,
            lecturer_id=lecturers[i % 3].pk,
        )
        for i in range(size)
    ]
    with django_assert_max_num_queries(2):
        errors = schedule_errors(sessions, Frame(None, START, START + datetime.timedelta(days=size), world.program.pk))
    assert errors == [{}] * size


@pytest.mark.parametrize("rows", [2, 12])
def test_the_add_page_reads_the_lecturers_other_classes_in_one_query(world, center_staff, client_for, rows):
    client = client_for(center_staff)
    url = reverse("admin:courses_course_add")
    data = management_data(client.get(url))
    # A capacity of 0 keeps the class unsaved while every row is valid, so the whole schedule is checked.
    data.update(course_fields(world, world.program, end_date="30/11/2026", capacity="0"))
    lecturers = factories.LecturerFactory.create_batch(2)
    booked = factories.CourseFactory(code="2026-K9-L9", program=world.program, start_date=START, end_date=END)
    factories.SessionFactory(course=booked, date=START, period=1, lecturer=lecturers[0], topic=world.topic)
    days = [START + datetime.timedelta(days=i) for i in range(rows)]
    schedule = [
        {"date": day, "period": 1, "topic": world.topic, "lecturer": lecturers[i % 2]} for i, day in enumerate(days)
    ]
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, session_rows(data, schedule))
    errors = row_errors(response)
    assert "lớp 2026-K9-L9 vào buổi sáng ngày 02/11/2026" in str(errors[0]["lecturer"])
    assert errors[1:] == [{}] * (rows - 1)
    assert len([q for q in queries.captured_queries if 'FROM "courses_session"' in q["sql"]]) == 1


def test_breaches_name_what_bulk_written_sessions_break(world, planned, other_program):
    """The demo writes sessions in bulk; this is how it knows its plan kept the rules (the world's fixture
    books its lecturer in three classes at once on 01/03/2021)."""
    Session.objects.filter(course=planned, date=END).update(date=datetime.date(2027, 1, 4))
    Session.objects.filter(course=planned, date=START).update(topic=other_program.topics.get())
    found = breaches(Session.objects.filter(course__in=[planned, world.root_course, world.course_a]))
    assert found == [
        "2026-K3-L2, buổi sáng ngày 02/11/2026: "
        "Chuyên đề này thuộc chương trình khác, không thuộc chương trình của lớp.",
        "2026-K3-L2, buổi sáng ngày 04/01/2027: "
        "Ngày học 04/01/2027 nằm ngoài thời gian của lớp (02/11/2026 – 06/11/2026).",
        "Giảng viên Đỗ Xuân Ánh dạy 2 lớp cùng lúc vào buổi sáng ngày 01/03/2021.",
    ]


def test_change_page_swapping_two_sessions_slots_asks_for_one_step_at_a_time(world, center_staff, client_for, planned):
    # Saved row by row, the swap would meet the other session in its old slot (a database error); it is
    # refused on the row instead, and nothing is written.
    first, last = planned.sessions.order_by("date")
    rows = [
        {"id": first.pk, "date": END, "period": 1, "topic": world.topic, "lecturer": world.lecturer},
        {"id": last.pk, "date": START, "period": 1, "topic": world.topic, "lecturer": None},
    ]
    response = change_page_post(client_for(center_staff), planned, rows)
    assert response.status_code == 200
    assert "hãy lưu từng bước" in str(row_errors(response)[0]["date"])
    first.refresh_from_db()
    last.refresh_from_db()
    assert (first.date, last.date) == (START, END)


def test_change_page_moving_a_session_into_the_slot_of_one_deleted_below_asks_for_one_step(
    world, center_staff, client_for, planned
):
    first, last = planned.sessions.order_by("date")
    rows = [
        {"id": first.pk, "date": END, "period": 1, "topic": world.topic, "lecturer": world.lecturer},
        {"id": last.pk, "date": END, "period": 1, "topic": world.topic, "lecturer": None, "DELETE": "on"},
    ]
    response = change_page_post(client_for(center_staff), planned, rows)
    assert response.status_code == 200
    assert "hãy lưu từng bước" in str(row_errors(response)[0]["date"])
    assert planned.sessions.count() == 2


def test_a_closed_class_s_schedule_is_kept_on_the_session_pages_and_in_the_services(
    world, center_staff, client_for, planned
):
    Course.objects.filter(pk=planned.pk).update(status=Course.Status.CLOSED)
    planned.refresh_from_db()
    session = planned.sessions.order_by("date").first()
    client = client_for(center_staff)
    base = {"course": planned.pk, "period": "2", "topic": world.topic.pk, "date": "03/11/2026"}
    response = client.post(reverse("admin:courses_session_add"), base)
    assert response.status_code == 200
    assert "đã kết thúc" in str(response.context["adminform"].form.errors["course"])
    change = client.post(reverse("admin:courses_session_change", args=[session.pk]), {**base, "date": "04/11/2026"})
    delete = client.post(reverse("admin:courses_session_delete", args=[session.pk]), {"post": "yes"})
    assert (change.status_code, delete.status_code) == (403, 403)
    with pytest.raises(ValidationError, match="đã kết thúc"):
        schedule_sessions(planned, [new_session(START, 2, world.topic)], by=None)
    with pytest.raises(ValidationError, match="đã kết thúc"):
        reschedule_session(session, by=None, period=2)
    assert sorted(planned.sessions.values_list("date", "period")) == [(START, 1), (END, 1)]
