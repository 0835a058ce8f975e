"""Five failed logins for one username from one client address lock that pair out for 30 minutes (django-axes),
on the portal's login and the admin's; another username, or another address, is not affected."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

PASSWORD = "mat-khau-thu-nghiem"  # the factories' password for persona logins
WRONG = "sai-mat-khau"


def log_in(client, username, password=PASSWORD, *, url=None, **headers):
    return client.post(url or reverse("login"), {"username": username, "password": password}, **headers)


def fail(client, username, times, **headers):
    for _ in range(times):
        log_in(client, username, WRONG, **headers)


def is_logged_in(response):
    return "_auth_user_id" in response.wsgi_request.session


def test_the_lockout_backend_comes_first():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_four_failures_still_let_the_right_password_in(world, client):
    fail(client, "hocvien.x", 4)

    response = log_in(client, "hocvien.x")

    assert response.status_code == 302 and is_logged_in(response)


def test_after_five_failures_the_right_password_is_refused_with_the_lockout_page(world, client):
    fail(client, "hocvien.x", 5)

    response = log_in(client, "hocvien.x")

    page = response.content.decode()
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in page
    assert "trong 30 phút" in page
    assert not is_logged_in(response)


def test_another_username_from_the_same_address_is_not_affected(world, client):
    fail(client, "hocvien.x", 5)

    response = log_in(client, "hocvien.y")

    assert response.status_code == 302 and is_logged_in(response)


def test_the_same_username_from_another_address_is_not_affected(world, client):
    fail(client, "hocvien.x", 5, REMOTE_ADDR="192.0.2.10")

    assert log_in(client, "hocvien.x", REMOTE_ADDR="192.0.2.10").status_code == 429
    response = log_in(client, "hocvien.x", REMOTE_ADDR="192.0.2.20")
    assert response.status_code == 302 and is_logged_in(response)


def test_the_email_address_counts_as_the_same_username(world, client):
    """Switching between the username and the address (in any case) does not buy more tries."""
    fail(client, "hocvien.x", 3)
    fail(client, " HocVien.X@Example.vn", 2)

    assert log_in(client, "hocvien.x").status_code == 429
    assert log_in(client, "hocvien.x@example.vn").status_code == 429


def test_the_lockout_ends_after_thirty_minutes(world, client):
    fail(client, "hocvien.x", 5)
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31))

    response = log_in(client, "hocvien.x")

    assert response.status_code == 302 and is_logged_in(response)


def test_a_successful_login_starts_the_count_again(world, client_for):
    fail(client_for(), "hocvien.x", 4)
    assert log_in(client_for(), "hocvien.x").status_code == 302
    fail(client_for(), "hocvien.x", 4)

    assert log_in(client_for(), "hocvien.x").status_code == 302


def test_the_admin_login_is_locked_out_the_same_way(world, client):
    admin_login = reverse("admin:login")
    for _ in range(5):
        log_in(client, "canbo.trungtam", WRONG, url=admin_login)

    response = log_in(client, "canbo.trungtam", url=admin_login)

    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    assert not is_logged_in(response)


@pytest.mark.parametrize("proxies", [1, 2])
def test_behind_proxies_the_client_is_the_address_the_nearest_proxies_saw(world, client, settings, proxies):
    """Every request comes from the proxy's own address; X-Forwarded-For tells the clients apart."""
    settings.PROXY_COUNT = proxies
    hops = ["10.0.0.2"] * (proxies - 1)  # what the proxies behind the first one add
    attacker = {"HTTP_X_FORWARDED_FOR": ", ".join(["1.2.3.4", "203.0.113.5", *hops]), "REMOTE_ADDR": "10.0.0.1"}
    neighbour = {"HTTP_X_FORWARDED_FOR": ", ".join(["203.0.113.6", *hops]), "REMOTE_ADDR": "10.0.0.1"}
    fail(client, "hocvien.x", 5, **attacker)

    assert log_in(client, "hocvien.x", **attacker).status_code == 429
    assert log_in(client, "hocvien.x", **neighbour).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_without_a_proxy_a_forwarded_for_header_is_ignored(world, client):
    """Anyone can send X-Forwarded-For: without a proxy in front, a new one per try changes nothing."""
    for number in range(5):
        log_in(client, "hocvien.x", WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")

    assert log_in(client, "hocvien.x", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429
