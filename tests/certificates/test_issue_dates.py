"""A certificate's issue date: not before its class's end, not after today (Asia/Ho_Chi_Minh), and the register book
it takes its number from is the issue date's year; in the service, the replacement's date and the command alike.
Issue 15: `issue_certificates --course 2026-K2-L1 --date 2025-01-15` issued 0019/2025/CC-TTBDCT for a 2026 class."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certificates.models import Certificate, RegisterCounter
from certificates.rules import check_issue_date, issue_date_problem
from certificates.services import issue_certificates, reissue_certificate, revoke_certificate
from common.localtime import local_today
from courses.models import Course
from enrollments.models import Enrollment
from tests import factories

DAY = datetime.timedelta(days=1)


def closed_class(world, *, end, code="2026-K2-L1", trainees=2, start=None):
    """A closed class of the center ending on `end`, with completed trainees and no certificate yet."""
    start = start or end - 10 * DAY
    course = factories.CourseFactory(
        code=code,
        year=start.year,
        program=world.program,
        organizer=world.root,
        start_date=start,
        end_date=end,
        status=Course.Status.CLOSED,
    )
    for index in range(trainees):
        member = factories.MemberFactory(full_name=factories.vietnamese_name(index), organization=world.cell_a)
        factories.EnrollmentFactory(
            course=course, member=member, status=Enrollment.Status.COMPLETED, final_score=Decimal("8"), grade="good"
        )
    return course


@pytest.fixture
def center_issuer(world):
    return factories.IssuerProfileFactory(organization=world.root, register_suffix="CC-TTBDCT")


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def nothing_written(course):
    """No certificate of the course, and no number taken from its organizer's register books."""
    return (
        not Certificate.objects.filter(enrollment__course=course).exists()
        and not RegisterCounter.objects.filter(issuer__organization=course.organizer, last_number__gt=0).exists()
    )


# -- The reproduction ------------------------------------------------------------------------------------


def test_the_command_refuses_a_date_before_the_class_and_writes_nothing(world, center_issuer):
    today = local_today()
    course = closed_class(world, start=today - 20 * DAY, end=today - 2 * DAY)

    with pytest.raises(CommandError) as refused:
        run("issue_certificates", "--course", course.code, "--date", "2025-01-15")

    message = str(refused.value)
    assert "15/01/2025" in message and "trước ngày bế giảng" in message
    assert f"{course.end_date:%d/%m/%Y}" in message
    assert nothing_written(course), "no certificate and no number of the 2025 register book"


def test_the_command_refuses_a_date_after_today(world, center_issuer):
    today = local_today()
    course = closed_class(world, end=today - 2 * DAY)
    tomorrow = today + DAY
    with pytest.raises(CommandError, match="sau ngày hôm nay"):
        run("issue_certificates", "--course", course.code, "--date", tomorrow.isoformat())
    assert nothing_written(course)


def test_the_command_issues_on_a_date_in_range_into_that_years_book(world, center_issuer):
    today = local_today()
    course = closed_class(world, end=today - 2 * DAY)
    output = run("issue_certificates", "--course", course.code, "--date", course.end_date.isoformat())
    assert f"0001/{course.end_date.year}/CC-TTBDCT" in output
    assert set(Certificate.objects.filter(enrollment__course=course).values_list("issued_on", "year")) == {
        (course.end_date, course.end_date.year)
    }


def test_without_a_date_the_command_issues_today(world, center_issuer):
    today = local_today()
    course = closed_class(world, end=today)
    run("issue_certificates", "--course", course.code)
    assert set(Certificate.objects.filter(enrollment__course=course).values_list("issued_on", flat=True)) == {today}


def test_without_a_date_a_class_closed_before_its_end_asks_for_one(world, center_issuer, center_staff):
    """Closing early exists: today is then before the class's end, and no date today can be right."""
    today = local_today()
    course = closed_class(world, start=today - 5 * DAY, end=today + 2 * DAY)

    with pytest.raises(CommandError, match="hãy ghi rõ ngày cấp"):
        run("issue_certificates", "--course", course.code)
    with pytest.raises(ValidationError) as refused:
        issue_certificates(course, by=center_staff)
    assert "issued_on" in refused.value.error_dict
    assert nothing_written(course)


# -- The service -----------------------------------------------------------------------------------------


def test_the_service_refuses_a_date_outside_the_class_end_and_today(world, center_issuer, center_staff):
    today = local_today()
    course = closed_class(world, end=today - 3 * DAY)
    for wrong in (course.end_date - DAY, today + DAY):
        with pytest.raises(ValidationError) as refused:
            issue_certificates(course, by=center_staff, issued_on=wrong)
        assert list(refused.value.error_dict) == ["issued_on"]
    assert nothing_written(course)

    summary = issue_certificates(course, by=center_staff, issued_on=today, notify=False, render_pdfs=False)
    assert {(c.issued_on, c.year) for c in summary.issued} == {(today, today.year)}


def test_a_replacement_is_dated_like_any_certificate(world, center_issuer, center_staff):
    today = local_today()
    course = closed_class(world, end=today - 3 * DAY, trainees=1)
    (old,) = issue_certificates(course, by=center_staff, issued_on=course.end_date, render_pdfs=False).issued
    revoke_certificate(old, by=center_staff, reason="Sai ngày sinh")

    for wrong, why in ((course.end_date - DAY, "trước ngày bế giảng"), (today + DAY, "sau ngày hôm nay")):
        with pytest.raises(ValidationError, match=why):
            reissue_certificate(old, by=center_staff, issued_on=wrong, notify=False)
    assert not Certificate.objects.filter(replaces=old).exists()
    assert RegisterCounter.objects.get(issuer=center_issuer, year=course.end_date.year).last_number == 1

    replacement = reissue_certificate(old, by=center_staff, issued_on=today, notify=False)
    assert (replacement.issued_on, replacement.year) == (today, today.year)
    assert replacement.register_number.endswith(f"/{today.year}/CC-TTBDCT")


# -- The rule, whatever the dates ------------------------------------------------------------------------

dates = st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2035, 12, 31))


@given(end=dates, today=dates, issued_on=dates)
def test_a_date_is_accepted_exactly_when_it_lies_between_the_end_and_today(end, today, issued_on):
    allowed = end <= issued_on <= today
    assert (issue_date_problem(end, issued_on, today) is None) == allowed
    if allowed:
        assert check_issue_date(end, issued_on, today) == issued_on
    else:
        with pytest.raises(ValidationError) as refused:
            check_issue_date(end, issued_on, today)
        assert f"{issued_on:%d/%m/%Y}" in refused.value.messages[0]


@given(end=dates, today=dates)
def test_without_a_date_today_is_taken_unless_the_class_ends_later(end, today):
    if today >= end:
        assert check_issue_date(end, None, today) == today
    else:
        with pytest.raises(ValidationError, match="hãy ghi rõ ngày cấp"):
            check_issue_date(end, None, today)


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    end_ago=st.integers(min_value=0, max_value=800),
    offset=st.integers(min_value=-400, max_value=1200),
    trainees=st.integers(min_value=1, max_value=3),
)
def test_issuing_keeps_the_rule_and_numbers_in_the_dates_years_book(world, end_ago, offset, trainees):
    """A class that ended `end_ago` days ago, issued `offset` days after its end: accepted exactly when the date is
    between the end and today, then numbered 1..n in the book of the date's year; refused, nothing written."""
    with transaction.atomic():
        factories.IssuerProfileFactory(organization=world.root, register_suffix="CC-TTBDCT")
        today = local_today()
        course = closed_class(world, end=today - end_ago * DAY, trainees=trainees)
        issued_on = course.end_date + offset * DAY
        if course.end_date <= issued_on <= today:
            summary = issue_certificates(course, by=None, issued_on=issued_on, notify=False, render_pdfs=False)
            assert [(c.issued_on, c.year, c.number) for c in summary.issued] == [
                (issued_on, issued_on.year, number) for number in range(1, trainees + 1)
            ]
            assert all(c.register_number.split("/")[1] == str(issued_on.year) for c in summary.issued)
        else:
            with pytest.raises(ValidationError):
                issue_certificates(course, by=None, issued_on=issued_on, notify=False, render_pdfs=False)
            assert nothing_written(course)
        transaction.set_rollback(True)
