"""The center's staff see the logins locked out now, with whose login each is, and unlock them early; the unlock
is refused to everyone else, by the service itself, and every unlock is written to the access log."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from organizations.lockouts import locked_out_logins, unlock_logins
from organizations.models import AccessLog, LockedOutLogin
from tests import factories

PASSWORD = "mat-khau-thu-nghiem"
WRONG = "sai-mat-khau"
LIST = "admin:organizations_lockedoutlogin_changelist"


def lock_out(client, username, **headers):
    for _ in range(5):
        client.post(reverse("login"), {"username": username, "password": WRONG}, **headers)


def log_in(client, username, **headers):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, **headers)


def unlock_through_the_admin(client, logins):
    return client.post(
        reverse(LIST),
        {"action": "unlock_selected", ACTION_CHECKBOX_NAME: [login.pk for login in logins], "index": "0"},
        follow=True,
    )


def test_the_list_shows_a_locked_out_trainee_with_name_organization_and_end(world, client, client_for):
    lock_out(client, "hocvien.x")

    response = client_for(world.center_staff).get(reverse(LIST))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Đăng nhập bị tạm khóa" in page
    assert [row.username for row in response.context["cl"].result_list] == ["hocvien.x"]
    row = response.context["cl"].result_list[0]
    assert (row.member_name, row.member_organization, row.failures) == ("Nguyễn Thị Hà", world.cell_a.name, 5)
    assert "Mở khóa các đăng nhập đã chọn" in page
    for heading in ["Tên đăng nhập", "Đảng viên", "Địa chỉ máy", "Số lần sai", "Lần thử cuối", "Khóa đến"]:
        assert heading in page
    assert "IP Address" not in page and "Attempt Time" not in page


def test_a_locked_out_logins_page_shows_it_in_vietnamese(world, client, client_for):
    lock_out(client, "hocvien.x")
    login = LockedOutLogin.objects.get()

    response = client_for(world.center_staff).get(reverse("admin:organizations_lockedoutlogin_change", args=[login.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "hocvien.x — 127.0.0.1" in page and "Trình duyệt" in page
    assert "User Agent" not in page


def test_below_the_limit_and_cooled_off_logins_are_not_listed(world, client):
    for _ in range(4):
        client.post(reverse("login"), {"username": "hocvien.x", "password": WRONG})
    lock_out(client, "hocvien.y")
    AccessAttempt.objects.filter(username="hocvien.y").update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31)
    )

    assert list(locked_out_logins()) == []


def test_failures_split_over_two_browsers_lock_the_pair_and_show_once(world):
    factories.LockedOutLoginFactory(username="hocvien.x", ip_address="192.0.2.1", failures_since_start=3)
    factories.LockedOutLoginFactory(
        username="hocvien.x", ip_address="192.0.2.1", user_agent="Firefox", failures_since_start=2
    )
    factories.LockedOutLoginFactory(username="hocvien.x", ip_address="192.0.2.2", failures_since_start=4)

    rows = list(locked_out_logins())

    assert [(row.username, row.ip_address, row.failures) for row in rows] == [("hocvien.x", "192.0.2.1", 5)]


def test_the_center_unlocks_and_the_login_works_again_and_the_access_log_says_who(world, client, client_for):
    lock_out(client, "hocvien.x")
    lock_out(client, "hocvien.y")
    assert log_in(client, "hocvien.x").status_code == 429  # a sixth failure, even with the right password
    staff_client = client_for(world.center_staff)
    login_x = LockedOutLogin.objects.get(username="hocvien.x")

    response = unlock_through_the_admin(staff_client, [login_x])

    assert "Đã mở khóa 1 đăng nhập." in response.content.decode()
    assert log_in(client, "hocvien.x").status_code == 302
    assert [login.username for login in locked_out_logins()] == ["hocvien.y"]
    entry = AccessLog.objects.get(action=AccessLog.Action.UNLOCK_LOGIN)
    assert entry.user == world.center_staff and entry.username == "canbo.trungtam"
    assert entry.parameters == {"logins": [{"username": "hocvien.x", "ip_address": "127.0.0.1", "failures": 6}]}


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "trainee_x"], indirect=True)
def test_nobody_but_the_center_may_unlock_even_calling_the_service(world, client, persona):
    lock_out(client, "hocvien.x")

    with pytest.raises(PermissionDenied):
        unlock_logins(LockedOutLogin.objects.all(), by=persona)

    assert len(locked_out_logins()) == 1
    assert not AccessLog.objects.filter(action=AccessLog.Action.UNLOCK_LOGIN).exists()


def test_an_officer_neither_sees_the_list_nor_unlocks_through_it(world, client, client_for):
    lock_out(client, "hocvien.x")
    officer = client_for(world.officer_a)

    assert officer.get(reverse(LIST)).status_code == 403
    unlock_through_the_admin(officer, LockedOutLogin.objects.all())

    assert len(locked_out_logins()) == 1


def test_the_command_line_unlocks_with_the_centers_rights(world, client):
    lock_out(client, "hocvien.x")

    assert unlock_logins(LockedOutLogin.objects.all(), by=None) == 1

    assert log_in(client, "hocvien.x").status_code == 302


def test_unlocking_a_login_no_longer_locked_does_nothing(world, client):
    lock_out(client, "hocvien.x")
    login = LockedOutLogin.objects.get()
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31))

    assert unlock_logins([login], by=world.center_staff) == 0
    assert not AccessLog.objects.filter(action=AccessLog.Action.UNLOCK_LOGIN).exists()


@pytest.mark.parametrize("count", [3, 30])
def test_unlocking_many_costs_a_fixed_number_of_queries(world, django_assert_num_queries, count):
    logins = factories.LockedOutLoginFactory.create_batch(count)
    world.center_staff.has_perm("organizations.unlock_lockedoutlogin")  # the permission cache, filled once

    with django_assert_num_queries(8):
        assert unlock_logins(logins, by=world.center_staff) == count

    assert AccessAttempt.objects.count() == 0
