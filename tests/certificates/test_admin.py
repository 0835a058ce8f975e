"""Staff pages: issuing from the course list, batch printing (one PDF, a ZIP) through a task with progress,
revoking with a reason and reissuing, read-only certificates that nobody deletes, scoped lists."""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from certificates import pdf, printing
from certificates.models import Certificate, PrintJob
from certificates.services import issue_certificates, revoke_certificate
from tests import factories
from tests.certificates.world import close_with_results

NAMES = ["Trương Thị Ánh Tuyết", "Hoàng Đức Ân", "Nguyễn Thị Ánh"]
ROSTER = ["Nguyễn Thị Ánh", "Hoàng Đức Ân", "Trương Thị Ánh Tuyết"]


@pytest.fixture
def course(world):
    """A closed course of the center with three completed trainees, not yet issued."""
    course = factories.CourseFactory(code="2021-K4-L1", program=world.program, organizer=world.root)
    for name in NAMES:
        member = factories.MemberFactory(full_name=name, organization=world.cell_a)
        close_with_results(factories.EnrollmentFactory(course=course, member=member))
    return course


def course_action(client, action, *courses):
    return client.post(
        reverse("admin:courses_course_changelist"),
        {"action": action, "_selected_action": [course.pk for course in courses]},
        follow=True,
    )


def test_the_list_action_takes_one_class_to_its_preview(course, client_for, center_staff):
    response = course_action(client_for(center_staff), "issue_certificates", course)
    assert response.redirect_chain[-1][0] == reverse("admin:courses_course_issue", args=[course.pk])
    assert "Số vào sổ đầu tiên" in response.content.decode()
    assert not Certificate.objects.filter(enrollment__course=course).exists()


def test_several_classes_are_issued_on_the_date_asked_for_and_a_second_click_adds_nothing(
    world, course, client_for, center_staff
):
    other = factories.CourseFactory(code="2021-K4-L2", program=world.program, organizer=world.root)
    close_with_results(factories.EnrollmentFactory(course=other, member=world.member_y))
    client = client_for(center_staff)
    page = course_action(client, "issue_certificates", course, other).content.decode()
    assert 'name="issued_on"' in page and not Certificate.objects.filter(enrollment__course=course).exists()

    def confirm(typed):
        data = {"action": "issue_certificates", "_selected_action": [course.pk, other.pk], "post": "yes"}
        return client.post(reverse("admin:courses_course_changelist"), {**data, "issued_on": typed}, follow=True)

    page = confirm("15/03/2021").content.decode()
    assert "trước ngày bế giảng" in page and 'value="15/03/2021"' in page
    assert not Certificate.objects.filter(enrollment__course__in=[course, other]).exists()

    page = confirm("14/05/2021").content.decode()
    assert "Lớp 2021-K4-L1: đã cấp 3 giấy chứng nhận. Ngày cấp 14/05/2021" in page
    assert "Lớp 2021-K4-L2: đã cấp 1 giấy chứng nhận." in page
    issued = Certificate.objects.filter(enrollment__course__in=[course, other])
    assert set(issued.values_list("issued_on", flat=True)) == {datetime.date(2021, 5, 14)}

    page = confirm("14/05/2021").content.decode()
    assert "không có giấy chứng nhận nào cần cấp thêm" in page
    assert Certificate.objects.filter(enrollment__course=course).count() == 3


def test_officers_have_no_issuing_or_printing_actions(world, client_for, officer_a):
    page = client_for(officer_a).get(reverse("admin:courses_course_changelist")).content.decode()
    for action in ["issue_certificates", "print_certificates", "zip_certificates"]:
        assert f'value="{action}"' not in page


def test_printing_a_course_is_one_pdf_in_roster_order_with_its_progress(
    course, client_for, center_staff, django_capture_on_commit_callbacks
):
    issue_certificates(course, by=None, notify=False)
    client = client_for(center_staff)
    # The job is handed to the task backend once its record is committed; here the in-process backend runs it.
    with django_capture_on_commit_callbacks(execute=True):
        response = course_action(client, "print_certificates", course)
        waiting = response.content.decode()
        assert "Đang in: 0/3 giấy chứng nhận" in waiting and 'http-equiv="refresh"' in waiting

    job = PrintJob.objects.get(course=course)
    assert response.redirect_chain[-1][0] == reverse("admin:certificates_printjob_change", args=[job.pk])
    assert job.status == PrintJob.Status.DONE and (job.done, job.total) == (3, 3) and job.percent == 100
    page = client.get(reverse("admin:certificates_printjob_change", args=[job.pk])).content.decode()
    assert "Đã in xong." in page and reverse("admin:certificates_printjob_download", args=[job.pk]) in page

    download = client.get(reverse("admin:certificates_printjob_download", args=[job.pk]))
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    names = [
        next(line for line in page.extract_text().splitlines() if "Cấp cho" in line).split(": ")[1]
        for page in reader.pages
    ]
    assert names == ROSTER


def test_the_zip_holds_the_stored_pdfs_in_roster_order(
    course, client_for, center_staff, django_capture_on_commit_callbacks
):
    issued = {c.holder_name: c for c in issue_certificates(course, by=None, notify=False).issued}
    client = client_for(center_staff)
    with django_capture_on_commit_callbacks(execute=True):
        course_action(client, "zip_certificates", course)
    job = PrintJob.objects.get(course=course, kind=PrintJob.Kind.ZIP)

    download = client.get(reverse("admin:certificates_printjob_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert [name.split("-", 1)[0] for name in archive.namelist()] == ["001", "002", "003"]
    for name, holder in zip(archive.namelist(), ROSTER, strict=True):
        certificate = Certificate.objects.get(pk=issued[holder].pk)
        with certificate.pdf.open("rb") as stored:
            assert archive.read(name) == stored.read()


def test_a_failing_print_job_says_so(course, center_staff, monkeypatch):
    issue_certificates(course, by=None, notify=False)

    def broken(*args, **kwargs):
        raise RuntimeError("hết giấy")

    monkeypatch.setattr(pdf, "render_batch", broken)
    job = printing.start_print_job(course, kind=PrintJob.Kind.PDF, by=center_staff)
    with pytest.raises(RuntimeError):
        printing.run_print_job(job)
    job.refresh_from_db()
    assert job.status == PrintJob.Status.FAILED and "hết giấy" in job.error


def test_revoking_from_the_list_asks_for_a_reason_and_can_reissue(world, client_for, center_staff):
    certificate = world.certificate_a
    close_with_results(world.enrollment_x_in_a)
    client = client_for(center_staff)
    url = reverse("admin:certificates_certificate_changelist")
    selection = {"action": "revoke_certificates", "_selected_action": [certificate.pk]}

    page = client.post(url, selection).content.decode()
    assert "lý do thu hồi" in page and certificate.register_number in page
    page = client.post(url, {**selection, "post": "yes", "reason": ""}).content.decode()
    assert "Chưa thu hồi được" in page
    certificate.refresh_from_db()
    assert certificate.is_valid

    client.post(url, {**selection, "post": "yes", "reason": "Sai họ tên", "reissue": "on"})
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.revoke_reason == "Sai họ tên"
    assert certificate.revoked_by == center_staff
    assert certificate.replaced_by.is_valid and certificate.replaced_by.enrollment == certificate.enrollment


def test_revoking_and_reissuing_from_the_certificate_page(world, client_for, center_staff):
    certificate = world.certificate_a
    close_with_results(world.enrollment_x_in_a)
    client = client_for(center_staff)
    change = client.get(reverse("admin:certificates_certificate_change", args=[certificate.pk])).content.decode()
    assert reverse("admin:certificates_certificate_revoke", args=[certificate.pk]) in change
    assert reverse("admin:certificates_certificate_pdf", args=[certificate.pk]) in change

    response = client.post(
        reverse("admin:certificates_certificate_revoke", args=[certificate.pk]), {"reason": "Cấp nhầm lớp"}
    )
    assert response["Location"] == reverse("admin:certificates_certificate_change", args=[certificate.pk])
    change = client.get(response["Location"]).content.decode()
    assert reverse("admin:certificates_certificate_reissue", args=[certificate.pk]) in change

    response = client.post(reverse("admin:certificates_certificate_reissue", args=[certificate.pk]))
    replacement = Certificate.objects.get(replaces=certificate)
    assert response["Location"] == reverse("admin:certificates_certificate_change", args=[replacement.pk])
    again = client.post(reverse("admin:certificates_certificate_reissue", args=[certificate.pk]))
    assert "đã được cấp lại từ trước" in again.content.decode()
    assert Certificate.objects.filter(replaces=certificate).count() == 1


def test_a_revoked_certificates_pdf_is_the_centers_only(world, client_for, center_staff, officer_a):
    certificate = world.certificate_a
    url = reverse("admin:certificates_certificate_pdf", args=[certificate.pk])
    assert client_for(officer_a).get(url).status_code == 200
    revoke_certificate(certificate, by=center_staff, reason="Sai họ tên")
    assert client_for(officer_a).get(url).status_code == 403
    response = client_for(center_staff).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_certificates_are_read_only_and_never_deleted(world, client_for, center_staff):
    certificate = world.certificate_a
    client = client_for(center_staff)
    assert client.get(reverse("admin:certificates_certificate_add")).status_code == 403
    assert client.get(reverse("admin:certificates_certificate_delete", args=[certificate.pk])).status_code == 403
    client.post(reverse("admin:certificates_certificate_change", args=[certificate.pk]), {"holder_name": "Người khác"})
    certificate.refresh_from_db()
    assert certificate.holder_name == "Nguyễn Thị Hà"
    page = client.get(reverse("admin:certificates_certificate_changelist")).content.decode()
    assert 'value="delete_selected"' not in page


def test_officers_see_the_certificates_of_their_sub_tree_only(world, client_for, officer_a, officer_b):
    url = reverse("admin:certificates_certificate_changelist")
    page_a = client_for(officer_a).get(url).content.decode()
    assert world.certificate_a.register_number in page_a
    assert world.certificate_b.register_number not in page_a
    page_b = client_for(officer_b).get(url).content.decode()
    assert world.certificate_b.register_number in page_b
    assert world.certificate_a.register_number not in page_b


def test_the_certificate_list_costs_the_same_queries_for_more_rows(course, client_for, center_staff):
    def count(client):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:certificates_certificate_changelist")).status_code == 200
        return len(captured)

    client = client_for(User.objects.get(pk=center_staff.pk))
    few = count(client)
    issue_certificates(course, by=None, notify=False)
    assert count(client) == few
