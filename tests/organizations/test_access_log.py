"""The access log of reads of personal data: one row per member page, export and download, with the user, what was
read and the client's address; append-only; seen by the center only; pruned after its retention."""

import datetime
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations import roles
from organizations.access_log import prune_access_log, record_access
from organizations.models import AccessLog, AppendOnlyError
from reports.jobs import start_missing_list
from tests import factories
from tests.certificates.world import finish_print_jobs
from tests.imports.workbooks import xlsx
from tests.reports.world import finish_report_jobs

ADDRESS = "198.51.100.23"
LOG_TABLE = AccessLog._meta.db_table
SMALL, LARGE = 2, 20


def get(client, url, **extra):
    return client.get(url, REMOTE_ADDR=ADDRESS, **extra)


def only_row(world):
    """The one row the test wrote, besides the world's own."""
    rows = list(AccessLog.objects.exclude(pk=world.access_log.pk))
    assert len(rows) == 1, rows
    return rows[0]


def assert_row(row, user, action, obj=None, **parameters):
    assert (row.user, row.username, row.action, row.client_address) == (user, user.username, action, ADDRESS)
    if obj is not None:
        assert row.content_type == ContentType.objects.get_for_model(obj)
        assert (row.object_id, row.object_label) == (str(obj.pk), str(obj))
    for name, value in parameters.items():
        assert row.parameters[name] == value, row.parameters


def access_log_queries(queries):
    return [query["sql"] for query in queries.captured_queries if LOG_TABLE in query["sql"]]


# -- What is recorded ------------------------------------------------------------------------------------------


def test_a_members_change_page_writes_who_read_whom_from_where(world, client_for):
    response = get(client_for(world.officer_a), reverse("admin:organizations_member_change", args=[world.member_x.pk]))

    assert response.status_code == 200
    assert_row(only_row(world), world.officer_a, AccessLog.Action.VIEW_MEMBER, world.member_x)


def test_a_members_history_list_and_each_old_version_are_recorded(world, client_for):
    client = client_for(world.center_staff)
    member = world.member_x
    version = member.history.latest("history_date").history_id

    history = get(client, reverse("admin:organizations_member_history", args=[member.pk]))
    old = get(client, reverse("admin:organizations_member_simple_history", args=[member.pk, version]))

    assert history.status_code == old.status_code == 200
    listed, one_version = AccessLog.objects.filter(client_address=ADDRESS).order_by("pk")
    assert_row(listed, world.center_staff, AccessLog.Action.VIEW_MEMBER_HISTORY, member)
    assert_row(one_version, world.center_staff, AccessLog.Action.VIEW_MEMBER_HISTORY, member, version=str(version))


def test_a_member_page_refused_or_out_of_scope_writes_nothing(world, client_for):
    before = AccessLog.objects.count()

    out_of_scope = get(
        client_for(world.officer_b), reverse("admin:organizations_member_change", args=[world.member_x.pk])
    )
    trainee = get(client_for(world.trainee_x), reverse("admin:organizations_member_change", args=[world.member_x.pk]))

    assert (out_of_scope.status_code, trainee.status_code) == (404, 302)
    assert AccessLog.objects.count() == before


def test_a_certificate_pdf_from_the_admin_is_recorded(world, client_for):
    response = get(
        client_for(world.officer_a), reverse("admin:certificates_certificate_pdf", args=[world.certificate_a.pk])
    )

    assert response["Content-Type"] == "application/pdf"
    assert_row(only_row(world), world.officer_a, AccessLog.Action.CERTIFICATE_PDF, world.certificate_a)


def test_a_certificate_pdf_from_the_portal_is_recorded(world, client_for):
    response = get(client_for(world.trainee_x), reverse("portal:course-certificate", args=[world.course_a.code]))

    assert response.status_code == 200
    assert_row(only_row(world), world.trainee_x, AccessLog.Action.CERTIFICATE_PDF, world.certificate_a)


def test_a_yearly_workbook_download_is_recorded_with_its_parameters(world, client_for):
    finish_report_jobs(world)

    response = get(
        client_for(world.officer_a), reverse("admin:reports_reportjob_download", args=[world.report_job_a.pk])
    )

    assert response.status_code == 200
    assert_row(
        only_row(world), world.officer_a, AccessLog.Action.EXPORT, world.report_job_a, kind="year_workbook", year=2021
    )


def test_a_compliance_list_download_is_recorded_with_its_filters(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_missing_list(by=world.officer_a, organization=world.committee_a, post="secretary")
    job.refresh_from_db()

    response = get(client_for(world.officer_a), reverse("admin:reports_reportjob_download", args=[job.pk]))

    assert response.status_code == 200, job.error
    assert_row(
        only_row(world),
        world.officer_a,
        AccessLog.Action.EXPORT,
        job,
        kind="missing_list",
        organization=world.committee_a.pk,
    )


def test_a_batch_print_download_is_recorded(world, client_for):
    finish_print_jobs(world)

    response = get(
        client_for(world.center_staff), reverse("admin:certificates_printjob_download", args=[world.print_job_a.pk])
    )

    assert response.status_code == 200
    assert_row(only_row(world), world.center_staff, AccessLog.Action.EXPORT, world.print_job_a)


def test_a_row_without_a_request_names_the_user_and_no_address(world):
    row = record_access(world.center_staff, AccessLog.Action.EXPORT, parameters={"export": "command"})

    assert (row.user, row.client_address, row.content_type, row.parameters) == (
        world.center_staff,
        None,
        None,
        {"export": "command"},
    )


def test_a_client_address_that_is_not_one_is_kept_as_unknown(world):
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-address")
    request.user = world.center_staff

    assert record_access(request, AccessLog.Action.EXPORT).client_address is None


# -- One row per request, whatever the list holds ---------------------------------------------------------------


def course_of(world, size, code):
    course = factories.CourseFactory(code=code, program=world.program, organizer=world.root)
    factories.EnrollmentFactory.create_batch(size, course=course)
    return course


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_account_sheet_writes_one_row_for_the_whole_list(world, client_for, size):
    course = course_of(world, size, f"2021-K9-L{size}")
    client = client_for(world.center_staff)
    before = AccessLog.objects.count()

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("admin:courses_course_changelist"),
            {"action": "print_account_sheet", "_selected_action": [course.pk]},
            REMOTE_ADDR=ADDRESS,
        )

    assert response["Content-Type"] == "application/pdf"
    assert AccessLog.objects.count() == before + 1
    assert len(access_log_queries(queries)) == 1  # the INSERT, nothing per trainee
    row = AccessLog.objects.latest("pk")
    assert_row(row, world.center_staff, AccessLog.Action.EXPORT, export="account_sheet", enrollments=size)
    assert row.parameters["courses"] == [course.code]


NOMINATION_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Chi bộ / Đảng bộ"]


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_an_import_error_report_writes_one_row_for_the_whole_file(world, client_for, size):
    course = factories.open_course(world, capacity=200, seats={world.committee_a: 100})
    bad_rows = [[n, f"Người Thứ {n}", "31/02/1980", "", "DU-A-CS1-CB1"] for n in range(1, size + 1)]
    data = xlsx(("DS", [["DANH SÁCH CỬ ĐI HỌC"], [], NOMINATION_HEADER, *bad_rows]))
    client = client_for(world.officer_a)
    upload = client.post(
        reverse("admin:enrollments_enrollment_import"),
        {"course": course.pk, "file": SimpleUploadedFile("danh-sach.xlsx", data)},
    )
    before = AccessLog.objects.count()

    with CaptureQueriesContext(connection) as queries:
        response = get(client, upload["Location"] + "report/")

    assert response.status_code == 200
    assert AccessLog.objects.count() == before + 1
    assert len(access_log_queries(queries)) == 1
    row = AccessLog.objects.latest("pk")
    assert_row(row, world.officer_a, AccessLog.Action.IMPORT_REPORT)
    assert row.object_label.endswith("danh-sach.xlsx")


# -- Append-only ---------------------------------------------------------------------------------------------


def test_a_row_cannot_be_changed_or_deleted_from_the_application(world):
    row = world.access_log
    row.username = "người khác"

    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).update(username="người khác")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    row.refresh_from_db()
    assert row.username == "canbo.trungtam"


def test_the_admin_offers_no_add_change_delete_or_action_even_to_the_superuser(world, client_for):
    superuser = factories.UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client = client_for(superuser)
    row = world.access_log
    model_admin = admin.site._registry[AccessLog]
    request = RequestFactory().get("/")
    request.user = superuser

    changed = client.post(reverse("admin:organizations_accesslog_change", args=[row.pk]), {"username": "x"})
    deleted = client.post(reverse("admin:organizations_accesslog_delete", args=[row.pk]), {"post": "yes"})
    added = client.post(reverse("admin:organizations_accesslog_add"), {"username": "x", "action": "export"})
    listed = client.get(reverse("admin:organizations_accesslog_changelist"))

    assert (changed.status_code, deleted.status_code, added.status_code) == (403, 403, 403)
    assert listed.status_code == 200 and "action-select" not in listed.content.decode()
    assert not model_admin.get_actions(request)
    assert not any(
        check(request) for check in (model_admin.has_add_permission, model_admin.has_change_permission)
    ) and not model_admin.has_delete_permission(request, row)
    row.refresh_from_db()
    assert row.username == "canbo.trungtam"


def test_only_the_view_permission_exists_and_only_the_center_holds_it(world):
    codenames = set(
        Permission.objects.filter(content_type__app_label="organizations", content_type__model="accesslog").values_list(
            "codename", flat=True
        )
    )

    assert codenames == {"view_accesslog"}
    assert Group.objects.get(name=roles.CENTER_STAFF).permissions.filter(codename="view_accesslog").exists()
    assert not Group.objects.get(name=roles.OFFICER).permissions.filter(codename="view_accesslog").exists()
    assert world.center_staff.has_perm("organizations.view_accesslog")
    assert not world.officer_a.has_perm("organizations.view_accesslog")


def test_officers_and_trainees_cannot_see_the_log(world, client_for):
    url = reverse("admin:organizations_accesslog_changelist")

    assert client_for(world.officer_a).get(url).status_code == 403
    assert client_for(world.trainee_x).get(url).status_code == 302
    assert client_for(world.center_staff).get(url).status_code == 200


def test_the_center_filters_the_log_by_action_and_user_and_searches_it(world, client_for):
    factories.AccessLogFactory(user=world.officer_a, action=AccessLog.Action.EXPORT, object_label="Báo cáo năm 2021")
    url = reverse("admin:organizations_accesslog_changelist")
    client = client_for(world.center_staff)

    by_action = client.get(url, {"action__exact": "export"}).context["cl"].result_list
    by_user = client.get(url, {"user__id__exact": world.officer_a.pk}).context["cl"].result_list
    found = client.get(url, {"q": "Nguyễn Thị Hà"}).context["cl"].result_list

    assert [row.object_label for row in by_action] == ["Báo cáo năm 2021"]
    assert [row.username for row in by_user] == ["canbo.a"]
    assert [row.pk for row in found] == [world.access_log.pk]


# -- Retention ---------------------------------------------------------------------------------------------------


def test_pruning_removes_the_rows_past_the_retention_and_keeps_the_newer(world, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = factories.AccessLogFactory(at=now - datetime.timedelta(days=31))
    kept = factories.AccessLogFactory(at=now - datetime.timedelta(days=29))

    deleted = prune_access_log(now=now)

    assert deleted == 1
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk__in=[kept.pk, world.access_log.pk]).count() == 2


def test_the_scheduled_prune_prunes_the_access_log(world, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    old = factories.AccessLogFactory(at=timezone.now() - datetime.timedelta(days=40))

    call_command("prune", stdout=io.StringIO())

    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk=world.access_log.pk).exists()
