"""The staff report pages: what the compliance page and the dashboard show to whom, exports as background jobs
with a progress page and a download that expires, and bad filters answered without a 500."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from reports.jobs import expire_reports
from reports.models import ReportJob
from tests import factories

# The world counts 2021 certificates: the current term is 2020–2025 here (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("in_the_2020_term")

COMPLIANCE = reverse("reports:compliance")


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Requests whose report jobs run as they would once the request's transaction commits."""

    def send(method, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, **kwargs)

    return send


def download(client, job):
    response = client.get(reverse("admin:reports_reportjob_download", args=[job.pk]))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_compliance_page_lists_who_is_missing_and_not_who_is_certified(world, client_for):
    response = client_for(world.center_staff).get(COMPLIANCE)
    page = response.content.decode()
    assert "Lê Minh Châu" in page and "Võ Thanh Bình" not in page  # secretary_b is certified
    rows = {row.organization.name: (row.required, row.certified) for row in response.context["rows"]}
    assert rows == {world.committee_a.name: (1, 0), world.committee_b.name: (1, 1)}
    assert (response.context["total"].required, response.context["total"].certified) == (2, 1)


def test_an_officer_sees_only_its_sub_tree_and_cannot_open_anothers(world, client_for):
    client = client_for(world.officer_a)
    response = client.get(COMPLIANCE)
    assert [row.organization for row in response.context["rows"]] == [world.grassroots_a]
    assert "Bộ Tư pháp" not in response.content.decode()
    assert client.get(COMPLIANCE, {"org": world.committee_b.pk}).status_code == 404


def test_drilling_down_and_filtering_by_post_narrow_the_list(world, client_for):
    deputy = factories.MemberFactory(full_name="Phan Thị Dung", organization=world.cell_a)
    factories.AppointmentFactory(member=deputy, organization=world.cell_a, post="deputy_secretary")
    client = client_for(world.center_staff)
    response = client.get(COMPLIANCE, {"org": world.grassroots_a.pk, "post": "deputy_secretary"})
    assert [holder.member.full_name for holder, _label in response.context["missing_rows"]] == ["Phan Thị Dung"]
    assert [ancestor.name for ancestor in response.context["ancestors"]] == [world.root.name, world.committee_a.name]
    label = response.context["missing_rows"][0][1]
    assert label == f"{world.committee_a.name} › {world.grassroots_a.name} › {world.cell_a.name}"


def test_a_chosen_year_counts_only_that_years_certificates(world, client_for):
    client = client_for(world.center_staff)
    assert client.get(COMPLIANCE, {"year": 2021}).context["total"].certified == 1
    response = client.get(COMPLIANCE, {"year": 2022})
    assert response.context["total"].certified == 0 and "năm 2022" in response.content.decode()


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "1800"}, {"post": "giam-doc"}, {"org": "x"}])
def test_bad_filters_are_reported_and_the_default_shown(world, client_for, query):
    response = client_for(world.center_staff).get(COMPLIANCE, query)
    assert response.status_code == 200
    assert "Bộ lọc có giá trị không hợp lệ" in response.content.decode()
    assert response.context["total"].required == 2


def test_the_missing_list_is_paged_in_a_fixed_number_of_queries(world, client_for, django_assert_num_queries):
    client = client_for(world.center_staff)
    client.get(COMPLIANCE)

    def grow(count):
        for _ in range(count):
            factories.AppointmentFactory(member=factories.MemberFactory(organization=world.cell_b))

    grow(5)
    with django_assert_num_queries(count := _count_queries(client)):
        client.get(COMPLIANCE)
    grow(120)
    with django_assert_num_queries(count):
        response = client.get(COMPLIANCE)
    assert len(response.context["missing_rows"]) == 100 and response.context["missing"].paginator.num_pages == 2


def _count_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(COMPLIANCE)
    return len(captured)


def test_exporting_the_missing_list_runs_a_job_whose_file_holds_the_list(world, client_for, run_jobs):
    client = client_for(world.officer_a)
    response = run_jobs(client.post, f"{COMPLIANCE}?org={world.grassroots_a.pk}")
    job = ReportJob.objects.get(requested_by=world.officer_a, kind=ReportJob.Kind.MISSING_LIST)
    assert response.url == job.page_url
    page = client.get(job.page_url).content.decode()
    assert "Đã lập xong" in page and reverse("admin:reports_reportjob_download", args=[job.pk]) in page
    workbook = download(client, job)
    sheet = workbook.active
    assert [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)] == ["Lê Minh Châu"]
    # On paper as the yearly workbook: its author is who asked for it, its pages numbered.
    assert workbook.properties.creator == world.officer_a.username
    assert workbook.properties.title == "Danh sách chưa bồi dưỡng"
    assert sheet.oddFooter.center.text == "Trang &P/&N" and sheet.page_setup.fitToHeight == 0


def test_the_year_report_page_starts_a_job_and_the_file_is_the_users_workbook(world, client_for, run_jobs):
    client = client_for(world.officer_b)
    form = client.get(reverse("reports:year-report")).context["form"]
    assert 2021 in [value for value, _label in form.fields["year"].choices]
    response = run_jobs(client.post, reverse("reports:year-report"), {"year": 2021})
    job = ReportJob.objects.get(requested_by=world.officer_b, year=2021, status=ReportJob.Status.DONE)
    assert response.url == job.page_url and job.percent == 100
    workbook = download(client, job)
    assert len(workbook.sheetnames) == 9
    assert "Lê Minh Châu" not in str([cell.value for row in workbook["Học viên"] for cell in row])


def test_a_year_outside_the_list_is_refused_with_a_message_and_no_job(world, client_for):
    client = client_for(world.center_staff)
    response = client.post(reverse("reports:year-report"), {"year": "1999"})
    assert response.status_code == 200 and not ReportJob.objects.filter(year=1999).exists()
    assert "Hãy chọn một năm" in [str(message) for message in get_messages(response.wsgi_request)][0]


def test_the_course_list_action_exports_the_years_of_the_chosen_courses(world, client_for, run_jobs):
    response = run_jobs(
        client_for(world.center_staff).post,
        reverse("admin:courses_course_changelist"),
        {"action": "export_year_report", "_selected_action": [world.root_course.pk, world.course_a.pk]},
    )
    job = ReportJob.objects.get(requested_by=world.center_staff)
    assert (job.year, job.status, response.url) == (2021, ReportJob.Status.DONE, job.page_url)


def test_expired_files_are_deleted_and_no_longer_downloadable(world, client_for, run_jobs):
    client = client_for(world.center_staff)
    run_jobs(client.post, reverse("reports:year-report"), {"year": 2021})
    job = ReportJob.objects.get(requested_by=world.center_staff)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    assert expire_reports(now=timezone.now() + datetime.timedelta(days=30)) == 1
    job.refresh_from_db()
    assert job.status == ReportJob.Status.EXPIRED and not job.file and not storage.exists(name)
    assert client.get(reverse("admin:reports_reportjob_download", args=[job.pk])).status_code == 404
    assert "hết hạn" in client.get(job.page_url).content.decode()


def test_a_failed_export_says_so_on_its_page(world, client_for, monkeypatch, run_jobs):
    def broken(*args, **kwargs):
        raise RuntimeError("ổ đĩa đầy")

    monkeypatch.setattr("reports.workbook.YearWorkbook.save", broken)
    client = client_for(world.center_staff)
    run_jobs(client.post, reverse("reports:year-report"), {"year": 2021})
    job = ReportJob.objects.get(requested_by=world.center_staff)
    assert job.status == ReportJob.Status.FAILED and "ổ đĩa đầy" in job.error
    assert "Không lập được" in client.get(job.page_url).content.decode()


def test_the_dashboard_shows_this_years_figures_and_charts(world, client_for):
    this_year = timezone.localdate().year
    course = factories.CourseFactory(
        program=world.program,
        organizer=world.root,
        year=this_year,
        start_date=datetime.date(this_year, 2, 2),
        end_date=datetime.date(this_year, 2, 6),
        status=Course.Status.CLOSED,
    )
    for member in (world.member_x, world.secretary_a):
        factories.EnrollmentFactory(course=course, member=member, status="completed")
    response = client_for(world.center_staff).get(reverse("reports:dashboard"))
    summary = response.context["summary"]
    assert (summary.courses, summary.tally.enrolled, summary.tally.completed) == (1, 2, 2)
    page = response.content.decode()
    assert "<title>2: 1</title>" in page  # February's column: one class
    assert f"<title>{this_year}: 2</title>" in page  # this year's trainees
    assert f"<title>{world.committee_b.name}: 100,0%</title>" in page  # secretary_b is certified
    assert "<script" not in page.split('id="content"')[1]
    # The admin index links here.
    assert reverse("reports:dashboard") in client_for(world.center_staff).get(reverse("admin:index")).content.decode()
