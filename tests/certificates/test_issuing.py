"""Issuing certificates: gap-free register numbers per issuer and year in roster order, random codes, a
second issue creating nothing, the trainee told by mail; revoking with a reason, replacements pointing
back; nothing deleted; the issue and revoke commands."""

import datetime
import io
import math
import smtplib
import unicodedata
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from certificates.models import CODE_ALPHABET, CODE_LENGTH, Certificate, RegisterCounter, normalize_code
from certificates.services import (
    find_by_register_number,
    issue_certificates,
    new_verification_code,
    reissue_certificate,
    revoke_certificate,
)
from courses.models import Course
from enrollments.models import Enrollment
from tests import factories

ISSUED_ON = datetime.date(2021, 5, 14)  # after the factory course's end (30/04/2021)


def closed_course(world, code, names, *, organizer=None, statuses=None):
    """A closed course of the center whose trainees (A's cell) have the given names; all completed unless
    `statuses` says otherwise."""
    course = factories.CourseFactory(
        code=code, program=world.program, organizer=organizer or world.root, status=Course.Status.CLOSED
    )
    statuses = statuses or {}
    for name in names:
        member = factories.MemberFactory(full_name=name, organization=world.cell_a, email=f"{len(name)}@example.vn")
        factories.EnrollmentFactory(
            course=course,
            member=member,
            status=statuses.get(name, Enrollment.Status.COMPLETED),
            final_score=Decimal("8.5"),
            grade="excellent",
        )
    return course


@pytest.fixture
def center_issuer(world):
    return factories.IssuerProfileFactory(organization=world.root, register_suffix="CC-TTBDCT")


@pytest.fixture
def course(world, center_issuer):
    return closed_course(world, "2021-K1-L7", ["Trương Thị Ánh Tuyết", "Hoàng Đức Ân", "Nguyễn Thị Ánh"])


def test_each_completed_trainee_gets_one_certificate_numbered_in_roster_order(world, course, center_staff):
    summary = issue_certificates(course, by=center_staff, issued_on=ISSUED_ON)

    # By given name, Vietnamese letter order: Ánh (Nguyễn Thị), Ân (Hoàng Đức), Tuyết.
    assert [(c.number, c.holder_name) for c in summary.issued] == [
        (1, "Nguyễn Thị Ánh"),
        (2, "Hoàng Đức Ân"),
        (3, "Trương Thị Ánh Tuyết"),
    ]
    assert [c.register_number for c in summary.issued] == [
        "0001/2021/CC-TTBDCT",
        "0002/2021/CC-TTBDCT",
        "0003/2021/CC-TTBDCT",
    ]
    certificate = Certificate.objects.get(register_number="0001/2021/CC-TTBDCT")
    assert certificate.issued_on == ISSUED_ON and certificate.year == 2021
    assert certificate.issued_by == center_staff
    assert certificate.signer_title == "GIÁM ĐỐC" and certificate.signer_name == "Nguyễn Văn Thành"
    assert certificate.program_name == world.program.name
    assert certificate.course_title == course.title
    assert certificate.grade == "excellent" and certificate.is_valid
    assert certificate.history.get().history_user == center_staff


def test_issuing_twice_creates_nothing_new(course, center_staff):
    first = issue_certificates(course, by=center_staff)
    second = issue_certificates(course, by=center_staff)

    assert len(first.issued) == 3
    assert second.issued == [] and second.already_issued == 3
    assert Certificate.objects.filter(enrollment__course=course).count() == 3
    assert RegisterCounter.objects.get(issuer__register_suffix="CC-TTBDCT").last_number == 3


def test_only_completed_trainees_of_a_closed_course_are_issued(world, center_issuer, center_staff):
    course = closed_course(
        world,
        "2021-K1-L8",
        ["Lê Văn Cường", "Vũ Minh Em", "Đặng Thu Giang"],
        statuses={"Lê Văn Cường": Enrollment.Status.NOT_COMPLETED, "Vũ Minh Em": Enrollment.Status.WITHDRAWN},
    )
    summary = issue_certificates(course, by=center_staff)
    assert [c.holder_name for c in summary.issued] == ["Đặng Thu Giang"]

    running = closed_course(world, "2021-K1-L9", ["Đỗ Văn Hùng"])
    Course.objects.filter(pk=running.pk).update(status=Course.Status.OPEN)
    with pytest.raises(ValidationError, match="chưa kết thúc"):
        issue_certificates(running, by=center_staff)
    assert not Certificate.objects.filter(enrollment__course=running).exists()


def test_an_organizer_without_an_issuer_profile_cannot_issue(world, center_staff):
    course = closed_course(world, "2021-A-L9", ["Đỗ Văn Hùng"], organizer=world.committee_a)
    with pytest.raises(ValidationError, match="chưa có thông tin đơn vị cấp"):
        issue_certificates(course, by=center_staff)
    assert not Certificate.objects.filter(enrollment__course=course).exists()


def test_numbers_run_on_per_issuer_and_year_and_restart_each_year(world, center_issuer, center_staff):
    first = closed_course(world, "2021-K1-L1X", ["Nguyễn Văn An", "Trần Thị Bình"])
    second = closed_course(world, "2021-K1-L2X", ["Lê Văn Cường"])
    own = closed_course(world, "2021-B-L2X", ["Phan Thị Dung"], organizer=world.committee_b)
    factories.IssuerProfileFactory(organization=world.committee_b, register_suffix="CC-DUBTP")
    later = closed_course(world, "2022-K1-L1X", ["Võ Thanh Hải"])

    issue_certificates(first, by=center_staff, issued_on=ISSUED_ON)
    issue_certificates(own, by=center_staff, issued_on=ISSUED_ON)
    issue_certificates(second, by=center_staff, issued_on=ISSUED_ON)
    issue_certificates(later, by=center_staff, issued_on=datetime.date(2022, 1, 10))

    issued = Certificate.objects.filter(enrollment__course__in=[first, second, own, later])
    # Committee B's book already holds the world's certificate_b (0001/2021/CC-DUBTP).
    assert sorted(issued.values_list("register_number", flat=True)) == [
        "0001/2021/CC-TTBDCT",
        "0001/2022/CC-TTBDCT",
        "0002/2021/CC-DUBTP",
        "0002/2021/CC-TTBDCT",
        "0003/2021/CC-TTBDCT",
    ]


def test_only_center_staff_issue(course, officer_a):
    with pytest.raises(PermissionDenied):
        issue_certificates(course, by=officer_a)
    assert not Certificate.objects.filter(enrollment__course=course).exists()


def test_verification_codes_are_random_80_bit_codes_without_ambiguous_characters(course, center_staff):
    assert len(CODE_ALPHABET) == 32 and not set("0O1I") & set(CODE_ALPHABET)
    assert CODE_LENGTH * math.log2(len(CODE_ALPHABET)) >= 80
    codes = {new_verification_code() for _index in range(500)}
    assert len(codes) == 500
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)

    issued = issue_certificates(course, by=center_staff).issued
    assert len({c.verification_code for c in issued}) == 3
    printed = issued[0].printed_code
    assert len(printed.split("-")) == 4
    assert normalize_code(printed.lower()) == issued[0].verification_code


def test_the_trainee_is_told_by_mail(course, center_staff):
    issued = issue_certificates(course, by=center_staff).issued

    assert len(mail.outbox) == 3
    message = next(m for m in mail.outbox if issued[0].holder_name in m.body)
    assert message.to == [issued[0].enrollment.member.email]
    assert issued[0].register_number in message.body
    assert issued[0].verification_url in message.body
    assert "giấy chứng nhận" in message.subject.lower()

    issue_certificates(course, by=center_staff)
    assert len(mail.outbox) == 3


def test_a_trainee_without_an_address_gets_no_mail(world, center_issuer, center_staff):
    course = closed_course(world, "2021-K1-L5", ["Hoàng Đức Ân"])
    Enrollment.objects.get(course=course).member.__class__.objects.update(email="")
    issue_certificates(course, by=center_staff)
    assert mail.outbox == []
    assert Certificate.objects.filter(enrollment__course=course).count() == 1


def test_issuing_costs_the_same_queries_for_a_small_and_a_larger_class(world, center_issuer, center_staff):
    def queries(code, size):
        course = closed_course(world, code, [factories.vietnamese_name(n) for n in range(size)])
        staff = User.objects.get(pk=center_staff.pk)  # permissions and scope read afresh each time
        with CaptureQueriesContext(connection) as captured:
            issue_certificates(course, by=staff)
        assert Certificate.objects.filter(enrollment__course=course).count() == size
        return len(captured)

    assert queries("2021-Q-S", 2) == queries("2021-Q-L", 9)


def test_names_typed_with_combining_accents_are_stored_composed(world, center_issuer, center_staff):
    course = closed_course(world, "2021-K1-L6", ["Phạm Anh Thiện"])
    member = Enrollment.objects.get(course=course).member
    member.__class__.objects.filter(pk=member.pk).update(full_name=unicodedata.normalize("NFD", "Phạm Anh Thiện"))

    (certificate,) = issue_certificates(course, by=center_staff).issued
    assert certificate.holder_name == "Phạm Anh Thiện"
    assert unicodedata.is_normalized("NFC", certificate.holder_name)


# -- Revoking and replacing ------------------------------------------------------------------------


@pytest.fixture
def issued(course, center_staff):
    return issue_certificates(course, by=center_staff, issued_on=ISSUED_ON).issued[0]


def test_revoking_needs_a_reason_and_records_who_and_when(issued, center_staff):
    with pytest.raises(ValidationError):
        revoke_certificate(issued, by=center_staff, reason="  ")

    revoked = revoke_certificate(issued, by=center_staff, reason="Sai họ tên: Ánh viết thành Anh")

    revoked.refresh_from_db()
    assert revoked.status == Certificate.Status.REVOKED
    assert revoked.revoke_reason == "Sai họ tên: Ánh viết thành Anh"
    assert revoked.revoked_by == center_staff and revoked.revoked_at is not None
    latest = revoked.history.latest("history_date")
    assert latest.history_user == center_staff and latest.history_change_reason == "Sai họ tên: Ánh viết thành Anh"
    with pytest.raises(ValidationError, match="đã bị thu hồi"):
        revoke_certificate(revoked, by=center_staff, reason="Lần nữa")


def test_officers_cannot_revoke(issued, officer_a):
    with pytest.raises(PermissionDenied):
        revoke_certificate(issued, by=officer_a, reason="Không có quyền")
    issued.refresh_from_db()
    assert issued.is_valid


def test_a_replacement_has_a_new_number_the_corrected_name_and_points_back(world, issued, center_staff):
    with pytest.raises(ValidationError, match="đã bị thu hồi"):
        reissue_certificate(issued, by=center_staff)
    member = issued.enrollment.member
    revoke_certificate(issued, by=center_staff, reason="Sai họ tên")
    member.full_name = "Nguyễn Thị Ánh Hồng"
    member.save()

    replacement = reissue_certificate(issued, by=center_staff, issued_on=datetime.date(2021, 6, 2))

    assert replacement.replaces == issued and issued.replaced_by == replacement
    assert replacement.register_number == "0004/2021/CC-TTBDCT"
    assert replacement.holder_name == "Nguyễn Thị Ánh Hồng" and replacement.is_valid
    assert replacement.pdf and replacement.pdf_sha256
    issued.refresh_from_db()
    assert issued.holder_name == "Nguyễn Thị Ánh", "what was issued stays as it was issued"
    with pytest.raises(ValidationError, match="đã được cấp lại"):
        reissue_certificate(issued, by=center_staff)


def test_a_trainee_never_holds_two_valid_certificates_of_one_course(issued):
    duplicate = Certificate.objects.get(pk=issued.pk)
    duplicate.pk = None
    duplicate.number, duplicate.register_number, duplicate.verification_code = 99, "0099/2021/CC-TTBDCT", "X" * 16
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_nothing_a_certificate_points_to_can_be_deleted(issued):
    for obj in [issued.enrollment, issued.enrollment.member, issued.enrollment.course, issued.issuer]:
        with pytest.raises(ProtectedError), transaction.atomic():
            obj.delete()
    revoke_certificate(issued, by=None, reason="Sai họ tên")
    reissue_certificate(issued, by=None)
    with pytest.raises(ProtectedError), transaction.atomic():
        Certificate.objects.get(pk=issued.pk).delete()


def test_the_register_number_as_printed_finds_the_certificate(issued):
    assert find_by_register_number("0001/2021/CC-TTBDCT") == issued
    assert find_by_register_number(" 1 / 2021 / cc-ttbdct ") == issued
    assert find_by_register_number("0001/2020/CC-TTBDCT") is None
    assert find_by_register_number("không phải số") is None


# -- Commands --------------------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_issue_command_issues_once_and_reports(course, center_staff):
    output = run("issue_certificates", "--course", course.code, "--by", center_staff.username, "--date", "2021-05-14")
    assert "cấp mới 3" in output and "0001/2021/CC-TTBDCT" in output and "Nguyễn Thị Ánh" in output

    again = run("issue_certificates", "--course", course.code)
    assert "cấp mới 0, đã cấp từ trước 3" in again
    assert Certificate.objects.filter(enrollment__course=course).count() == 3
    with pytest.raises(CommandError, match="Không có lớp"):
        run("issue_certificates", "--course", "KHONG-CO")


def test_revoke_command_takes_the_printed_number_and_can_reissue(issued, center_staff):
    with pytest.raises(CommandError, match="Không có giấy chứng nhận"):
        run("revoke_certificate", "0099/2021/CC-TTBDCT", "--reason", "Sai")

    output = run(
        "revoke_certificate",
        "0001/2021/CC-TTBDCT",
        "--reason",
        "Sai ngày sinh",
        "--by",
        center_staff.username,
        "--reissue",
    )

    assert "Đã thu hồi giấy chứng nhận 0001/2021/CC-TTBDCT" in output
    issued.refresh_from_db()
    assert issued.revoke_reason == "Sai ngày sinh" and issued.revoked_by == center_staff
    assert issued.replaced_by.register_number in output
    with pytest.raises(CommandError, match="đã bị thu hồi"):
        run("revoke_certificate", "0001/2021/CC-TTBDCT", "--reason", "Lần nữa")


def test_a_mail_server_that_is_down_does_not_undo_issuing(course, center_staff, monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("máy chủ thư không trả lời")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    summary = issue_certificates(course, by=center_staff)
    assert len(summary.issued) == 3
    assert Certificate.objects.filter(enrollment__course=course).exclude(pdf="").count() == 3
