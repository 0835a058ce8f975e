"""Compliance: who among the current post holders that must be trained holds a valid qualifying certificate in
the period, rolled up the tree."""

import datetime

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from organizations.models import Post
from oversight import compliance
from tests import factories

# The world counts 2021 certificates: the current term is 2020–2025 here (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("in_the_2020_term")


def certified(world, period=None):
    holders = compliance.post_holders(world.center_staff, period or compliance.term_period())
    return {holder.member.full_name: holder.certified for holder in holders.select_related("member")}


def test_a_valid_qualifying_certificate_in_the_term_makes_the_holder_compliant(world):
    # secretary_b holds certificate_b of a program that qualifies secretaries; secretary_a holds none;
    # member_x is a committee member, a post no program qualifies, so not required.
    assert certified(world) == {"Lê Minh Châu": False, "Võ Thanh Bình": True}


def test_a_revoked_certificate_does_not_count(world):
    world.certificate_b.status = "revoked"
    world.certificate_b.revoke_reason = "Cấp nhầm"
    world.certificate_b.revoked_at = timezone.now()
    world.certificate_b.save()
    assert certified(world)["Võ Thanh Bình"] is False


def test_a_certificate_of_a_program_that_does_not_qualify_the_post_does_not_count(world):
    world.program.qualifying_posts = [Post.COMMITTEE_MEMBER]
    world.program.save()
    # Now only member_x's post is required, and member_x's certificate (course A) qualifies it.
    assert certified(world) == {"Nguyễn Thị Hà": True}


def test_a_certificate_from_before_the_term_or_outside_the_year_does_not_count(world):
    world.certificate_b.issued_on = datetime.date(2019, 12, 31)
    world.certificate_b.save()
    assert certified(world)["Võ Thanh Bình"] is False
    world.certificate_b.issued_on = datetime.date(2021, 6, 1)
    world.certificate_b.save()
    assert certified(world, compliance.year_period(2021))["Võ Thanh Bình"] is True
    assert certified(world, compliance.year_period(2022))["Võ Thanh Bình"] is False


def test_only_current_posts_that_require_training_are_counted(world):
    world.appointment_b.end(on=datetime.date(2024, 1, 1))
    world.appointment_a.requires_training = False
    world.appointment_a.save()
    assert certified(world) == {}


@override_settings(COMPLIANCE_PERIOD="year")
def test_the_setting_chooses_the_calendar_year():
    assert compliance.default_period() == compliance.year_period(timezone.localdate().year)
    assert compliance.default_period(2021).start == datetime.date(2021, 1, 1)


def test_the_term_is_the_last_one_started_and_runs_on_while_no_later_one_is_entered():
    period = compliance.default_period()
    assert (period.start, period.end, period.label) == (datetime.date(2020, 1, 1), None, "nhiệm kỳ 2020–2025")


def test_an_officer_counts_only_its_sub_tree(world):
    holders = compliance.post_holders(world.officer_a, compliance.term_period())
    assert [holder.member.full_name for holder in holders.select_related("member")] == ["Lê Minh Châu"]


def test_by_organization_rolls_up_to_the_children_with_the_parents_own_posts_first(world):
    own = factories.MemberFactory(full_name="Đinh Văn Khối", organization=world.root)
    factories.AppointmentFactory(member=own, organization=world.root)
    holders = compliance.Holders(world.center_staff, compliance.term_period())
    rows, total = compliance.by_organization(holders, world.root)
    assert [(row.organization.name, row.required, row.certified, row.is_parent) for row in rows] == [
        (world.root.name, 1, 0, True),
        (world.committee_a.name, 1, 0, False),
        (world.committee_b.name, 1, 1, False),
    ]
    assert (total.required, total.certified, total.missing, total.percent) == (3, 1, 2, 33.3)
    rows, total = compliance.by_organization(holders, world.committee_b)
    assert [(row.organization.name, row.required) for row in rows] == [(world.grassroots_b.name, 1)]


def test_missing_lists_the_holders_without_a_certificate_in_roster_order(world):
    for name in ("Trần Văn Ánh", "Nguyễn Văn An"):
        factories.AppointmentFactory(member=factories.MemberFactory(full_name=name, organization=world.cell_a))
    holders = compliance.Holders(world.center_staff, compliance.term_period())
    names = [holder.member.full_name for holder in compliance.missing(holders)]
    assert names == ["Nguyễn Văn An", "Trần Văn Ánh", "Lê Minh Châu"]


@pytest.mark.django_db
@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ab"), st.booleans(), st.sampled_from(list(Post.values))), max_size=8))
def test_rows_always_sum_to_the_total_and_the_total_to_the_whole(holders_spec):
    """Whatever the mix of posts, sides and certificates: the roll-up adds up."""
    with transaction.atomic():  # each example starts from an empty database
        _check_roll_up(holders_spec)
        transaction.set_rollback(True)


def _check_roll_up(holders_spec):
    root = factories.OrganizationFactory(kind="bloc", code="ROOT", name="Đảng bộ Khối")
    sides = {side: factories.OrganizationFactory(parent=root, kind="affiliated_committee") for side in "ab"}
    program = factories.ProgramFactory(qualifying_posts=[Post.SECRETARY, Post.COMMITTEE_MEMBER])
    course = factories.CourseFactory(program=program, organizer=root)
    staff = factories.UserFactory(is_superuser=True, is_staff=True)
    for side, has_certificate, post in holders_spec:
        member = factories.MemberFactory(organization=sides[side])
        factories.AppointmentFactory(member=member, organization=sides[side], post=post)
        if has_certificate:
            factories.CertificateFactory(enrollment=factories.EnrollmentFactory(course=course, member=member))
    holders = compliance.Holders(staff, compliance.term_period())
    rows, total = compliance.by_organization(holders, root)
    assert (sum(row.required for row in rows), sum(row.certified for row in rows)) == (total.required, total.certified)
    assert compliance.totals(holders) == (total.required, total.certified)
    qualifying = [spec for spec in holders_spec if spec[2] in (Post.SECRETARY, Post.COMMITTEE_MEMBER)]
    assert total.required == len(qualifying)
    assert total.certified == sum(1 for spec in qualifying if spec[1])
