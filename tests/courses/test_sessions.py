"""A class's sessions: inside the class's dates, topics of its program, one session per slot, and a lecturer in
one place per slot, on the admin's add and change pages as in the services."""

import datetime

import pytest
from django.urls import reverse

from courses.models import Course
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
