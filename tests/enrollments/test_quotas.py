"""Seat quotas are never silently ignored (issue 15): a nomination counts against every quota set on its member's
organization or an ancestor of it, whoever nominates; a quota above the affiliated committees, which nothing would
count, is refused; the center goes past a quota only with a written reason."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrollments.models import Enrollment, SeatQuota
from enrollments.nominations import nominate, nominate_many, with_seats_used
from tests import factories


@pytest.fixture
def course(world):
    return factories.open_course(world)


def test_a_quota_below_the_affiliated_committee_holds_when_the_committee_nominates(world, course):
    """The reproduction: a quota on a grassroots organization was accepted, then ignored when the committee's
    officer (or the center) nominated its members."""
    factories.SeatQuotaFactory(course=course, organization=world.committee_a, seats=5)
    factories.SeatQuotaFactory(course=course, organization=world.grassroots_a, seats=1)
    nominate(course, world.secretary_a, by=world.officer_a)

    with pytest.raises(ValidationError) as raised:
        nominate(course, world.member_x, by=world.officer_a)

    assert raised.value.message_dict == {
        "course": [f"{world.grassroots_a.name} đã cử đủ 1 chỉ tiêu của lớp 2030-K1-L1."]
    }
    assert list(Enrollment.objects.filter(course=course).values_list("member__full_name", flat=True)) == [
        world.secretary_a.full_name
    ]
    used = {quota.organization_id: quota.used for quota in with_seats_used(SeatQuota.objects.filter(course=course))}
    assert used == {world.committee_a.pk: 1, world.grassroots_a.pk: 1}


def test_a_list_is_checked_against_every_quota_it_fills(world, course):
    factories.SeatQuotaFactory(course=course, organization=world.committee_a, seats=5)
    factories.SeatQuotaFactory(course=course, organization=world.grassroots_a, seats=1)

    outcomes = nominate_many(course, [(world.secretary_a, ""), (world.member_x, "")], by=world.officer_a)

    assert isinstance(outcomes[0], Enrollment) and isinstance(outcomes[1], ValidationError)


def test_a_quota_for_the_bloc_itself_is_refused_with_the_reason(world, course):
    quota = SeatQuota(course=course, organization=world.root, seats=3)

    with pytest.raises(ValidationError) as raised:
        quota.full_clean()

    assert raised.value.message_dict == {
        "organization": [
            "Chỉ tiêu chỉ đặt cho đảng ủy trực thuộc hoặc tổ chức đảng bên trong một đảng ủy trực thuộc; "
            f"chỉ tiêu đặt cho {world.root.name} sẽ không được tính."
        ]
    }
    SeatQuota(course=course, organization=world.grassroots_a, seats=3).full_clean()


def test_the_admin_refuses_a_quota_that_would_be_ignored(world, course, client_for):
    response = client_for(world.center_staff).post(
        reverse("admin:enrollments_seatquota_add"),
        {"course": course.pk, "organization": world.root.pk, "seats": 3},
    )

    assert response.status_code == 200
    assert "sẽ không được tính" in response.content.decode()
    assert not SeatQuota.objects.filter(course=course).exists()


def test_the_center_goes_past_a_quota_only_with_a_reason_kept_in_the_history(world, course):
    factories.SeatQuotaFactory(course=course, organization=world.committee_a, seats=1)
    factories.SeatQuotaFactory(course=course, organization=world.committee_b, seats=1)
    nominate(course, world.secretary_a, by=world.center_staff)

    outcomes = nominate_many(course, [(world.member_x, ""), (world.secretary_b, "")], by=world.center_staff)
    assert isinstance(outcomes[0], ValidationError) and "phải ghi lý do" in outcomes[0].message_dict["reason"][0]
    assert isinstance(outcomes[1], Enrollment)  # committee B still has its seat

    reason = "Đảng ủy A đề nghị bổ sung một chỉ tiêu"
    enrollment = nominate(course, world.member_x, by=world.center_staff, reason=reason)
    assert enrollment.history.latest().history_change_reason == reason
