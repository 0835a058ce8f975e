"""Logging in to the portal by username or e-mail, and asking for a password link by e-mail."""

import re

from django.core import mail
from django.urls import reverse

from organizations.accounts import ensure_trainee_accounts
from tests import factories

PASSWORD = "mat-khau-thu-nghiem"  # the factories' password for persona logins


def log_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_log_in_by_username_lands_on_my_courses(world, client_for):
    response = log_in(client_for(), "hocvien.x")

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:course-list")


def test_log_in_by_email_in_any_case(world, client_for):
    client = client_for()

    response = log_in(client, "  HocVien.X@Example.vn ")

    assert response.status_code == 302
    assert client.get(reverse("portal:course-list")).context["user"] == world.trainee_x


def test_a_wrong_password_is_refused_with_a_message(world, client_for):
    response = log_in(client_for(), "hocvien.x@example.vn", "sai-mat-khau")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in response.wsgi_request.session


def test_an_email_shared_by_two_logins_logs_in_neither(world, client_for):
    factories.UserFactory(username="hocvien.khac", email="hocvien.x@example.vn")

    response = log_in(client_for(), "hocvien.x@example.vn")

    assert response.status_code == 200


def test_password_reset_sends_a_one_time_link(world, client_for):
    response = client_for().post(reverse("password-reset"), {"email": "hocvien.y@example.vn"})

    assert response["Location"] == reverse("password-reset-done")
    assert [message.to for message in mail.outbox] == [["hocvien.y@example.vn"]]
    assert re.search(r"/accounts/set-password/[\w-]+/[\w-]+/", mail.outbox[0].body)
    assert "Tên đăng nhập của đồng chí: hocvien.y" in mail.outbox[0].body


def test_a_trainee_who_never_set_a_password_can_ask_for_a_new_link(world, client_for):
    member = factories.MemberFactory(email="moi@example.vn")
    ensure_trainee_accounts([member])

    client_for().post(reverse("password-reset"), {"email": "Moi@example.vn"})

    assert [message.to for message in mail.outbox] == [["moi@example.vn"]]


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(world, client_for):
    response = client_for().post(reverse("password-reset"), {"email": "khong-co@example.vn"})

    assert response["Location"] == reverse("password-reset-done")
    assert mail.outbox == []
