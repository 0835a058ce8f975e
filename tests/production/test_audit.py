"""The history names who made each change: the logged-in staff member in the admin, the --by user (or the system
account) of a command, and the user who asked for a background task."""

import io
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from simple_history.models import HistoricalRecords

from certificates import printing
from certificates.models import Certificate, PrintJob
from common.history import SYSTEM_USERNAME, acting_as
from enrollments.models import Attendance, Enrollment
from organizations.access import scope_of
from organizations.models import Appointment, Member
from tests.certificates.world import close_with_results
from tests.imports.test_organization_import import NEW_COMMITTEE, NEW_PEOPLE, tree_file

User = get_user_model()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def latest(model, **filters):
    return model.history.filter(**filters).latest("history_date", "history_id")


# -- The admin: the middleware records the logged-in user ------------------------------------------------------


def test_an_admin_edit_records_the_staff_member_on_the_member_and_on_its_inline_posts(world, client_for):
    """The member form's own save names its user, and the posts saved by its inline get theirs from the middleware."""
    member, appointment = world.secretary_a, world.appointment_a
    data = {
        "full_name": member.full_name,
        "birth_date": member.birth_date.strftime("%d/%m/%Y"),
        "gender": member.gender,
        "organization": world.cell_a.pk,
        "workplace": "Vụ Lễ tân Nhà nước",
        "job_title": "Phó Vụ trưởng",
        "email": "",
        "phone": "",
        "appointments-TOTAL_FORMS": "1",
        "appointments-INITIAL_FORMS": "1",
        "appointments-MIN_NUM_FORMS": "0",
        "appointments-MAX_NUM_FORMS": "1000",
        "appointments-0-id": appointment.pk,
        "appointments-0-member": member.pk,
        "appointments-0-organization": world.cell_a.pk,
        "appointments-0-post": "secretary",
        "appointments-0-term_label": "2020–2025",
        "appointments-0-start_date": "15/10/2020",
        "appointments-0-requires_training": "on",
        "appointments-0-is_current": "on",
    }

    response = client_for(world.center_staff).post(reverse("admin:organizations_member_change", args=[member.pk]), data)

    assert response.status_code == 302
    member_record = latest(Member, id=member.pk)
    post_record = latest(Appointment, id=appointment.pk)
    assert (member_record.job_title, member_record.history_type) == ("Phó Vụ trưởng", "~")
    assert (post_record.start_date.day, post_record.history_type) == (15, "~")
    assert member_record.history_user == post_record.history_user == world.center_staff


def close_in_admin(client, world):
    return client.post(reverse("admin:courses_course_close", args=[world.root_course.pk]))


def mark_late_in_admin(client, world):
    url = reverse("admin:courses_session_attendance", args=[world.root_session.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data[f"status_{world.enrollment_y.pk}"] = Attendance.Status.LATE
    return client.post(url, data)


def revoke_in_admin(client, world):
    url = reverse("admin:certificates_certificate_revoke", args=[world.certificate_a.pk])
    return client.post(url, {"reason": "Cấp nhầm lớp"})


@pytest.mark.parametrize(
    ("change", "written"),
    [
        (close_in_admin, lambda world: latest(Enrollment, id=world.enrollment_x.pk)),
        (mark_late_in_admin, lambda world: latest(Attendance, id=world.attendance_y.pk)),
        (revoke_in_admin, lambda world: latest(Certificate, id=world.certificate_a.pk)),
    ],
    ids=["closing a course", "attendance sheet", "revoking a certificate"],
)
def test_the_admins_own_pages_record_the_staff_member(world, client_for, change, written):
    response = change(client_for(world.center_staff), world)

    assert response.status_code == 302
    record = written(world)
    assert (record.history_type, record.history_user) == ("~", world.center_staff)


# -- Commands: --by, or the system account ----------------------------------------------------------------------


@pytest.fixture(params=[None, "canbo.trungtam"], ids=["without --by", "with --by"])
def by(request, world):
    """The username a command is given with --by, or None."""
    return request.param


def run(*args, by=None):
    out = io.StringIO()
    call_command(*args, *(["--by", by] if by else []), stdout=out)
    return out.getvalue()


def recorded_as(by):
    return User.objects.get(username=by or SYSTEM_USERNAME)


def test_close_course_records_who_closed_it(world, by):
    run("close_course", world.root_course.code, by=by)

    records = Enrollment.history.filter(history_change_reason="Kết thúc lớp")
    assert records.count() == 2
    assert {record.history_user for record in records} == {recorded_as(by)}


def test_issue_certificates_records_who_issued_them(world, by):
    close_with_results(world.enrollment_x)

    run("issue_certificates", "--course", world.root_course.code, by=by)

    record = Certificate.history.get(enrollment_id=world.enrollment_x.pk)
    assert (record.history_type, record.history_user) == ("+", recorded_as(by))


def test_revoke_certificate_records_who_revoked_and_who_reissued(world, by):
    close_with_results(world.enrollment_x_in_a)
    number = world.certificate_a.register_number

    run("revoke_certificate", number, "--reason", "Sai ngày sinh", "--reissue", by=by)

    revoked = latest(Certificate, id=world.certificate_a.pk)
    replacement = Certificate.history.get(replaces_id=world.certificate_a.pk)
    assert (revoked.status, revoked.history_user) == ("revoked", recorded_as(by))
    assert (replacement.history_type, replacement.history_user) == ("+", recorded_as(by))


def test_import_organizations_records_who_imported_the_file(world, by, tmp_path):
    workbook = tmp_path / "cap-nhat.xlsx"
    workbook.write_bytes(tree_file(NEW_COMMITTEE, NEW_PEOPLE))

    run("import_organizations", str(workbook), by=by)

    record = Member.objects.get(full_name="Trịnh Thu Hà").history.get()
    assert record.history_user == recorded_as(by)


def test_print_certificates_records_who_printed_as_a_print_job(world, by, tmp_path):
    run("print_certificates", "--course", world.course_b.code, "-o", str(tmp_path / "in.pdf"), by=by)

    job = PrintJob.objects.filter(course=world.course_b).latest("requested_at")
    assert (job.status, job.requested_by) == (PrintJob.Status.DONE, recorded_as(by))
    assert (tmp_path / "in.pdf").read_bytes() == job.output.read()


def test_the_system_account_is_created_once_and_can_neither_log_in_nor_do_anything(world):
    run("close_course", world.root_course.code)
    # Course A's session has no attendance for one trainee: the command line closes it early, with a reason.
    run("close_course", world.course_a.code, "--reason", "Đã dự đủ theo sổ tay lớp")

    system = User.objects.get(username=SYSTEM_USERNAME)
    assert (system.is_active, system.is_staff, system.is_superuser) == (False, False, False)
    assert not system.has_usable_password() and not system.groups.exists()
    assert not scope_of(system).is_staff_scope


@pytest.mark.parametrize("command", [["close_course", "2021-K1-L1"], ["issue_certificates", "--course", "2021-K1-L1"]])
def test_an_unknown_by_user_is_refused_before_anything_changes(world, command):
    history = Enrollment.history.count(), Certificate.history.count()

    with pytest.raises(CommandError, match="Không có tài khoản khong.co.ai."):
        run(*command, by="khong.co.ai")

    assert (Enrollment.history.count(), Certificate.history.count()) == history


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["close_course", "2021-K1-L1"], "Chỉ cán bộ Trung tâm được kết thúc lớp."),
        (["print_certificates", "--course", "2021-B-L1", "-o", "/dev/null"], "Chỉ cán bộ Trung tâm được in"),
    ],
)
def test_a_by_user_without_the_right_is_refused(world, command, message):
    with pytest.raises(CommandError, match=message):
        run(*command, by=world.officer_a.username)

    assert not PrintJob.objects.filter(requested_by=world.officer_a).exists()


# -- Tasks: the user who asked ----------------------------------------------------------------------------------


def test_what_the_print_task_changes_is_recorded_as_the_user_who_asked(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """Outside any request, as on a worker. The print task itself writes only untracked rows (the job, the stored
    PDF), so a tracked write is added to its work to see whom the history names."""
    run_print_job = printing.run_print_job

    def run_and_change_a_member(job, **options):
        member = Member.objects.get(pk=world.secretary_b.pk)
        member.job_title = "Trưởng phòng"
        member.save()
        return run_print_job(job, **options)

    monkeypatch.setattr(printing, "run_print_job", run_and_change_a_member)

    with django_capture_on_commit_callbacks(execute=True):
        job = printing.start_print_job(world.course_b, kind=PrintJob.Kind.ZIP, by=world.center_staff)

    job.refresh_from_db()
    assert job.status == PrintJob.Status.DONE
    record = latest(Member, id=world.secretary_b.pk)
    assert (record.job_title, record.history_user) == ("Trưởng phòng", world.center_staff)
    assert not hasattr(HistoricalRecords.context, "request")


def test_acting_as_inside_a_request_gives_the_request_back_afterwards(world):
    """A task run in-process by the immediate backend runs inside the request that queued it."""
    outer = SimpleNamespace(user=world.center_staff)
    HistoricalRecords.context.request = outer
    try:
        with acting_as(world.officer_a):
            assert HistoricalRecords.context.request.user == world.officer_a
        assert HistoricalRecords.context.request is outer
    finally:
        del HistoricalRecords.context.request
