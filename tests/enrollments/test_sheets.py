"""Attendance sheet, score sheet and attendance matrix: what staff see, what a save writes, and who may."""

import datetime
import math
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Session
from enrollments.models import Attendance, Enrollment
from enrollments.sheets import (
    StaleSheetError,
    attendance_matrix,
    current_attendance_version,
    current_score_version,
    mark_attendance,
    record_scores,
)
from tests import factories

# -- Helpers ----------------------------------------------------------------------------------------


def make_class(world, size=0, *, sessions=1, organizer=None, start=datetime.date(2021, 3, 1), names=()):
    """A course of the world's program with `sessions` half-days from `start` and trainees from A's cell:
    the given names first, then `size` generated ones."""
    course = factories.CourseFactory(
        program=world.program,
        organizer=organizer or world.root,
        start_date=start,
        end_date=start + datetime.timedelta(days=30),
    )
    for index in range(sessions):
        factories.SessionFactory(
            course=course,
            date=start + datetime.timedelta(days=index // 2),
            period=index % 2 + 1,
            topic=world.topic,
            lecturer=world.lecturer,
        )
    for name in names:
        enroll(course, world.cell_a, name)
    for _index in range(size):
        enroll(course, world.cell_a)
    return course


def enroll(course, organization, name=None, **kwargs):
    member_kwargs = {"organization": organization}
    if name:
        member_kwargs["full_name"] = name
    return factories.EnrollmentFactory(course=course, member=factories.MemberFactory(**member_kwargs), **kwargs)


def sheet_url(session):
    return reverse("admin:courses_session_attendance", args=[session.pk])


def scores_url(course):
    return reverse("admin:courses_course_scores", args=[course.pk])


def matrix_url(course):
    return reverse("admin:courses_course_attendance", args=[course.pk])


def form_data(response):
    """What the browser would send back unchanged: every field of the rendered form."""
    form = response.context["form"]
    return {name: form[name].value() for name in form.fields}


def count_queries(send):
    with CaptureQueriesContext(connection) as queries:
        response = send()
    return len(queries), response


def checked_value(content, name):
    """The value of the checked radio button of a group in the rendered page."""
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', content):
        if " checked" in tag:
            return re.search(r'value="([^"]*)"', tag)[1]
    return None


def input_value(content, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', content)[0]
    match = re.search(r'value="([^"]*)"', tag)
    return match[1] if match else ""


@pytest.fixture
def staff_client(world, client_for):
    return client_for(world.center_staff)


# -- Attendance sheet ------------------------------------------------------------------------------


def test_sheet_lists_current_trainees_in_vietnamese_order(world, staff_client):
    """Given names decide the order, in the Vietnamese alphabet (a < â < d < đ); withdrawn trainees are
    left off."""
    course = make_class(world, names=["Trần Văn Đạt", "Lê Văn Dũng", "Phạm Thị Ân", "Vũ Minh Anh"])
    enroll(course, world.cell_a, "Hoàng Văn Bảo", status=Enrollment.Status.WITHDRAWN)
    response = staff_client.get(sheet_url(course.sessions.get()))
    assert response.status_code == 200
    content = response.content.decode()
    positions = [content.index(name) for name in ["Vũ Minh Anh", "Phạm Thị Ân", "Lê Văn Dũng", "Trần Văn Đạt"]]
    assert positions == sorted(positions)
    assert "Hoàng Văn Bảo" not in content


def test_sheet_defaults_to_present_and_shows_saved_statuses(world, staff_client):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng"])
    session = course.sessions.get()
    anh, dung = course.enrollments.roster_order()
    factories.AttendanceFactory(enrollment=dung, session=session, status=Attendance.Status.EXCUSED)
    content = staff_client.get(sheet_url(session)).content.decode()
    assert checked_value(content, f"status_{anh.pk}") == "present"
    assert checked_value(content, f"status_{dung.pk}") == "excused"


def test_sheet_works_with_the_keyboard_alone(world, staff_client):
    """Native radio groups, one per trainee, labelled; a submit button at the end with an access key;
    no inline script."""
    course = make_class(world, names=["Vũ Minh Anh"])
    enrollment = course.enrollments.get()
    content = staff_client.get(sheet_url(course.sessions.get())).content.decode()
    radios = re.findall(rf'<input type="radio" name="status_{enrollment.pk}"[^>]*id="([^"]+)"', content)
    assert len(radios) == 4
    for radio_id in radios:
        assert f'<label for="{radio_id}">' in content
    assert f'<fieldset class="sheet-choices" aria-labelledby="trainee-{enrollment.pk}">' in content
    start = content.index('<form method="post"')
    form = content[start : content.index("</form>", start)]
    last_input = re.findall(r"<input[^>]*>", form)[-1]
    assert 'type="submit"' in last_input and 'accesskey="s"' in last_input
    assert "tabindex" not in form
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", content)


def test_saving_the_sheet_writes_rows_with_history_naming_who(world, staff_client):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng"])
    session = course.sessions.get()
    anh, dung = course.enrollments.roster_order()
    url = sheet_url(session)
    data = form_data(staff_client.get(url))
    data[f"status_{dung.pk}"] = "late"

    response = staff_client.post(url, data)

    assert response.status_code == 302 and response["Location"] == url
    assert dict(session.attendances.values_list("enrollment", "status")) == {anh.pk: "present", dung.pk: "late"}
    history = Attendance.history.filter(session=session)
    assert [(h.history_type, h.history_user) for h in history] == [("+", world.center_staff)] * 2
    assert "Đã lưu 2 thay đổi." in staff_client.get(url).content.decode()


def test_saving_the_same_marks_twice_writes_nothing(world, staff_client):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng"])
    session = course.sessions.get()
    url = sheet_url(session)
    staff_client.post(url, form_data(staff_client.get(url)))
    history = Attendance.history.filter(session=session).count()

    staff_client.post(url, form_data(staff_client.get(url)))

    assert Attendance.history.filter(session=session).count() == history
    assert "Không có thay đổi nào cần lưu." in staff_client.get(url).content.decode()


def test_only_changed_rows_are_written(world):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng", "Trần Văn Đạt"])
    session = course.sessions.get()
    anh, dung, dat = course.enrollments.roster_order()
    marks = {anh.pk: "present", dung.pk: "present", dat.pk: "absent"}
    mark_attendance(session, marks, by=world.center_staff, expected_version=current_attendance_version(session))

    result = mark_attendance(
        session,
        {**marks, dung.pk: "excused"},
        by=world.center_staff,
        expected_version=current_attendance_version(session),
    )

    assert (result.created, result.updated) == (0, 1)
    changes = Attendance.history.filter(session=session, history_type="~")
    assert [(h.enrollment_id, h.status) for h in changes] == [(dung.pk, "excused")]


def test_a_stale_sheet_is_refused_and_what_was_typed_is_kept(world, staff_client):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng"])
    session = course.sessions.get()
    anh, dung = course.enrollments.roster_order()
    url = sheet_url(session)
    data = form_data(staff_client.get(url))
    # Someone else saves the sheet meanwhile.
    mark_attendance(
        session,
        {anh.pk: "excused", dung.pk: "present"},
        by=world.center_staff,
        expected_version=current_attendance_version(session),
    )
    data[f"status_{anh.pk}"] = "absent"

    response = staff_client.post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "bảng này đã được người khác lưu" in content
    assert dict(session.attendances.values_list("enrollment", "status")) == {anh.pk: "excused", dung.pk: "present"}
    assert checked_value(content, f"status_{anh.pk}") == "absent"
    conflicts = [row.enrollment for row in response.context["rows"] if row.conflict]
    assert conflicts == [anh]
    assert "Vắng có phép" in content  # what is saved now, next to the choice

    # Saving the kept choices again is now a deliberate overwrite, and goes through.
    assert staff_client.post(url, form_data(response)).status_code == 302
    assert session.attendances.get(enrollment=anh).status == "absent"


def test_marks_for_a_trainee_of_another_course_are_refused_with_nothing_written(world):
    course = make_class(world, names=["Vũ Minh Anh"])
    session = course.sessions.get()
    own = course.enrollments.get()
    with pytest.raises(ValidationError) as refused:
        mark_attendance(
            session,
            {own.pk: "present", world.enrollment_b.pk: "present"},
            by=world.center_staff,
            expected_version=current_attendance_version(session),
        )
    assert refused.value.message_dict == {
        world.enrollment_b.pk: [f"Võ Thanh Bình không phải học viên của lớp {course.code}."]
    }
    assert not session.attendances.exists()
    assert not Attendance.history.filter(session=session).exists()


def test_marks_for_withdrawn_or_unknown_trainees_or_statuses_are_refused(world):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng"])
    session = course.sessions.get()
    anh, dung = course.enrollments.roster_order()
    Enrollment.objects.filter(pk=dung.pk).update(status=Enrollment.Status.WITHDRAWN)
    with pytest.raises(ValidationError) as refused:
        mark_attendance(
            session,
            {anh.pk: "sleeping", dung.pk: "present", 987654: "present"},
            by=world.center_staff,
            expected_version=current_attendance_version(session),
        )
    assert refused.value.message_dict == {
        anh.pk: ["Trạng thái điểm danh không hợp lệ."],
        dung.pk: ["Lê Văn Dũng đã rút khỏi lớp."],
        987654: ["Dòng 987654: không có học viên này."],
    }
    assert not session.attendances.exists()


def test_a_stale_version_is_refused_by_the_service(world):
    course = make_class(world, names=["Vũ Minh Anh"])
    session = course.sessions.get()
    own = course.enrollments.get()
    version = current_attendance_version(session)
    mark_attendance(session, {own.pk: "late"}, by=world.center_staff, expected_version=version)
    with pytest.raises(StaleSheetError):
        mark_attendance(session, {own.pk: "absent"}, by=world.center_staff, expected_version=version)
    assert session.attendances.get().status == "late"


def measure_sheet(client, url):
    """Queries of showing the sheet and of saving it as shown."""
    get_queries, response = count_queries(lambda: client.get(url))
    data = form_data(response)
    post_queries, response = count_queries(lambda: client.post(url, data))
    assert response.status_code == 302
    return get_queries, post_queries


def test_sheet_costs_the_same_queries_for_10_and_100_trainees(world, staff_client):
    """Showing the sheet and saving it (every row new, so every row written) take a fixed number of
    queries."""
    small, large = make_class(world, 10), make_class(world, 100)
    staff_client.get(sheet_url(small.sessions.get()))  # warm the per-process caches (content types)
    small_counts = measure_sheet(staff_client, sheet_url(small.sessions.get()))
    large_counts = measure_sheet(staff_client, sheet_url(large.sessions.get()))
    assert small_counts == large_counts
    assert Attendance.objects.filter(session__course=large).count() == 100


# -- Score sheet -----------------------------------------------------------------------------------


def test_scores_accept_a_decimal_comma_or_point_and_blank(world, staff_client):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng", "Trần Văn Đạt"])
    anh, dung, dat = course.enrollments.roster_order()
    url = scores_url(course)
    data = form_data(staff_client.get(url))
    data.update({f"score_{anh.pk}": "7,5", f"score_{dung.pk}": " 8.5 ", f"score_{dat.pk}": ""})

    assert staff_client.post(url, data).status_code == 302

    assert dict(course.enrollments.values_list("pk", "final_score")) == {
        anh.pk: Decimal("7.5"),
        dung.pk: Decimal("8.5"),
        dat.pk: None,
    }
    history = Enrollment.history.filter(course=course, history_type="~")
    assert sorted((h.id, h.history_user) for h in history) == [
        (anh.pk, world.center_staff),
        (dung.pk, world.center_staff),
    ]
    # Shown back the Vietnamese way.
    assert input_value(staff_client.get(url).content.decode(), f"score_{anh.pk}") == "7,5"


def test_bad_scores_are_explained_on_their_rows_and_nothing_is_saved(world, staff_client):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng", "Trần Văn Đạt", "Lê Thị Hà"])
    anh, dung, dat, ha = course.enrollments.roster_order()
    url = scores_url(course)
    data = form_data(staff_client.get(url))
    typed = {anh.pk: "abc", dung.pk: "11", dat.pk: "7,25", ha.pk: "8"}
    data.update({f"score_{pk}": value for pk, value in typed.items()})

    response = staff_client.post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    for pk, value in typed.items():
        assert input_value(content, f"score_{pk}") == value
    errors = {row.enrollment.pk: row.field.errors for row in response.context["rows"]}
    assert errors[anh.pk] == ["Điểm phải là một số, ví dụ 7,5."]
    assert errors[dung.pk] == ["Điểm phải từ 0 đến 10."]
    assert errors[dat.pk] == ["Điểm chỉ có một chữ số thập phân, ví dụ 7,5."]
    assert errors[ha.pk] == []
    row = content[content.index(f'id="trainee-{anh.pk}"') : content.index(f'id="trainee-{dung.pk}"')]
    assert "Điểm phải là một số" in row
    assert "Không có gì được ghi." in content
    # The valid row is not half-saved.
    assert not course.enrollments.filter(final_score__isnull=False).exists()
    assert not Enrollment.history.filter(course=course, history_type="~").exists()


def test_saving_the_same_scores_twice_writes_nothing(world, staff_client):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng"])
    anh, _dung = course.enrollments.roster_order()
    url = scores_url(course)
    data = form_data(staff_client.get(url))
    data[f"score_{anh.pk}"] = "9"
    staff_client.post(url, data)
    history = Enrollment.history.filter(course=course).count()

    again = form_data(staff_client.get(url))
    again[f"score_{anh.pk}"] = "9.0"
    staff_client.post(url, again)

    assert Enrollment.history.filter(course=course).count() == history
    assert "Không có thay đổi nào cần lưu." in staff_client.get(url).content.decode()


def test_a_stale_score_sheet_is_refused_and_what_was_typed_is_kept(world, staff_client):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng"])
    anh, dung = course.enrollments.roster_order()
    url = scores_url(course)
    data = form_data(staff_client.get(url))
    record_scores(course, {anh.pk: Decimal("6")}, by=world.center_staff, expected_version=current_score_version(course))
    data.update({f"score_{anh.pk}": "7,5", f"score_{dung.pk}": "8"})

    response = staff_client.post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "bảng này đã được người khác lưu" in content
    assert input_value(content, f"score_{anh.pk}") == "7,5"
    assert input_value(content, f"score_{dung.pk}") == "8"
    assert [row.enrollment for row in response.context["rows"] if row.conflict] == [anh]
    assert dict(course.enrollments.values_list("pk", "final_score")) == {anh.pk: Decimal("6.0"), dung.pk: None}

    assert staff_client.post(url, form_data(response)).status_code == 302
    assert dict(course.enrollments.values_list("pk", "final_score")) == {anh.pk: Decimal("7.5"), dung.pk: Decimal("8")}


def test_record_scores_is_all_or_nothing(world):
    course = make_class(world, names=["Vũ Minh Anh", "Lê Văn Dũng"])
    anh, dung = course.enrollments.roster_order()
    with pytest.raises(ValidationError) as refused:
        record_scores(
            course,
            {anh.pk: Decimal("9"), dung.pk: Decimal("10.5"), world.enrollment_b.pk: Decimal("5")},
            by=world.center_staff,
            expected_version=current_score_version(course),
        )
    assert refused.value.message_dict == {
        dung.pk: ["Điểm phải từ 0 đến 10."],
        world.enrollment_b.pk: [f"Võ Thanh Bình không phải học viên của lớp {course.code}."],
    }
    assert not Enrollment.objects.filter(final_score__isnull=False).exists()


def test_record_scores_refuses_a_stale_version(world):
    course = make_class(world, names=["Vũ Minh Anh"])
    anh = course.enrollments.get()
    version = current_score_version(course)
    record_scores(course, {anh.pk: Decimal("6")}, by=world.center_staff, expected_version=version)
    with pytest.raises(StaleSheetError):
        record_scores(course, {anh.pk: Decimal("9")}, by=world.center_staff, expected_version=version)
    anh.refresh_from_db()
    assert anh.final_score == Decimal("6")


def test_a_closed_course_refuses_attendance_and_scores_with_nothing_written(world):
    """After closing, results are stored: late changes go through a result override with a reason."""
    course = make_class(world, names=["Vũ Minh Anh"])
    anh = course.enrollments.get()
    session = course.sessions.first()
    course.status = course.Status.CLOSED
    course.save()
    with pytest.raises(ValidationError) as refused:
        record_scores(
            course, {anh.pk: Decimal("9")}, by=world.center_staff, expected_version=current_score_version(course)
        )
    assert f"Lớp {course.code} đã kết thúc" in str(refused.value)
    with pytest.raises(ValidationError):
        mark_attendance(
            session, {anh.pk: "absent"}, by=world.center_staff, expected_version=current_attendance_version(session)
        )
    anh.refresh_from_db()
    assert anh.final_score is None
    assert not Attendance.objects.filter(enrollment=anh, status="absent").exists()


def history_insert_statements(model, rows):
    """INSERTs the database needs to write `rows` history rows of a model: SQLite caps the parameters of
    one statement (Django 5.2 assumes 999), PostgreSQL writes them in one."""
    history = model.history.model
    fields = [field for field in history._meta.concrete_fields if field.attname != "history_id"]
    batch = connection.ops.bulk_batch_size(fields, [None] * rows)
    return math.ceil(rows / batch)


def test_score_sheet_costs_the_same_queries_for_10_and_100_trainees(world, staff_client):
    """Showing the score sheet and saving it with every score new take a fixed number of queries; the one
    allowance is the database's own cap on a statement's size when writing the history rows."""

    def measure(course, score):
        url = scores_url(course)
        get_queries, response = count_queries(lambda: staff_client.get(url))
        data = {name: score if name.startswith("score_") else value for name, value in form_data(response).items()}
        post_queries, response = count_queries(lambda: staff_client.post(url, data))
        assert response.status_code == 302
        return get_queries, post_queries

    small, large = make_class(world, 10), make_class(world, 100)
    staff_client.get(scores_url(small))  # warm the per-process caches (content types)
    small_get, small_post = measure(small, "7,5")
    large_get, large_post = measure(large, "8")
    assert large_get == small_get
    extra_batches = history_insert_statements(Enrollment, 100) - history_insert_statements(Enrollment, 10)
    assert large_post == small_post + extra_batches
    assert large.enrollments.filter(final_score=Decimal("8")).count() == 100


# -- Attendance matrix -----------------------------------------------------------------------------

P, L, E, A = "present", "late", "excused", "absent"


def test_matrix_flags_runs_of_two_missed_sessions_in_date_and_period_order():
    sessions = [
        Session(pk=index, date=datetime.date(2021, 3, 1 + index // 2), period=index % 2 + 1) for index in range(6)
    ]

    def trainee(statuses):
        marks = [
            Attendance(session_id=session.pk, status=status)
            for session, status in zip(sessions, statuses, strict=True)
            if status
        ]
        return SimpleNamespace(attendances=SimpleNamespace(all=lambda: marks))

    # Listed out of order on purpose: the matrix orders by date, then period.
    rows = attendance_matrix(
        list(reversed(sessions)),
        [trainee([P, A, E, P, A, None]), trainee([A, P, E, P, None, E]), trainee([P, L, P, E, A, E])],
        threshold_percent=80,
        today=datetime.date(2021, 3, 31),
    )
    assert [[cell.in_missed_run for cell in row.cells] for row in rows] == [
        [False, True, True, False, False, False],
        [False, False, False, False, False, False],
        [False, False, False, True, True, True],
    ]
    assert [row.missed_in_a_row for row in rows] == [True, False, True]


def test_matrix_shows_shares_and_highlights_rows_below_threshold_or_missing_two_in_a_row(world, staff_client):
    today = timezone.localdate()
    # Twelve half-days from four days ago: ten held so far (today included), two to come.
    names = ["Vũ Minh Anh", "Lê Thị Bình", "Trần Văn Châu", "Phạm Văn Dũng", "Đỗ Thị Giang"]
    course = make_class(world, sessions=12, start=today - datetime.timedelta(days=4), names=names)
    sessions = list(course.sessions.order_by("date", "period"))
    anh, binh, chau, dung, giang = course.enrollments.roster_order()
    marks = {
        anh: [P] * 10,
        binh: [P, P, A, P, P, E, P, P, P, P],  # 8 of 10: exactly the threshold
        chau: [P, P, A, E, P, P, P, P, P, P],  # 8 of 10, two missed in a row
        dung: [P, A, P, A, P, A, P, P, L, P],  # 7 of 10
    }
    for index, session in enumerate(sessions[:10]):
        mark_attendance(
            session,
            {enrollment.pk: statuses[index] for enrollment, statuses in marks.items()},
            by=world.center_staff,
            expected_version=current_attendance_version(session),
        )

    response = staff_client.get(matrix_url(course))

    assert response.status_code == 200
    rows = {row.enrollment: row for row, _cells in response.context["lines"]}
    assert [rows[e].below_threshold for e in (anh, binh, chau, dung, giang)] == [False, False, False, True, True]
    assert [rows[e].missed_in_a_row for e in (anh, binh, chau, dung, giang)] == [False, False, True, False, False]
    assert (rows[anh].attended_held, rows[anh].held, rows[anh].attended, rows[anh].total) == (10, 10, 10, 12)
    assert (rows[anh].percent_held, rows[anh].percent_total) == (Decimal("100.0"), Decimal("83.3"))
    content = response.content.decode()

    def row_html(enrollment):
        start = content.rindex("<tr", 0, content.index(f">{enrollment.member.full_name}</th>"))
        return content[start : content.index("</tr>", start)]

    assert row_html(dung).startswith('<tr class="matrix-below">')
    assert row_html(chau).startswith('<tr class=" matrix-missed">')
    assert row_html(anh).startswith('<tr class="">')
    assert "10/10 (100,0%)" in row_html(anh) and "10/12 (83,3%)" in row_html(anh)
    assert "7/10 (70,0%)" in row_html(dung)
    assert 'title="Vắng có phép"' in row_html(chau) and 'title="Chưa điểm danh"' in row_html(chau)
    assert row_html(chau).count("att-run") == 2
    for label in ["Có mặt", "Đi muộn", "Vắng có phép", "Vắng không phép", "Chưa điểm danh"]:
        assert f"<dd>{label}</dd>" in content


def test_matrix_costs_the_same_queries_for_10_and_100_trainees(world, staff_client):
    """Whatever the number of trainees, and of sessions too."""

    def measure(course):
        for session in course.sessions.all():
            mark_attendance(
                session,
                dict.fromkeys(course.enrollments.values_list("pk", flat=True), "late"),
                by=world.center_staff,
                expected_version=current_attendance_version(session),
            )
        queries, response = count_queries(lambda: staff_client.get(matrix_url(course)))
        assert len(response.context["lines"]) == course.enrollments.count()
        return queries

    small, large = make_class(world, 10, sessions=2), make_class(world, 100, sessions=6)
    staff_client.get(matrix_url(small))  # warm the per-process caches (content types)
    assert measure(small) == measure(large)


# -- Who may -----------------------------------------------------------------------------------------


def test_officer_b_gets_404_for_every_page_of_course_a(world, client_for):
    client = client_for(world.officer_b)
    urls = [
        sheet_url(world.session_a),
        matrix_url(world.course_a),
        scores_url(world.course_a),
        reverse("admin:courses_course_evaluations", args=[world.course_a.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_the_organizers_officer_runs_its_class_and_no_one_else_s(world, client_for):
    """Officer A enters scores of the class organized inside A, not of the center's class; taking
    attendance also needs the center's decision that A runs its own classes, and then only for A's own class."""
    client = client_for(world.officer_a)
    assert client.get(scores_url(world.course_a)).status_code == 200
    assert client.get(scores_url(world.root_course)).status_code == 403
    assert client.get(sheet_url(world.session_a)).status_code == 403

    factories.ClassAuthorizationFactory(organization=world.committee_a)
    client = client_for(User.objects.get(pk=world.officer_a.pk))
    assert client.get(sheet_url(world.session_a)).status_code == 200
    response = client.post(
        sheet_url(world.root_session),
        {"version": current_attendance_version(world.root_session), f"status_{world.enrollment_x.pk}": "absent"},
    )
    assert response.status_code == 403
    assert world.root_session.attendances.get(enrollment=world.enrollment_x).status == "present"


def test_an_officer_s_matrix_lists_only_its_own_trainees(world, client_for):
    response = client_for(world.officer_a).get(matrix_url(world.root_course))
    assert response.status_code == 200
    assert [row.enrollment for row, _cells in response.context["lines"]] == [world.enrollment_x]
    assert world.member_y.full_name not in response.content.decode()


def test_course_page_links_to_what_each_user_may_open(world, client_for):
    change_url = reverse("admin:courses_course_change", args=[world.root_course.pk])
    content = client_for(world.center_staff).get(change_url).content.decode()
    assert f'href="{matrix_url(world.root_course)}"' in content
    assert f'href="{scores_url(world.root_course)}"' in content
    assert f'href="{reverse("admin:courses_course_evaluations", args=[world.root_course.pk])}"' in content
    assert f'href="{sheet_url(world.root_session)}"' in content

    content = client_for(world.officer_a).get(change_url).content.decode()
    assert f'href="{matrix_url(world.root_course)}"' in content
    assert f'href="{scores_url(world.root_course)}"' not in content
    assert f'href="{sheet_url(world.root_session)}"' not in content
