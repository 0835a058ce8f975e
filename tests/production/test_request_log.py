"""One JSON log line per event with the request id; errors logged with their stack trace and never shown: users
get the Vietnamese error pages."""

import io
import json
import logging
import sys
import types

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.test import Client
from django.urls import path

import config.urls
from config.logs import JsonFormatter, RequestIdFilter


def broken_view(request):
    raise ZeroDivisionError("chia cho không trong lúc tính điểm")


def logging_view(request):
    logging.getLogger("portal").warning("trong lúc phục vụ")
    return HttpResponse("ok")


def forbidden_view(request):
    raise PermissionDenied


def bad_request_view(request):
    raise SuspiciousOperation("tham số lạ")


@pytest.fixture
def urls_with_test_views(settings, monkeypatch):
    urlconf = types.ModuleType("tests_production_urls")
    urlconf.urlpatterns = [
        path("hong/", broken_view),
        path("ghi-log/", logging_view),
        path("cam/", forbidden_view),
        path("sai/", bad_request_view),
        *config.urls.urlpatterns,
    ]
    urlconf.handler500 = config.urls.handler500
    monkeypatch.setitem(sys.modules, urlconf.__name__, urlconf)
    settings.ROOT_URLCONF = urlconf.__name__


@pytest.fixture
def log_lines():
    """What the stdout handler of settings.LOGGING writes, as parsed JSON objects."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(), logging.getLogger("django")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_each_response_carries_a_new_request_id(client):
    first = client.get("/verify/")["X-Request-ID"]
    second = client.get("/verify/")["X-Request-ID"]

    assert len(first) == 32 and first != second


def test_a_request_id_from_the_proxy_in_front_is_kept(client):
    response = client.get("/verify/", HTTP_X_REQUEST_ID="nginx-7f3a9c21")

    assert response["X-Request-ID"] == "nginx-7f3a9c21"


def test_a_request_id_that_does_not_look_like_one_is_replaced(client):
    response = client.get("/verify/", HTTP_X_REQUEST_ID="x\nForged: header")

    assert response["X-Request-ID"] != "x\nForged: header"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_every_request_is_one_json_line_with_its_id_and_outcome(client, log_lines):
    response = client.get("/verify/")

    [line] = [line for line in log_lines() if line["logger"] == "config.requests"]
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/verify/", 200)
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert isinstance(line["duration_ms"], float)


def test_lines_logged_while_serving_carry_the_request_id(client, log_lines, urls_with_test_views):
    response = client.get("/ghi-log/")

    [line] = [line for line in log_lines() if line["logger"] == "portal"]
    assert line["message"] == "trong lúc phục vụ"
    assert line["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_a_not_found_warning_carries_the_request_id(client, log_lines):
    response = client.get("/khong-co-trang-nay/")

    [line] = [line for line in log_lines() if line["logger"] == "django.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["status_code"] == 404


@pytest.mark.django_db
def test_the_token_of_a_password_link_stays_out_of_the_log(client, log_lines):
    client.get("/accounts/set-password/MTIz/cn9abc-0123456789abcdef/")

    [line] = [line for line in log_lines() if line["logger"] == "config.requests"]
    assert line["path"] == "/accounts/set-password/MTIz/[token]/"


def test_an_error_is_logged_with_its_stack_trace_and_the_user_sees_a_vietnamese_page(log_lines, urls_with_test_views):
    response = Client(raise_request_exception=False).get("/hong/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in page
    assert f"Mã lỗi để báo cho Trung tâm: {response['X-Request-ID']}" in page
    assert "ZeroDivisionError" not in page and "Traceback" not in page
    [error] = [line for line in log_lines() if line["level"] == "ERROR"]
    assert error["request_id"] == response["X-Request-ID"]
    assert "Traceback (most recent call last)" in error["exception"]
    assert "ZeroDivisionError: chia cho không trong lúc tính điểm" in error["exception"]


@pytest.mark.django_db
def test_the_not_found_page_is_in_vietnamese_on_the_site_layout(client):
    response = client.get("/khong-co-trang-nay/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page
    assert 'class="navbar' in page and "language-switcher" in page


def test_the_forbidden_page_is_in_vietnamese(client, urls_with_test_views):
    response = client.get("/cam/")

    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_the_bad_request_page_is_in_vietnamese(client, urls_with_test_views):
    response = client.get("/sai/")

    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_a_stale_form_gets_the_vietnamese_csrf_page():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})

    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.content.decode()


def test_the_server_error_page_renders_without_a_request_and_without_the_language_form():
    """Whatever broke (the database, the session) must not break the 500 page: no request, no context processors."""
    from django.template import loader

    page = loader.get_template("500.html").render({"request_id": "abc123"})

    assert "Hệ thống đang gặp sự cố" in page
    assert "language-switcher" not in page
