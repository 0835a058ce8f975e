"""The compliance tallies count what the holders' rows say, after every kind of change, and as a recount would."""

import datetime
from collections import Counter

import pytest
from simple_history.utils import bulk_create_with_history

from certificates.services import issue_certificates, reissue_certificate, revoke_certificate
from organizations.access import scope_of
from organizations.models import Appointment, Organization, Post
from oversight import compliance, tallies
from oversight.models import ComplianceTally, CountedPost
from tests import factories
from tests.certificates.world import close_with_results

# The world counts 2021 certificates: the current term is 2020–2025 here (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("in_the_2020_term")


def counted_from_rows(holders, width=None, by_post=False):
    """What the tallies must say, counted one holder at a time."""
    required, certified = Counter(), Counter()
    for holder in holders.rows().select_related("organization"):
        group = holder.post if by_post else holder.organization.path[: width or 0]
        required[group] += 1
        certified[group] += holder.certified
    return {group: (required[group], certified[group]) for group in required}


def stored():
    tally = sorted(
        ComplianceTally.objects.filter(holders__gt=0).values_list("unit", "post", "certified_year", "holders")
    )
    posts = sorted(CountedPost.objects.values_list("pk", "organization", "unit", "post", "certified_on"))
    return tally, posts


def assert_tallies_match(world, period=None):
    for user in (world.center_staff, world.officer_a, world.officer_b):
        holders = compliance.Holders(user, period or compliance.term_period())
        assert "oversight_countedpost" in str(holders.rows().query)
        assert holders.base_path is not None  # counted from the tallies, not from the rows
        for width in (None, 8, 12, 16):
            assert compliance.counts_by(holders, width) == counted_from_rows(holders, width), (user, width)
        assert compliance.counts_by(holders, by_post=True) == counted_from_rows(holders, by_post=True)
        # The list of who is missing reads the counted posts; it names whom the certificates themselves leave out.
        searched = compliance.post_holders(user, holders.period).filter(certified=False)
        assert set(compliance.missing(holders).values_list("pk", flat=True)) == set(
            searched.values_list("pk", flat=True)
        )
    kept = stored()
    tallies.rebuild()
    assert stored() == kept


def test_the_world_as_built_is_tallied(world):
    assert_tallies_match(world)
    rows, total = compliance.by_organization(
        compliance.Holders(world.center_staff, compliance.term_period()), world.root
    )
    assert (total.required, total.certified) == (2, 1)


def test_issuing_revoking_and_replacing_certificates_change_the_counts(world):
    close_with_results(world.enrollment_a, world.enrollment_b)
    issue_certificates(world.course_a, by=None, notify=False, render_pdfs=False)
    assert_tallies_match(world)
    revoke_certificate(world.certificate_b, by=None, reason="Cấp nhầm người")
    assert_tallies_match(world)
    reissue_certificate(world.certificate_b, by=None, notify=False)
    assert_tallies_match(world)


def test_posts_appointed_ended_exempted_and_deleted_change_the_counts(world):
    holder = factories.MemberFactory(organization=world.cell_b)
    appointment = factories.AppointmentFactory(member=holder, organization=world.grassroots_b)
    assert_tallies_match(world)
    appointment.end(on=datetime.date(2024, 6, 30))
    assert_tallies_match(world)
    world.appointment_b.requires_training = False
    world.appointment_b.save()
    assert_tallies_match(world)
    world.appointment_a.delete()
    assert_tallies_match(world)


def test_posts_written_in_bulk_are_counted(world):
    members = [factories.MemberFactory(organization=world.cell_a) for _n in range(3)]
    bulk_create_with_history(
        [
            Appointment(member=member, organization=world.cell_a, post=Post.DEPUTY_SECRETARY, term_label="2020–2025",
                        start_date=datetime.date(2020, 9, 1))
            for member in members
        ],
        Appointment,
    )  # fmt: skip
    assert_tallies_match(world)
    assert compliance.totals(compliance.Holders(world.center_staff, compliance.term_period())) == (5, 1)


def test_a_program_that_qualifies_other_posts_is_counted_again_once_saved(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.program.qualifying_posts = [Post.COMMITTEE_MEMBER]
        world.program.save()
    assert_tallies_match(world)
    assert compliance.totals(compliance.Holders(world.center_staff, compliance.term_period())) == (1, 1)


def test_a_course_moved_to_another_program_moves_its_certificates(world):
    world.course_b.program = factories.ProgramFactory(qualifying_posts=[])
    world.course_b.save()
    assert_tallies_match(world)


def test_a_sub_tree_moved_under_another_parent_is_counted_there(world):
    Organization.objects.move(world.cell_b, world.grassroots_a, "sorted-child")
    assert_tallies_match(world)
    world.grassroots_b.refresh_from_db()
    Organization.objects.move(world.grassroots_b, world.committee_a, "sorted-child")
    assert_tallies_match(world)


def test_a_past_year_after_which_a_holder_was_certified_again_is_counted_from_the_rows(world):
    factories.CertificateFactory(enrollment=factories.EnrollmentFactory(member=world.secretary_b), year=2023)
    holders = compliance.Holders(world.center_staff, compliance.year_period(2021))
    assert holders.base_path is None
    assert compliance.totals(holders) == (2, 1)
    assert compliance.Holders(world.center_staff, compliance.year_period(2023)).base_path is not None


@pytest.mark.django_db
def test_counting_a_whole_country_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    holders = compliance.Holders(world.center_staff, compliance.term_period())
    scope_of(world.center_staff)  # the user's scope (and rights), read once per request whatever is counted
    with django_assert_max_num_queries(4):
        compliance.by_organization(holders, world.root)
