"""The login forms (the portal's and the admin's) warn, in Vietnamese, when the next failed login would lock the
login out; not before, and the warning counts the e-mail address as its account's username."""

import pytest
from django.urls import reverse

WRONG = "sai-mat-khau"
WARNING = "Còn 1 lần thử"


def fail(client, username, *, url):
    return client.post(url, {"username": username, "password": WRONG})


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_the_fourth_failure_warns_that_the_next_one_locks(world, client, url_name):
    url = reverse(url_name)
    pages = [fail(client, "canbo.trungtam", url=url).content.decode() for _ in range(4)]

    assert [WARNING in page for page in pages] == [False, False, False, True]
    assert "sẽ bị tạm khóa 30 phút" in pages[-1]
    assert fail(client, "canbo.trungtam", url=url).status_code == 429


def test_the_warning_follows_the_configured_limit(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    pages = [fail(client, "hocvien.x", url=reverse("login")).content.decode() for _ in range(2)]

    assert [WARNING in page for page in pages] == [False, True]


def test_switching_to_the_email_address_does_not_hide_the_warning(world, client):
    for _ in range(3):
        fail(client, "hocvien.x", url=reverse("login"))

    page = fail(client, "HocVien.X@example.vn", url=reverse("login")).content.decode()

    assert WARNING in page


def test_another_client_address_starts_its_own_count(world, client):
    for _ in range(3):
        fail(client, "hocvien.x", url=reverse("login"))

    response = client.post(reverse("login"), {"username": "hocvien.x", "password": WRONG}, REMOTE_ADDR="192.0.2.7")

    assert WARNING not in response.content.decode()


def test_the_username_typed_is_kept_and_the_password_is_not(world, client):
    for _ in range(3):
        fail(client, "hocvien.x", url=reverse("login"))

    page = fail(client, "hocvien.x", url=reverse("login")).content.decode()

    assert 'value="hocvien.x"' in page
    assert WRONG not in page
