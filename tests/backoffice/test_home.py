"""The admin's home page: the center's staff see the work waiting in the whole tree, an officer sees their committee
only, every line links to where its work is done, and the page costs the same queries whatever the tree's size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.models import PrintJob
from common.localtime import local_today
from courses.models import Course
from enrollments.models import Enrollment
from organizations.models import ImportRecord
from reports.models import ReportJob
from tests import factories

HOME = reverse("admin:index")


def add_work(world, today, *, copies=1, first=0):
    """For each copy: a class of the center meeting this week (its first session marked, its second not), one of
    committee B meeting this week, a class ended but not closed, one closed without certificates, one whose
    nominations close in three days (with both committees' quotas and a nominee of each), a print and a report job
    under way, and an upload of each officer's and of the center's waiting for confirmation."""
    monday = today - datetime.timedelta(days=today.weekday())
    made = []
    for n in range(first, first + copies):
        # Each meets next week too: not ended, whatever day of the week today is.
        week = {"start_date": monday, "end_date": monday + datetime.timedelta(days=11), "year": today.year}
        running = factories.CourseFactory(code=f"TUAN-{n}", program=world.program, organizer=world.root, **week)
        marked = factories.SessionFactory(course=running, date=monday, period=1, topic=world.topic)
        factories.SessionFactory(course=running, date=monday + datetime.timedelta(days=2), period=1, topic=world.topic)
        enrollment = factories.EnrollmentFactory(
            course=running, member=factories.MemberFactory(organization=world.cell_a)
        )
        factories.AttendanceFactory(enrollment=enrollment, session=marked)
        b_course = factories.CourseFactory(
            code=f"B-TUAN-{n}", program=world.program, organizer=world.committee_b, **week
        )
        factories.SessionFactory(course=b_course, date=monday, period=2, topic=world.topic)
        for course in (running, b_course):
            factories.SessionFactory(
                course=course, date=monday + datetime.timedelta(days=9), period=1, topic=world.topic
            )
        past = {"start_date": today - datetime.timedelta(days=30), "end_date": today - datetime.timedelta(days=26)}
        ended = factories.CourseFactory(code=f"XONG-{n}", program=world.program, organizer=world.root, **past)
        factories.SessionFactory(course=ended, date=ended.end_date, period=1, topic=world.topic)
        factories.CourseFactory(
            code=f"DONG-{n}", program=world.program, organizer=world.root, status=Course.Status.CLOSED, **past
        )
        closing = factories.CourseFactory(
            code=f"HAN-{n}",
            program=world.program,
            organizer=world.root,
            start_date=today + datetime.timedelta(days=17),
            end_date=today + datetime.timedelta(days=21),
            nomination_deadline=today + datetime.timedelta(days=3),
        )
        for committee, cell, seats in ((world.committee_a, world.cell_a, 5), (world.committee_b, world.cell_b, 4)):
            factories.SeatQuotaFactory(course=closing, organization=committee, seats=seats)
            factories.EnrollmentFactory(course=closing, member=factories.MemberFactory(organization=cell))
        factories.PrintJobFactory(course=ended, requested_by=world.center_staff, status=PrintJob.Status.RUNNING)
        factories.ReportJobFactory(requested_by=world.center_staff)
        for user, organization in (
            (world.center_staff, world.root),
            (world.officer_a, world.committee_a),
            (world.officer_b, world.committee_b),
        ):
            ImportRecord.objects.create(
                code=f"cho-{user.username}-{n}",
                kind=ImportRecord.Kind.NOMINATIONS,
                target=closing.code,
                sha256=f"{n:064d}",
                file_name=f"cu-di-hoc-{n}.xlsx",
                stored_name=f"imports/{n:064d}.xlsx",
                organization=organization,
                uploaded_by=user,
            )
        made.append((running, b_course, ended, closing))
    return made


def home_of(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.context["home"], response.content.decode()


def texts(lines):
    return [line.text for line in lines]


def test_the_center_sees_each_kind_of_waiting_work_linked_to_where_it_is_done(client, world):
    today = local_today()
    [(running, b_course, ended, closing)] = add_work(world, today)
    home, page = home_of(client, world.center_staff)

    assert home.role == "staff"
    sessions = {line.object.course.code: line for line in home.sessions if line.object.course == running}
    assert [line.done for line in home.sessions if line.object.course == running] == [True, False]
    assert b_course.code in {line.object.course.code for line in home.sessions}
    first = home.sessions[0]
    assert first.url == reverse("admin:courses_session_attendance", args=[first.object.pk])
    assert sessions and "chưa điểm danh" in page and "đã điểm danh" in page

    assert ended.code in texts(home.ended)
    assert running.code not in texts(home.ended) and closing.code not in texts(home.ended)
    assert reverse("admin:courses_course_close", args=[ended.pk]) in page
    # The world's root course is open and met in 2021: ended, not closed, too.
    assert world.root_course.code in texts(home.ended)

    assert "DONG-0" in texts(home.uncertified)
    closed = Course.objects.get(code="DONG-0")
    assert reverse("admin:courses_course_issue", args=[closed.pk]) in page

    [line] = home.closing
    assert line.object == closing and line.url == reverse("admin:courses_course_nominations", args=[closing.pk])
    assert [(row["organization"], row["seats"], row["nominated"], row["remaining"]) for row in line.rows] == [
        (world.committee_a, 5, 1, 4),
        (world.committee_b, 4, 1, 3),
    ]

    jobs = {type(line.object) for line in home.jobs}
    assert jobs == {PrintJob, ReportJob}
    # The world's queued jobs (two prints, the officers' two reports) and this test's two.
    assert len(home.jobs) == 6
    assert reverse("admin:certificates_printjob_change", args=[world.print_job_a.pk]) in page

    # Only the user's own uploads: the preview page opens no one else's.
    [upload] = home.imports
    assert upload.object.uploaded_by == world.center_staff
    assert upload.url == reverse("admin:enrollments_enrollment_import_preview", args=[upload.object.code])
    assert upload.url in page


def test_lines_with_nothing_waiting_say_so(client, world):
    Course.objects.update(status=Course.Status.CERTIFIED)
    PrintJob.objects.update(status=PrintJob.Status.FAILED)
    ReportJob.objects.update(status=ReportJob.Status.FAILED)
    home, page = home_of(client, world.center_staff)
    assert not (home.sessions or home.ended or home.uncertified or home.closing or home.jobs or home.imports)
    for message in ("Tuần này không có buổi học.", "Không có lớp nào chờ kết thúc.", "Không có việc nào đang chạy."):
        assert message in page


def test_an_officer_sees_their_committee_and_nothing_of_the_sibling(client, world):
    today = local_today()
    [(_running, b_course, _ended, closing)] = add_work(world, today)
    Enrollment.objects.filter(pk=world.enrollment_x_in_a.pk).update(status=Enrollment.Status.COMPLETED)
    Enrollment.objects.filter(pk=world.enrollment_a.pk).update(status=Enrollment.Status.NOT_COMPLETED)
    Course.objects.filter(pk=world.course_a.pk).update(status=Course.Status.CERTIFIED)
    home, page = home_of(client, world.officer_a)

    assert home.role == "officer" and home.committee == world.committee_a
    assert "Đồng chí làm việc cho <strong>Đảng ủy Bộ Ngoại giao</strong>" in page

    [line] = home.classes
    assert line.object == closing
    # Its own committee's row only: committee B's quota is not its business.
    assert [(row["organization"], row["seats"], row["nominated"], row["remaining"]) for row in line.rows] == [
        (world.committee_a, 5, 1, 4)
    ]
    assert world.committee_b.name not in page
    assert b_course.code not in page

    # As the compliance page counts the committee's post holders (cell A's secretary; B's is not counted).
    total = client.get(reverse("oversight:compliance")).context["total"]
    assert (home.compliance.required, home.compliance.certified) == (total.required, total.certified) == (1, 0)
    assert home.compliance.missing == 1 and "còn 1 người chưa có giấy chứng nhận" in page
    assert home.compliance.url == reverse("oversight:compliance") and home.compliance.url in page
    # The overdue and due-soon figures are the compliance page's, and link to its list filtered by them.
    assert (home.compliance.overdue, home.compliance.due_soon) == (total.overdue, total.due_soon)
    assert home.compliance.overdue + home.compliance.due_soon <= 1
    for bucket, url, count in [
        ("overdue", home.compliance.overdue_url, home.compliance.overdue),
        ("due_soon", home.compliance.due_soon_url, home.compliance.due_soon),
    ]:
        assert url == f"{reverse('oversight:compliance')}?due={bucket}" and url in page
        assert len(client.get(url).context["missing_rows"]) == count

    [result] = home.results
    assert result.object == world.course_a
    assert (result.object.completed, result.object.not_completed) == (1, 1)
    assert result.url in page

    codes = {line.object.code for line in home.imports}
    assert codes == {world.upload_a.code, "cho-canbo.a-0"}
    waiting = next(line for line in home.imports if line.object.code == "cho-canbo.a-0")
    assert waiting.url == reverse("admin:enrollments_enrollment_import_preview", args=["cho-canbo.a-0"])


def test_the_officer_of_b_sees_b_only(client, world):
    add_work(world, local_today())
    home, page = home_of(client, world.officer_b)
    assert home.committee == world.committee_b
    assert [row["organization"] for line in home.classes for row in line.rows] == [world.committee_b]
    assert {line.object.organization for line in home.imports} == {world.committee_b}
    assert world.committee_a.name not in page


def test_a_trainee_has_no_admin_home_and_the_app_list_stays_on_every_home(client, world):
    client.force_login(world.trainee_x)
    assert client.get(HOME).status_code == 302  # to the login page: trainees are not staff
    for user in (world.center_staff, world.officer_a):
        _home, page = home_of(client, user)
        assert '<details class="home-app-list">' in page
        assert reverse("admin:courses_course_changelist") in page


def count_queries(client, user, django_assert_num_queries, expected):
    client.force_login(user)
    with django_assert_num_queries(expected):
        assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("persona", ["center_staff", "officer_a"])
def test_the_home_page_costs_the_same_queries_whatever_the_size(persona, client, world, django_assert_num_queries):
    user = getattr(world, persona)
    today = local_today()
    add_work(world, today)
    client.force_login(user)
    with CaptureQueriesContext(connection) as small:
        client.get(HOME)
    add_work(world, today, copies=4, first=1)
    for n in range(20):
        cell = factories.OrganizationFactory(parent=world.grassroots_a, kind="cell", code=f"DU-A-CB-{n}")
        member = factories.MemberFactory(organization=cell)
        factories.AppointmentFactory(member=member, organization=cell)
    count_queries(client, user, django_assert_num_queries, len(small))
