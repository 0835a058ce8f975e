"""Trainee logins: every username is a generated code of one pattern, no password until the trainee sets one, and
no repeats."""

import itertools
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from demo.builder import TRAINEE_LOGIN
from organizations.accounts import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_PREFIX,
    TRAINEE_USERNAME,
    ensure_trainee_accounts,
    generated_username,
)
from organizations.models import Member
from tests import factories


def test_a_member_with_an_email_gets_a_code_as_username_and_the_address_on_the_login(db):
    member = factories.MemberFactory(full_name="Phạm Thị Ánh", email=" Pham.Thi.Anh@MOFA.gov.vn ")

    created = ensure_trainee_accounts([member])

    member.refresh_from_db()
    assert created == [member]
    assert TRAINEE_USERNAME.fullmatch(member.user.username)
    assert member.user.email == "Pham.Thi.Anh@MOFA.gov.vn"


def test_the_trainee_logs_in_with_the_code_or_with_the_address(db, client):
    member = factories.MemberFactory(email="pham.thi.anh@mofa.gov.vn")
    ensure_trainee_accounts([member])
    member.refresh_from_db()
    member.user.set_password("Mat-khau-moi-2026")
    member.user.save()

    for login in [member.user.username, "Pham.Thi.Anh@mofa.gov.vn"]:
        response = client.post(reverse("login"), {"username": login, "password": "Mat-khau-moi-2026"})
        assert response.status_code == 302, login
        client.logout()


def test_a_login_named_before_the_rule_keeps_its_name_and_works(db, client):
    """Logins made when an address could be a username (its address, in lower case) are not renamed: their
    trainees log in as before."""
    old = factories.UserFactory(username="chung@example.vn", email="Chung@example.vn")
    factories.MemberFactory(email="Chung@example.vn", user=old)

    response = client.post(reverse("login"), {"username": "chung@example.vn", "password": "mat-khau-thu-nghiem"})

    assert response.status_code == 302


def test_the_account_has_no_usable_password(db):
    member = factories.MemberFactory(email="hoa@example.vn")

    ensure_trainee_accounts([member])

    member.refresh_from_db()
    assert not member.user.has_usable_password()
    assert not member.user.is_staff and not member.user.is_superuser


def test_a_member_without_email_gets_a_generated_code(db):
    member = factories.MemberFactory(email="")

    ensure_trainee_accounts([member])

    member.refresh_from_db()
    username = member.user.username
    assert username.startswith(CODE_PREFIX) and len(username) == len(CODE_PREFIX) + 6
    assert set(username.removeprefix(CODE_PREFIX)) <= set(CODE_ALPHABET)


def test_generated_codes_avoid_look_alike_characters():
    codes = "".join(generated_username().removeprefix(CODE_PREFIX) for _ in range(300))
    assert not set(codes) & set("0oO1iIl")


def test_two_members_sharing_an_email_get_different_codes(db):
    first = factories.MemberFactory(full_name="Nguyễn Văn An", email="vanphong@example.vn")
    second = factories.MemberFactory(full_name="Nguyễn Văn Bình", email="vanphong@example.vn")

    ensure_trainee_accounts(Member.objects.filter(pk__in=[first.pk, second.pk]))

    usernames = set(User.objects.filter(member__in=[first, second]).values_list("username", flat=True))
    assert len(usernames) == 2 and all(TRAINEE_USERNAME.fullmatch(name) for name in usernames)


def test_running_twice_creates_nothing_new(db):
    members = factories.MemberFactory.create_batch(3, email="")
    ensure_trainee_accounts(members)
    users = User.objects.count()

    assert ensure_trainee_accounts(members) == []
    assert User.objects.count() == users


def test_a_member_who_already_has_a_login_keeps_it(world):
    ensure_trainee_accounts([world.member_x, world.secretary_a])

    world.member_x.refresh_from_db()
    world.secretary_a.refresh_from_db()
    assert world.member_x.user == world.trainee_x
    assert world.trainee_x.check_password("mat-khau-thu-nghiem")
    assert world.secretary_a.user is not None


def test_linking_the_login_is_kept_in_the_member_history(db):
    member = factories.MemberFactory(email="")

    ensure_trainee_accounts([member])

    latest = member.history.latest("history_date")
    assert latest.user_id == Member.objects.get(pk=member.pk).user_id


@pytest.mark.parametrize("size", [2, 30])
def test_creating_accounts_costs_a_fixed_number_of_queries(db, size, django_assert_max_num_queries):
    members = factories.MemberFactory.create_batch(size // 2, email="") + [
        factories.MemberFactory(email=f"hocvien{n}@example.vn") for n in range(size // 2)
    ]
    with django_assert_max_num_queries(8):
        ensure_trainee_accounts(Member.objects.filter(pk__in=[member.pk for member in members]))
    assert Member.objects.filter(user__isnull=True).count() == 0


# -- One pattern, never a repeat (Hypothesis) ----------------------------------------------------------------------

EMAILS = st.sampled_from(["", "a@example.vn", "A@Example.vn", "o'connor@example.vn", "  b@example.vn ", "x" * 140])


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(
    emails=st.lists(EMAILS, min_size=1, max_size=12),
    taken=st.lists(st.integers(min_value=0, max_value=5), max_size=4, unique=True),
    draws=st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=12),
)
def test_every_generated_username_matches_the_pattern_and_none_repeats(emails, taken, draws):
    """Whatever the members' addresses, and even when the generator keeps drawing codes that logins already hold
    (a pool of eight codes, some taken, drawn in any order), each new login gets a username of the one pattern that
    no other login holds."""
    pool = [f"{CODE_PREFIX}{letter * CODE_LENGTH}" for letter in "abcdefgh"]
    endless = itertools.chain(draws, itertools.cycle(range(len(pool))))
    with transaction.atomic():
        for index in taken:
            factories.UserFactory(username=pool[index])
        members = [factories.MemberFactory(email=email) for email in emails[: len(pool) - len(taken)]]
        with mock.patch("organizations.accounts.generated_username", lambda: pool[next(endless)]):
            ensure_trainee_accounts(members)

        new = list(User.objects.filter(member__in=members).values_list("username", flat=True))
        assert len(new) == len(members)
        assert all(TRAINEE_USERNAME.fullmatch(username) for username in new)
        assert not set(new) & {pool[index] for index in taken}
        assert len(set(User.objects.values_list("username", flat=True))) == User.objects.count()
        transaction.set_rollback(True)


@settings(max_examples=200)
@given(st.randoms(use_true_random=False))
def test_the_generator_only_makes_usernames_of_the_pattern(random):
    with mock.patch("organizations.accounts.secrets.choice", random.choice):
        assert TRAINEE_USERNAME.fullmatch(generated_username())


def test_the_demo_trainee_login_follows_the_pattern():
    assert TRAINEE_USERNAME.fullmatch(TRAINEE_LOGIN)
