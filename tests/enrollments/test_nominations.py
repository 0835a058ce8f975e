"""Nominations and seats: scope, quotas, capacity, the deadline lock, duplicates, the program already
completed this term, withdrawals; and the admin pages officers nominate through."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from courses import lifecycle
from courses.models import Course
from enrollments.models import Enrollment
from enrollments.nominations import courses_open_for_nomination, nominate, nominations_by_committee, withdraw
from organizations.models import Post
from tests import factories


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def course(world):
    """A class of the center, open for nomination for another week, under the world's program."""
    return factories.open_course(world)


def messages_of(raised):
    return raised.value.message_dict


def quota(course, organization, seats):
    return factories.SeatQuotaFactory(course=course, organization=organization, seats=seats)


# -- Who may nominate whom, into what -------------------------------------------------------------


def test_officer_nominates_a_member_of_its_subtree_with_the_current_post(world, course):
    enrollment = nominate(course, world.secretary_a, by=world.officer_a)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.REGISTERED
    assert enrollment.nominated_by == world.committee_a
    assert enrollment.post == Post.SECRETARY
    record = enrollment.history.get()
    assert record.history_user == world.officer_a


@pytest.fixture
def newcomer(world):
    """A member of A's cell who holds no post."""
    return factories.MemberFactory(full_name="Phạm Anh Thiện", organization=world.cell_a)


def test_post_is_left_empty_without_a_current_post_and_kept_when_given(world, course, newcomer):
    without_post = nominate(course, newcomer, by=world.officer_a)
    given = nominate(course, world.secretary_a, by=world.officer_a, post=Post.COMMITTEE_MEMBER)

    assert without_post.post == ""
    assert given.post == Post.COMMITTEE_MEMBER


def test_a_post_that_does_not_require_training_is_not_taken_as_default(world, course):
    world.appointment_a.requires_training = False
    world.appointment_a.save()

    assert nominate(course, world.secretary_a, by=world.officer_a).post == ""


def test_center_nominates_for_the_members_affiliated_committee(world, course):
    enrollment = nominate(course, world.member_y, by=world.center_staff)

    assert enrollment.nominated_by == world.committee_b


def test_officer_cannot_nominate_a_member_of_the_sibling_committee(world, course):
    with pytest.raises(ValidationError) as raised:
        nominate(course, world.member_y, by=world.officer_a)

    assert messages_of(raised) == {
        "member": ["Đồng chí Trần Văn Đức không thuộc tổ chức đảng do tài khoản này phụ trách."]
    }
    assert not Enrollment.objects.filter(course=course).exists()


@pytest.mark.parametrize("state", ["planned", "running"])
def test_officer_cannot_nominate_into_a_course_that_is_not_open(world, course, today, state):
    """Planned (the center has not opened the list) or running (its start date has come, with no deadline set):
    courses.lifecycle.phase() is not "open"."""
    if state == "planned":
        course.status = Course.Status.PLANNED
    else:
        course.nomination_deadline = None
        course.start_date = today
    course.save()

    with pytest.raises(ValidationError) as raised:
        nominate(course, world.secretary_a, by=world.officer_a)

    assert messages_of(raised) == {"course": ["Lớp 2030-K1-L1 không trong thời gian nhận cử học viên."]}


def test_officer_cannot_nominate_into_the_sibling_committees_own_course(world):
    world.course_b.status = Course.Status.OPEN
    world.course_b.save()

    with pytest.raises(ValidationError) as raised:
        nominate(world.course_b, world.secretary_a, by=world.officer_a)

    assert messages_of(raised) == {"course": ["Lớp 2021-B-L1 không dành cho đơn vị của đồng chí."]}


def test_center_nominates_into_a_running_course_but_not_into_a_closed_one(world, course):
    course.status = Course.Status.OPEN
    course.save()
    assert nominate(course, world.member_y, by=world.center_staff).course == course

    course.status = Course.Status.CLOSED
    course.save()
    with pytest.raises(ValidationError) as raised:
        nominate(course, world.secretary_b, by=world.center_staff)
    assert messages_of(raised)["course"][0].startswith("Lớp 2030-K1-L1 đã kết thúc, kết quả đã lưu")


def test_nobody_nominates_into_a_cancelled_course(world, course):
    lifecycle.cancel(course, by=world.center_staff, reason="Không đủ học viên")

    for by in (world.center_staff, world.officer_a):
        with pytest.raises(ValidationError) as raised:
            nominate(course, world.secretary_a, by=by)
        assert messages_of(raised) == {
            "course": ["Lớp 2030-K1-L1 đã bị hủy: không nhận cử học viên, điểm danh hay điểm."]
        }
    assert not Enrollment.objects.filter(course=course).exists()
    assert course not in courses_open_for_nomination(world.center_staff)


def test_a_trainee_cannot_nominate(world, course):
    with pytest.raises(PermissionDenied):
        nominate(course, world.member_x, by=world.trainee_x)


def test_courses_open_for_nomination_differ_for_officers_and_the_center(world, course, today):
    late = factories.CourseFactory(
        program=world.program,
        organizer=world.root,
        status=Course.Status.OPEN,
        nomination_deadline=today - datetime.timedelta(days=1),
    )

    assert set(courses_open_for_nomination(world.officer_a)) == {course}
    assert set(courses_open_for_nomination(world.center_staff)) == {
        course,
        late,
        world.root_course,
        world.course_a,
        world.course_b,
    }
    assert not courses_open_for_nomination(world.trainee_x).exists()


# -- Seats ------------------------------------------------------------------------------------------


def test_officer_is_refused_once_the_committees_quota_is_reached(world, course):
    quota(course, world.committee_a, 1)
    nominate(course, world.secretary_a, by=world.officer_a)

    with pytest.raises(ValidationError) as raised:
        nominate(course, world.member_x, by=world.officer_a)

    assert messages_of(raised) == {"course": ["Đảng ủy Bộ Ngoại giao đã cử đủ 1 chỉ tiêu của lớp 2030-K1-L1."]}
    assert Enrollment.objects.filter(course=course).count() == 1


def test_a_committee_without_a_quota_cannot_nominate_into_a_course_with_quotas(world, course):
    quota(course, world.committee_b, 5)

    with pytest.raises(ValidationError) as raised:
        nominate(course, world.secretary_a, by=world.officer_a)

    assert messages_of(raised) == {
        "course": ["Đảng ủy Bộ Ngoại giao không có chỉ tiêu cử học viên vào lớp 2030-K1-L1."]
    }


def test_a_grassroots_officer_is_held_by_its_own_quota_inside_the_committees(world, course):
    officer = factories.UserFactory(username="canbo.coso.a", is_staff=True, groups=["Cán bộ đảng ủy"])
    factories.OfficerFactory(user=officer, organization=world.grassroots_a)
    quota(course, world.committee_a, 5)
    quota(course, world.grassroots_a, 1)

    first = nominate(course, world.secretary_a, by=officer)
    with pytest.raises(ValidationError) as raised:
        nominate(course, world.member_x, by=officer)

    assert first.nominated_by == world.grassroots_a
    assert messages_of(raised) == {
        "course": ["Đảng bộ Vụ Tổng hợp Bộ Ngoại giao đã cử đủ 1 chỉ tiêu của lớp 2030-K1-L1."]
    }


def test_without_quotas_the_capacity_is_the_limit_for_everyone(world, course):
    course.capacity = 1
    course.save()
    nominate(course, world.secretary_a, by=world.officer_a)

    with pytest.raises(ValidationError) as by_officer:
        nominate(course, world.member_x, by=world.officer_a)
    with pytest.raises(ValidationError) as by_center:
        nominate(course, world.member_y, by=world.center_staff)

    assert messages_of(by_officer) == {"course": ["Lớp 2030-K1-L1 đã đủ 1 học viên."]}
    assert messages_of(by_center) == messages_of(by_officer)


def test_center_goes_past_a_committees_quota_only_with_a_written_reason(world, course):
    quota(course, world.committee_a, 1)
    nominate(course, world.secretary_a, by=world.officer_a)

    with pytest.raises(ValidationError) as raised:
        nominate(course, world.member_x, by=world.center_staff)
    assert messages_of(raised) == {
        "reason": [
            "Đảng ủy Bộ Ngoại giao đã cử đủ 1 chỉ tiêu của lớp 2030-K1-L1. Trung tâm cử vượt chỉ tiêu phải ghi lý do."
        ]
    }
    assert not Enrollment.objects.filter(course=course, member=world.member_x).exists()

    enrollment = nominate(course, world.member_x, by=world.center_staff, reason="Bổ sung theo đề nghị của Ban")
    assert enrollment.nominated_by == world.committee_a
    assert enrollment.history.latest().history_change_reason == "Bổ sung theo đề nghị của Ban"


def test_withdrawing_frees_the_seat(world, course):
    quota(course, world.committee_a, 1)
    first = nominate(course, world.secretary_a, by=world.officer_a)
    with pytest.raises(ValidationError):
        nominate(course, world.member_x, by=world.officer_a)

    withdraw(first, by=world.officer_a)

    assert nominate(course, world.member_x, by=world.officer_a).status == Enrollment.Status.REGISTERED
    first.refresh_from_db()
    assert first.status == Enrollment.Status.WITHDRAWN


def test_a_withdrawn_member_nominated_again_is_back_on_the_same_row(world, course):
    first = nominate(course, world.secretary_a, by=world.officer_a)
    withdraw(first, by=world.officer_a)

    again = nominate(course, world.secretary_a, by=world.officer_a)

    assert again.pk == first.pk
    assert again.status == Enrollment.Status.REGISTERED
    assert [record.status for record in again.history.order_by("history_date")] == [
        Enrollment.Status.REGISTERED,
        Enrollment.Status.WITHDRAWN,
        Enrollment.Status.REGISTERED,
    ]


def test_withdrawing_twice_is_refused(world, course):
    enrollment = nominate(course, world.secretary_a, by=world.officer_a)
    withdraw(enrollment, by=world.officer_a)

    with pytest.raises(ValidationError) as raised:
        withdraw(enrollment, by=world.officer_a)

    assert raised.value.messages == ["Đồng chí Lê Minh Châu đã rút khỏi lớp 2030-K1-L1."]


def test_officer_cannot_withdraw_a_trainee_outside_its_subtree(world, course):
    enrollment = nominate(course, world.member_y, by=world.officer_b)

    with pytest.raises(PermissionDenied):
        withdraw(enrollment, by=world.officer_a)


# -- The deadline -------------------------------------------------------------------------------------


@pytest.fixture
def locked_course(course, today):
    course.nomination_deadline = today - datetime.timedelta(days=1)
    course.save()
    return course


def test_on_the_deadline_day_officers_still_nominate(world, course, today):
    course.nomination_deadline = today
    course.save()

    assert nominate(course, world.secretary_a, by=world.officer_a).pk


def test_after_the_deadline_officers_cannot_nominate(world, locked_course, today):
    with pytest.raises(ValidationError) as raised:
        nominate(locked_course, world.secretary_a, by=world.officer_a, reason="Bổ sung")

    deadline = (today - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    assert messages_of(raised) == {
        "course": [f"Đã quá hạn cử học viên của lớp 2030-K1-L1 ({deadline}); chỉ Trung tâm được thay đổi danh sách."]
    }


def test_after_the_deadline_the_center_needs_a_reason_and_the_history_keeps_it(world, locked_course):
    with pytest.raises(ValidationError) as raised:
        nominate(locked_course, world.secretary_a, by=world.center_staff, reason="   ")
    assert list(messages_of(raised)) == ["reason"]

    enrollment = nominate(
        locked_course, world.secretary_a, by=world.center_staff, reason="Thay đồng chí Hà đi công tác"
    )

    record = enrollment.history.get()
    assert record.history_change_reason == "Thay đồng chí Hà đi công tác"
    assert record.history_user == world.center_staff


def test_after_the_deadline_only_the_center_withdraws_with_a_reason(world, course, today):
    enrollment = nominate(course, world.secretary_a, by=world.officer_a)
    course.nomination_deadline = today - datetime.timedelta(days=1)
    course.save()

    with pytest.raises(ValidationError):
        withdraw(enrollment, by=world.officer_a, reason="Ốm")
    with pytest.raises(ValidationError) as without_reason:
        withdraw(enrollment, by=world.center_staff)
    withdraw(enrollment, by=world.center_staff, reason="Đồng chí Châu nằm viện")

    assert list(messages_of(without_reason)) == ["reason"]
    record = enrollment.history.latest("history_date")
    assert record.status == Enrollment.Status.WITHDRAWN
    assert record.history_change_reason == "Đồng chí Châu nằm viện"


def test_a_reason_longer_than_the_history_keeps_is_refused(world, locked_course):
    with pytest.raises(ValidationError) as raised:
        nominate(locked_course, world.secretary_a, by=world.center_staff, reason="x" * 101)

    assert messages_of(raised) == {"reason": ["Lý do dài tối đa 100 ký tự."]}


# -- Duplicates and the program already completed ---------------------------------------------------


def test_a_member_already_on_the_list_is_refused(world, course):
    nominate(course, world.secretary_a, by=world.officer_a)

    with pytest.raises(ValidationError) as raised:
        nominate(course, world.secretary_a, by=world.center_staff)

    assert messages_of(raised) == {"member": ["Đồng chí Lê Minh Châu đã có tên trong lớp 2030-K1-L1."]}


def test_a_member_with_a_certificate_of_the_program_this_term_is_refused_naming_it(world, course, in_the_2020_term):
    # member_x holds certificate_a of the program (2021), within the term 2020–2025.
    with pytest.raises(ValidationError) as raised:
        nominate(course, world.member_x, by=world.officer_a)

    number = world.certificate_a.register_number
    assert messages_of(raised) == {
        "member": [
            f"Đồng chí Nguyễn Thị Hà đã được cấp giấy chứng nhận số {number} (lớp {world.course_a.code}, "
            "ngày 15/03/2021) trong nhiệm kỳ 2020–2025."
        ]
    }


def test_a_completion_without_a_certificate_or_from_an_earlier_term_does_not_count(world, course):
    # Completed, but no certificate: not trained. And certificate_a (2021) is of the 2020–2025 term, not today's.
    world.enrollment_x.status = Enrollment.Status.COMPLETED
    world.enrollment_x.save()

    assert nominate(course, world.member_x, by=world.officer_a).pk


def test_counted_per_year_the_period_is_the_calendar_year(world, course, today, newcomer, settings):
    settings.COMPLIANCE_PERIOD = "year"
    this_year = factories.CourseFactory(code="NAM-NAY", program=world.program, organizer=world.root, year=today.year)
    enrollment = factories.EnrollmentFactory(course=this_year, member=newcomer, status=Enrollment.Status.COMPLETED)
    certificate = factories.CertificateFactory(enrollment=enrollment, year=today.year, issued_on=today)

    with pytest.raises(ValidationError) as raised:
        nominate(course, newcomer, by=world.officer_a)
    assert messages_of(raised)["member"] == [
        f"Đồng chí Phạm Anh Thiện đã được cấp giấy chứng nhận số {certificate.register_number} (lớp NAM-NAY, "
        f"ngày {today:%d/%m/%Y}) trong năm {today.year}."
    ]


def test_completing_another_program_does_not_count(world, course):
    other = factories.CourseFactory(program=factories.ProgramFactory(), organizer=world.root)
    factories.EnrollmentFactory(course=other, member=world.secretary_a, status=Enrollment.Status.COMPLETED)

    assert nominate(course, world.secretary_a, by=world.officer_a).pk


# -- Nominations per committee ----------------------------------------------------------------------


def test_nominations_by_committee_counts_against_each_committees_quota(world, course):
    quota(course, world.committee_a, 3)
    quota(course, world.committee_b, 2)
    nominate(course, world.secretary_a, by=world.officer_a)
    nominate(course, world.member_x, by=world.officer_a)
    nominate(course, world.member_y, by=world.officer_b)

    rows = nominations_by_committee(course, world.center_staff)
    officer_rows = nominations_by_committee(course, world.officer_a)

    assert [(row["organization"], row["nominated"], row["seats"], row["remaining"]) for row in rows] == [
        (world.committee_a, 2, 3, 1),
        (world.committee_b, 1, 2, 1),
    ]
    assert [row["organization"] for row in officer_rows] == [world.committee_a]


def test_nominations_by_committee_shows_a_grassroots_quota_under_its_committee_as_the_rule_counts_it(world, course):
    # The center nominates secretary_a: the seat counts for committee A and its grassroots organization alike.
    quota(course, world.committee_a, 3)
    quota(course, world.grassroots_a, 1)
    nominate(course, world.secretary_a, by=world.center_staff)
    rows = nominations_by_committee(course, world.center_staff)
    assert [(row["organization"], row["nominated"], row["seats"], row["remaining"]) for row in rows] == [
        (world.committee_a, 1, 3, 2),
        (world.grassroots_a, 1, 1, 0),
    ]


# -- The admin --------------------------------------------------------------------------------------


def add_url():
    return reverse("admin:enrollments_enrollment_add")


def test_the_add_form_offers_only_courses_open_to_the_officer(world, course, client_for):
    response = client_for(world.officer_a).get(add_url())

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["course"].queryset) == [course]
    assert set(form.fields) == {"course", "member", "post", "reason"}


def test_officer_nominates_through_the_admin_form(world, course, client_for):
    response = client_for(world.officer_a).post(
        add_url(), {"course": course.pk, "member": world.secretary_a.pk, "post": "", "reason": ""}
    )

    assert response.status_code == 302
    enrollment = Enrollment.objects.get(course=course, member=world.secretary_a)
    assert enrollment.nominated_by == world.committee_a
    assert enrollment.post == Post.SECRETARY
    # Written once, by nominate(): the admin does not save the row a second time.
    assert enrollment.history.count() == 1


def test_a_refused_nomination_keeps_what_was_typed_and_writes_nothing(world, course, client_for):
    quota(course, world.committee_a, 1)
    nominate(course, world.secretary_a, by=world.officer_a)

    response = client_for(world.officer_a).post(
        add_url(),
        {"course": course.pk, "member": world.member_x.pk, "post": Post.COMMITTEE_MEMBER, "reason": "Bổ sung gấp"},
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["course"] == ["Đảng ủy Bộ Ngoại giao đã cử đủ 1 chỉ tiêu của lớp 2030-K1-L1."]
    content = response.content.decode()
    assert "đã cử đủ 1 chỉ tiêu" in content
    assert "Bổ sung gấp</textarea>" in content
    assert f'<option value="{course.pk}" selected>' in content
    assert f'<option value="{world.member_x.pk}" selected>' in content
    assert f'<option value="{Post.COMMITTEE_MEMBER}" selected>' in content
    assert not Enrollment.objects.filter(course=course, member=world.member_x).exists()


def test_the_admin_form_asks_the_center_for_a_reason_after_the_deadline(world, locked_course, client_for):
    client = client_for(world.center_staff)
    data = {"course": locked_course.pk, "member": world.member_y.pk, "post": "", "reason": ""}

    refused = client.post(add_url(), data)
    accepted = client.post(add_url(), {**data, "reason": "Trung tâm bổ sung theo công văn 12"})

    assert list(refused.context["adminform"].form.errors) == ["reason"]
    assert accepted.status_code == 302
    enrollment = Enrollment.objects.get(course=locked_course, member=world.member_y)
    assert enrollment.history.get().history_change_reason == "Trung tâm bổ sung theo công văn 12"


def test_the_change_form_does_not_let_the_list_or_results_be_typed_in(world, client_for):
    url = reverse("admin:enrollments_enrollment_change", args=[world.enrollment_x.pk])
    form = client_for(world.center_staff).get(url).context["adminform"].form

    assert "status" not in form.fields
    assert "course" not in form.fields
    assert "result_overridden" not in form.fields
    assert "final_score" in form.fields


def test_officer_withdraws_through_the_admin(world, course, client_for):
    enrollment = nominate(course, world.secretary_a, by=world.officer_a)
    url = reverse("admin:enrollments_enrollment_withdraw", args=[enrollment.pk])

    response = client_for(world.officer_a).post(url, {"reason": "Đồng chí chuyển công tác"})

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert enrollment.history.latest("history_date").history_change_reason == "Đồng chí chuyển công tác"


def test_a_refused_withdrawal_shows_why_and_keeps_the_reason(world, course, today, client_for):
    enrollment = nominate(course, world.secretary_a, by=world.officer_a)
    course.nomination_deadline = today - datetime.timedelta(days=1)
    course.save()

    response = client_for(world.officer_a).post(
        reverse("admin:enrollments_enrollment_withdraw", args=[enrollment.pk]), {"reason": "Ốm dài ngày"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Đã quá hạn cử học viên của lớp 2030-K1-L1" in content
    assert "Ốm dài ngày</textarea>" in content
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.REGISTERED


def test_quotas_show_seats_used_and_officers_see_only_their_own(world, client_for):
    response = client_for(world.officer_a).get(reverse("admin:enrollments_seatquota_changelist"))

    # enrollment_x was nominated from A's cell: it takes one of A's ten seats.
    assert list(response.context["cl"].result_list) == [world.quota_a]
    assert response.context["cl"].result_list[0].used == 1
    assert "1/10" in response.content.decode()


def test_the_course_page_lists_quotas_with_seats_used(world, client_for):
    response = client_for(world.center_staff).get(reverse("admin:courses_course_change", args=[world.root_course.pk]))

    content = response.content.decode()
    # Each committee's quota row shows its seats used (a bare "1/10" could also be part of a date or a link).
    assert re.findall(r'class="field-seats_used">\s*<p>([^<]*)</p>', content).count("1/10") == 2
    assert reverse("admin:courses_course_nominations", args=[world.root_course.pk]) in content
    assert reverse("admin:courses_course_close", args=[world.root_course.pk]) in content


def test_the_nominations_page_shows_each_committee_against_its_quota(world, client_for):
    response = client_for(world.officer_a).get(reverse("admin:courses_course_nominations", args=[world.root_course.pk]))

    assert response.status_code == 200
    assert [(row["organization"], row["nominated"], row["seats"]) for row in response.context["rows"]] == [
        (world.committee_a, 1, 10)
    ]
    assert "Đảng ủy Bộ Tư pháp" not in response.content.decode()
