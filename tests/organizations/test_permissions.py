"""Who may do what (organizations/permissions.py), as the services themselves enforce it: each service called
directly, not through a page, as a persona without the right is refused with PermissionDenied and the database is
left as it was; the persona with the right succeeds. Scope.contains, the rule under every scoped right, is checked
over generated tree paths."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from hypothesis import given
from hypothesis import strategies as st

from certificates.models import Certificate, PrintJob, RegisterCounter
from certificates.printing import start_print_job
from certificates.services import issue_certificates, reissue_certificate, revoke_certificate
from courses.models import Course
from enrollments.closing import close_course, override_result
from enrollments.models import Attendance, Enrollment
from enrollments.nomination_import import import_nominations
from enrollments.nominations import nominate, nominate_many, withdraw
from enrollments.sheets import current_attendance_version, current_score_version, mark_attendance, record_scores
from organizations import permissions
from organizations.access import EVERYTHING, NOTHING, Scope
from organizations.models import Appointment, ImportRecord, Member, Organization
from organizations.tree_import import import_organizations
from reports.jobs import start_year_workbook
from reports.models import ReportJob
from tests import factories
from tests.certificates.world import close_with_results
from tests.imports.workbooks import xlsx

STEPLEN = Organization.steplen
WATCHED = [Attendance, Enrollment, Course, Certificate, RegisterCounter, PrintJob, Member, Organization, Appointment]
WATCHED += [ImportRecord]


def snapshot():
    """Every row of what the services here write, with its history."""
    models = [*WATCHED, *(model.history.model for model in WATCHED if hasattr(model, "history"))]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def fresh(user):
    """The user as a new request would bring it: permissions and scope not cached yet."""
    return get_user_model().objects.get(pk=user.pk)


def granted(user, *codenames):
    for codename in codenames:
        app_label, codename = codename.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return fresh(user)


def persona(world, name):
    """The personas of tests/conftest.py, and two more: the center's officer without any of the role's rights,
    and a staff login attached to no organization."""
    if name == "center_without_rights":
        user = factories.UserFactory(username="trungtam.khongquyen", is_staff=True)
        factories.OfficerFactory(user=user, organization=world.root)
        return user
    if name == "staff_without_organization":
        return factories.UserFactory(username="canbo.khongdonvi", is_staff=True, groups=[world.officer_group])
    return fresh(getattr(world, name))


def assert_refused(world, name, call):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        call(persona(world, name))
    assert snapshot() == before


# -- Attendance and scores: the organizer's staff only ----------------------------------------------------------


def mark_absent(world, user):
    session = world.session_a
    return mark_attendance(
        session, {world.enrollment_a.pk: "absent"}, by=user, expected_version=current_attendance_version(session)
    )


@pytest.mark.parametrize("name", ["officer_b", "officer_a", "trainee_x", "center_without_rights"])
def test_mark_attendance_refuses_who_may_not_mark_the_course(world, name):
    """officer_b: another committee's class; officer_a: its organizer, but officers do not take attendance."""
    assert_refused(world, name, lambda user: mark_absent(world, user))


def test_mark_attendance_refuses_another_committees_officer_even_with_the_right(world):
    officer_b = granted(world.officer_b, "enrollments.change_attendance")
    before = snapshot()
    with pytest.raises(PermissionDenied) as refused:
        mark_absent(world, officer_b)
    assert str(refused.value) == "Chỉ cán bộ của đơn vị tổ chức lớp được điểm danh."
    assert snapshot() == before


@pytest.mark.parametrize("who", ["center_staff", "authorized_organizer", "command_line"])
def test_mark_attendance_is_done_by_who_may(world, who):
    """The center, or the officer of a committee the center authorized to run its own classes (course_a is
    organized in committee A's sub-tree)."""
    if who == "authorized_organizer":
        factories.ClassAuthorizationFactory(organization=world.committee_a)
    user = {
        "center_staff": fresh(world.center_staff),
        "authorized_organizer": granted(world.officer_a, "enrollments.change_attendance"),
        "command_line": None,
    }[who]
    assert mark_absent(world, user).changed == 1
    assert Attendance.objects.get(pk=world.attendance_a.pk).status == "absent"


def score_six(world, user):
    course = world.course_a
    return record_scores(
        course, {world.enrollment_a.pk: Decimal("6")}, by=user, expected_version=current_score_version(course)
    )


@pytest.mark.parametrize("name", ["officer_b", "trainee_x", "center_without_rights"])
def test_record_scores_refuses_who_may_not_score_the_course(world, name):
    assert_refused(world, name, lambda user: score_six(world, user))


@pytest.mark.parametrize("name", ["officer_a", "center_staff"])
def test_record_scores_is_done_by_the_organizers_officer_and_the_center(world, name):
    assert score_six(world, persona(world, name)).changed == 1
    assert Enrollment.objects.get(pk=world.enrollment_a.pk).final_score == Decimal("6")


# -- Closing and overriding: the center -----------------------------------------------------------------------

CENTER_ONLY_REFUSED = ["officer_a", "officer_b", "trainee_x", "center_without_rights"]


@pytest.mark.parametrize("name", CENTER_ONLY_REFUSED)
def test_close_course_refuses_all_but_the_center(world, name):
    assert_refused(world, name, lambda user: close_course(world.course_a, by=user))


def test_close_course_is_done_by_the_center(world):
    # The world's class has a held session not recorded for every trainee: the center closes it early, with a reason.
    summary = close_course(world.course_a, by=fresh(world.center_staff), reason="Học viên đã dự đủ theo sổ tay lớp")
    assert not summary.already_closed
    assert Course.objects.get(pk=world.course_a.pk).status == Course.Status.CLOSED


@pytest.mark.parametrize("name", CENTER_ONLY_REFUSED)
def test_override_result_refuses_all_but_the_center(world, name):
    def call(user):
        override_result(world.enrollment_a, completed=True, by=user, reason="Đã học bù")

    assert_refused(world, name, call)


def test_override_result_is_done_by_the_center(world):
    override_result(world.enrollment_a, completed=True, by=fresh(world.center_staff), reason="Đã học bù")
    assert Enrollment.objects.get(pk=world.enrollment_a.pk).result_overridden


# -- Certificates: the center -----------------------------------------------------------------------------------


@pytest.fixture
def closed_course_a(world):
    """course_a closed, secretary_a completed without a certificate yet (trainee_x holds one already)."""
    close_with_results(world.enrollment_a)
    return Course.objects.get(pk=world.course_a.pk)


@pytest.mark.parametrize("name", CENTER_ONLY_REFUSED)
def test_issue_certificates_refuses_all_but_the_center(world, closed_course_a, name):
    def call(user):
        issue_certificates(closed_course_a, by=user, notify=False, render_pdfs=False)

    assert_refused(world, name, call)


def test_issue_certificates_is_done_by_the_center(world, closed_course_a):
    summary = issue_certificates(closed_course_a, by=fresh(world.center_staff), notify=False, render_pdfs=False)
    assert [certificate.enrollment for certificate in summary.issued] == [world.enrollment_a]


@pytest.mark.parametrize("name", CENTER_ONLY_REFUSED)
def test_revoke_certificate_refuses_all_but_the_center(world, name):
    assert_refused(world, name, lambda user: revoke_certificate(world.certificate_a, by=user, reason="Sai họ tên"))


@pytest.mark.parametrize("name", CENTER_ONLY_REFUSED)
def test_reissue_certificate_refuses_all_but_the_center(world, name):
    revoked = revoke_certificate(world.certificate_a, by=fresh(world.center_staff), reason="Sai họ tên")
    assert_refused(world, name, lambda user: reissue_certificate(revoked, by=user, notify=False))


def test_revoking_and_reissuing_are_done_by_the_center(world):
    close_with_results(world.enrollment_x_in_a)
    center = fresh(world.center_staff)
    revoked = revoke_certificate(world.certificate_a, by=center, reason="Sai họ tên")
    replacement = reissue_certificate(revoked, by=center, notify=False)
    assert replacement.replaces == revoked


@pytest.mark.parametrize("name", CENTER_ONLY_REFUSED)
def test_start_print_job_refuses_all_but_the_center(world, name):
    assert_refused(world, name, lambda user: start_print_job(world.course_a, kind=PrintJob.Kind.PDF, by=user))


def test_start_print_job_is_done_by_the_center(world):
    job = start_print_job(world.course_a, kind=PrintJob.Kind.PDF, by=fresh(world.center_staff))
    assert job.requested_by == world.center_staff


# -- Nominating: the center's staff and the committees' officers -------------------------------------------------


@pytest.fixture
def open_course(world):
    return factories.open_course(world)


@pytest.mark.parametrize("name", ["trainee_x", "staff_without_organization"])
def test_nominating_and_withdrawing_refuse_who_is_not_staff_of_the_tree(world, open_course, name):
    enrollment = nominate(open_course, world.member_x, by=fresh(world.officer_a))
    assert_refused(world, name, lambda user: nominate(open_course, world.secretary_a, by=user))
    assert_refused(world, name, lambda user: nominate_many(open_course, [(world.secretary_a, "")], by=user))
    assert_refused(world, name, lambda user: withdraw(enrollment, by=user))


def test_nominating_and_withdrawing_are_done_by_an_officer(world, open_course):
    officer_a = fresh(world.officer_a)
    enrollment = nominate(open_course, world.secretary_a, by=officer_a)
    assert withdraw(enrollment, by=officer_a).status == Enrollment.Status.WITHDRAWN


def test_a_nomination_list_imported_by_a_trainee_is_refused_whole_with_nothing_written(world, open_course):
    """The import nominates through nominate_many(), whose refusal the import reports."""
    born = world.secretary_a.birth_date.strftime("%d/%m/%Y")
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Chi bộ / Đảng bộ", "Đơn vị công tác"]
    data = xlsx(("Danh sách", [header, [1, "Lê Minh Châu", born, "Nam", "", "DU-A-CS1-CB1", ""]]))
    before = snapshot()

    report = import_nominations(data, course=open_course, by=fresh(world.trainee_x), file_name="cu-di-hoc.xlsx")

    assert not report.imported
    assert "Chỉ cán bộ Trung tâm và cán bộ đảng ủy được cử học viên." in report.errors
    assert snapshot() == before


# -- Reports: the center's staff and the committees' officers ----------------------------------------------------


@pytest.mark.parametrize("name", ["trainee_x", "staff_without_organization"])
def test_starting_a_report_refuses_who_is_not_staff_of_the_tree(world, name):
    before = ReportJob.objects.count()
    with pytest.raises(PermissionDenied):
        start_year_workbook(2021, by=persona(world, name))
    assert ReportJob.objects.count() == before


def test_a_report_is_started_by_an_officer(world):
    assert start_year_workbook(2021, by=fresh(world.officer_a)).requested_by == world.officer_a


# -- The tree import ------------------------------------------------------------------------------------------


def people_file(code):
    header = ["Họ và tên", "Ngày sinh", "Giới tính", "Mã tổ chức", "Chức vụ", "Nhiệm kỳ", "Từ ngày", "Đến ngày"]
    row = ["Trịnh Thu Hà", "5/3/1985", "Nữ", code, "Bí thư", "2020-2025", "15/06/2020", None]
    return xlsx(("Đảng viên và chức vụ", [header, row]))


@pytest.mark.parametrize("name", ["trainee_x", "center_without_rights"])
def test_the_tree_import_refuses_who_holds_none_of_its_rights(world, name):
    assert_refused(world, name, lambda user: import_organizations(people_file("DU-A-CS1-CB1"), by=user))


def test_the_tree_import_refuses_rows_outside_the_importers_scope(world):
    before = snapshot()

    report = import_organizations(people_file("DU-A-CS1-CB1"), by=fresh(world.officer_b))

    assert not report.imported
    assert [message for row in report.refused_rows for message in row.messages] == [
        "Dòng 2, cột Mã tổ chức: 'DU-A-CS1-CB1' không có trong tệp hoặc trong phạm vi tổ chức của tài khoản"
    ]
    assert snapshot() == before


def test_the_tree_import_is_done_by_the_officer_in_its_own_scope(world):
    report = import_organizations(people_file("DU-A-CS1-CB1"), by=fresh(world.officer_a))

    assert report.imported
    assert Member.objects.get(full_name="Trịnh Thu Hà").organization == world.cell_a


# -- The predicates, as pages ask them ----------------------------------------------------------------------------


def test_each_predicate_answers_each_persona(world):
    course_a, course_b = world.course_a, world.course_b
    answers = {
        name: (
            permissions.may_mark_attendance(user, course_a),
            permissions.may_record_scores(user, course_a),
            permissions.may_record_scores(user, course_b),
            permissions.may_close(user),
            permissions.may_override_result(user),
            permissions.may_issue(user),
            permissions.may_revoke(user),
            permissions.may_print(user),
            permissions.may_read_revoked(user),
            permissions.may_nominate(user),
            permissions.may_import_tree(user),
            permissions.may_import_into(user, world.cell_a),
            permissions.may_import_into(user, world.cell_b),
            permissions.may_link_login(user),
            permissions.may_use_reports(user),
        )
        for name, user in [
            ("center_staff", fresh(world.center_staff)),
            ("officer_a", fresh(world.officer_a)),
            ("officer_b", fresh(world.officer_b)),
            ("trainee_x", fresh(world.trainee_x)),
            ("anonymous", AnonymousUser()),
            ("command_line", None),
        ]
    }
    yes, no = True, False
    assert answers == {
        "center_staff": (yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes),
        "officer_a": (no, yes, no, no, no, no, no, no, no, yes, yes, yes, no, no, yes),
        "officer_b": (no, no, yes, no, no, no, no, no, no, yes, yes, no, yes, no, yes),
        "trainee_x": (no, no, no, no, no, no, no, no, no, no, no, no, no, no, no),
        "anonymous": (no, no, no, no, no, no, no, no, no, no, no, no, no, no, no),
        "command_line": (yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes, yes),
    }


# -- Scope.contains over generated tree paths ---------------------------------------------------------------------

steps = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=STEPLEN, max_size=STEPLEN)
paths = st.lists(steps, min_size=1, max_size=6).map("".join)


@given(scope_path=paths, path=paths)
def test_a_scope_holds_its_organization_and_what_lies_below_it_only(scope_path, path):
    def ancestors_and_self(p):
        return {p[:end] for end in range(STEPLEN, len(p) + 1, STEPLEN)}

    assert Scope(path=scope_path).contains(path) == (scope_path in ancestors_and_self(path))
    assert Scope(path=scope_path).contains(scope_path + path)
    assert EVERYTHING.contains(path)
    assert not NOTHING.contains(path)
    assert not Scope(member_id=1).contains(path)
