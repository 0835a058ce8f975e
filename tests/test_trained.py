"""One definition of "trained" (issue 15): a valid certificate of a program qualifying for the post, issued within
the period. The nomination rule and compliance both ask it (enrollments/training.py declares the hook,
certificates/training.py fills it), so they agree: on a revoked certificate, on its replacement, on dates and on
programs."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from certificates import training as certificate_training
from certificates.services import revoke_certificate
from courses.models import Course
from enrollments import training
from enrollments.models import Enrollment
from enrollments.nominations import nominate, nominate_many
from organizations.models import Organization, Post
from organizations.terms import current_term, term_period
from oversight import compliance
from tests import factories


def certified(user, member, period):
    holders = compliance.post_holders(user, period).filter(member=member)
    return [holder.certified for holder in holders]


def test_the_hook_is_filled_by_certificates_at_start_up():
    assert training._trained_members is certificate_training.trained_members


# -- The reproduction: a revoked certificate ---------------------------------------------------------------


def test_a_revoked_certificate_is_untrained_for_compliance_and_for_nominations_alike(world, in_the_2020_term):
    """secretary_b's certificate (2021, a program qualifying secretaries) is revoked without replacement: compliance
    said untrained, yet the nomination was refused as "already completed". Both say untrained now."""
    course = factories.open_course(world)
    period = compliance.default_period()
    # Certified, so completed: the old rule counted the completion and refused.
    Enrollment.objects.filter(pk=world.enrollment_b.pk).update(status=Enrollment.Status.COMPLETED)
    revoke_certificate(world.certificate_b, by=world.center_staff, reason="Cấp nhầm người")

    assert certified(world.center_staff, world.secretary_b, period) == [False]
    assert training.trained_for_posts([(world.secretary_b.pk, Post.SECRETARY)], period) == {}
    enrollment = nominate(course, world.secretary_b, by=world.center_staff)
    assert Enrollment.objects.get(pk=enrollment.pk).status == Enrollment.Status.REGISTERED


def test_a_valid_certificate_is_trained_for_both_and_the_refusal_names_it(world, in_the_2020_term):
    course = factories.open_course(world)
    period = compliance.default_period()

    assert certified(world.center_staff, world.secretary_b, period) == [True]
    proof = training.trained_for_posts([(world.secretary_b.pk, Post.SECRETARY)], period)[world.secretary_b.pk]
    assert proof.register_number == world.certificate_b.register_number
    with pytest.raises(ValidationError) as raised:
        nominate(course, world.secretary_b, by=world.center_staff)
    assert raised.value.message_dict == {
        "member": [
            f"Đồng chí Võ Thanh Bình đã được cấp giấy chứng nhận số {world.certificate_b.register_number} "
            f"(lớp {world.course_b.code}, ngày 15/03/2021) trong nhiệm kỳ 2020–2025."
        ]
    }
    assert not Enrollment.objects.filter(course=course, member=world.secretary_b).exists()


def test_a_replacement_counts_where_the_revoked_one_does_not(world, in_the_2020_term):
    period = compliance.default_period()
    revoke_certificate(world.certificate_b, by=world.center_staff, reason="Sai ngày sinh")
    factories.CertificateFactory(
        enrollment=world.enrollment_b,
        issuer=world.issuer_b,
        replaces=world.certificate_b,
        issued_on=datetime.date(2022, 1, 3),
    )

    assert certified(world.center_staff, world.secretary_b, period) == [True]
    assert training.trained_for_posts([(world.secretary_b.pk, Post.SECRETARY)], period)[
        world.secretary_b.pk
    ].issued_on == datetime.date(2022, 1, 3)


# -- The bulk answer reads in a fixed number of queries ----------------------------------------------------------


@pytest.mark.parametrize("size", [2, 20])
def test_trained_members_reads_once_whatever_the_number_of_members(world, size, django_assert_num_queries):
    course = factories.CourseFactory(program=world.program, organizer=world.root, status=Course.Status.CLOSED)
    members = [factories.MemberFactory(organization=world.cell_a) for _ in range(size)]
    for member in members[::2]:
        factories.CertificateFactory(enrollment=factories.EnrollmentFactory(course=course, member=member))
    period = term_period("2020–2025")

    with django_assert_num_queries(1):
        trained = training.trained_members([m.pk for m in members], [world.program.pk], period)

    assert set(trained) == {member.pk for member in members[::2]}


@pytest.mark.parametrize("size", [2, 20])
def test_trained_for_posts_reads_a_fixed_number_of_times(world, size, django_assert_num_queries):
    members = [factories.MemberFactory(organization=world.cell_a) for _ in range(size)]
    holders = [(m.pk, Post.SECRETARY if i % 2 else Post.COMMITTEE_MEMBER) for i, m in enumerate(members)]
    period = term_period("2020–2025")
    # The programs (one query), then one query per post some program qualifies (secretaries only here).
    with django_assert_num_queries(2):
        training.trained_for_posts(holders, period)


# -- Compliance, the nomination rule and the one function agree ----------------------------------------------

# Dates around the current term (2025–2030 from 01/01/2025, still running): before it, on its first day, in it.
TODAY = datetime.date(2026, 12, 3)
DATES = [datetime.date(2019, 6, 1), datetime.date(2024, 12, 31), datetime.date(2025, 1, 1), datetime.date(2026, 6, 1)]
CERTIFICATES = st.lists(
    st.tuples(
        st.booleans(),  # of the qualifying program (else of one that qualifies no secretary)
        st.sampled_from(DATES),  # issued on
        st.sampled_from(["valid", "revoked", "replaced"]),
        st.sampled_from(DATES),  # the replacement's issue date, when replaced
    ),
    max_size=4,
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(CERTIFICATES)
def test_compliance_the_nomination_rule_and_the_one_function_agree(specs):
    # Each example starts from the migrated database, terms included, on 03/12/2026: the term is 2025–2030.
    with transaction.atomic(), mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        _check_agreement(specs)
        transaction.set_rollback(True)


def _check_agreement(specs):
    root = factories.OrganizationFactory(kind=Organization.Kind.BLOC, code="ROOT", name="Đảng bộ Khối")
    committee = factories.OrganizationFactory(parent=root, kind=Organization.Kind.AFFILIATED_COMMITTEE)
    qualifying = factories.ProgramFactory(qualifying_posts=[Post.SECRETARY])
    other = factories.ProgramFactory(qualifying_posts=[])
    member = factories.MemberFactory(organization=committee)
    factories.AppointmentFactory(member=member, organization=committee, post=Post.SECRETARY)
    staff = factories.UserFactory(is_superuser=True, is_staff=True)
    issuer = factories.IssuerProfileFactory(organization=root)
    expected = False
    period = compliance.default_period()
    assert period == current_term() and period.term == "2025–2030"
    for index, (is_qualifying, issued_on, kind, replaced_on) in enumerate(specs):
        course = factories.CourseFactory(
            code=f"P-{index}", program=qualifying if is_qualifying else other, organizer=root, status="closed"
        )
        enrollment = factories.EnrollmentFactory(course=course, member=member, status=Enrollment.Status.COMPLETED)
        certificate = factories.CertificateFactory(
            enrollment=enrollment, issuer=issuer, year=issued_on.year, issued_on=issued_on
        )
        if kind == "valid":
            expected |= is_qualifying and issued_on in period
            continue
        certificate.status, certificate.revoke_reason, certificate.revoked_at = "revoked", "Cấp nhầm", timezone.now()
        certificate.save()
        if kind == "replaced":
            factories.CertificateFactory(
                enrollment=enrollment, issuer=issuer, replaces=certificate, year=replaced_on.year, issued_on=replaced_on
            )
            expected |= is_qualifying and replaced_on in period
    open_course = factories.CourseFactory(
        code="MO", program=qualifying, organizer=root, status=Course.Status.OPEN, capacity=5
    )

    by_compliance = certified(staff, member, period)
    by_function = member.pk in training.trained_for_posts([(member.pk, Post.SECRETARY)], period)
    [outcome] = nominate_many(open_course, [(member, "")], by=None)
    refused = isinstance(outcome, ValidationError)

    holders = compliance.Holders(staff, period)
    assert holders.base_path is not None  # the counts come from the tallies (oversight/tallies.py)
    assert by_compliance == [expected]
    assert compliance.totals(holders) == (1, int(expected))
    assert by_function == expected
    assert refused == expected
