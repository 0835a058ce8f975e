"""Trainee logins: who gets which username, no password until the trainee sets one, and no repeats."""

import pytest
from django.contrib.auth.models import User

from organizations.accounts import CODE_ALPHABET, CODE_PREFIX, ensure_trainee_accounts, generated_username
from organizations.models import Member
from tests import factories


def test_a_member_with_an_email_gets_it_in_lower_case_as_username(db):
    member = factories.MemberFactory(full_name="Phạm Thị Ánh", email=" Pham.Thi.Anh@MOFA.gov.vn ")

    created = ensure_trainee_accounts([member])

    member.refresh_from_db()
    assert created == [member]
    assert member.user.username == "pham.thi.anh@mofa.gov.vn"
    assert member.user.email == "Pham.Thi.Anh@MOFA.gov.vn"


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


def test_an_email_already_taken_as_a_username_falls_back_to_a_code(db):
    factories.UserFactory(username="chung@example.vn")
    first = factories.MemberFactory(email="Chung@example.vn")
    second = factories.MemberFactory(email="chung@example.vn")

    ensure_trainee_accounts([first, second])

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.user.username.startswith(CODE_PREFIX)
    assert second.user.username.startswith(CODE_PREFIX)
    assert first.user != second.user


def test_two_members_sharing_an_email_get_different_usernames(db):
    first = factories.MemberFactory(full_name="Nguyễn Văn An", email="vanphong@example.vn")
    second = factories.MemberFactory(full_name="Nguyễn Văn Bình", email="vanphong@example.vn")

    ensure_trainee_accounts(Member.objects.filter(pk__in=[first.pk, second.pk]))

    usernames = sorted(User.objects.filter(member__in=[first, second]).values_list("username", flat=True))
    assert usernames[1] == "vanphong@example.vn"
    assert usernames[0].startswith(CODE_PREFIX)


def test_an_email_that_is_no_valid_username_falls_back_to_a_code(db):
    member = factories.MemberFactory(email="o'connor@example.vn")

    ensure_trainee_accounts([member])

    member.refresh_from_db()
    assert member.user.username.startswith(CODE_PREFIX)


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
