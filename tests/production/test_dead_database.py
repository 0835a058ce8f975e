"""When the database goes away, users get a clear page (503 "Hệ thống tạm thời gián đoạn"), nothing is
half-written, and the site serves again as soon as the database is back, without a restart.

Requests go through Django's WSGI handler as gunicorn calls it, so that each one runs the connection housekeeping
the test client leaves out (closing broken or expired connections, checking kept ones). On PostgreSQL the test's
own server connection is really terminated (pg_terminate_backend of its pid) or the connection is pointed at a
closed port; the server itself is never stopped. SQLite has no server to lose: its driver raises the errors it
gives when the file cannot be read.
"""

import io
import socket
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.models import Course
from enrollments.models import Enrollment

pytestmark = pytest.mark.django_db(transaction=True)  # the requests commit, and the connection is lost for real

CSRF_TOKEN = "k3Tq9ZbW7mXc2RvN8pLs4HdYf6JgAe1U"
POSTGRESQL = connection.vendor == "postgresql"


@dataclass
class Page:
    status: int
    headers: dict
    text: str


class Browser:
    """One user's requests, with their session and CSRF cookies, through a WSGI handler."""

    def __init__(self, user=None):
        self.handler = WSGIHandler()
        self.cookies = {"csrftoken": CSRF_TOKEN}
        if user is not None:
            client = Client()
            client.force_login(user)
            self.cookies["sessionid"] = client.cookies["sessionid"].value

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data=None):
        return self.request("POST", path, data)

    def request(self, method, path, data=None):
        body = urlencode(data or {}).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "HTTP_HOST": "testserver",
            "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
            "HTTP_X_CSRFTOKEN": CSRF_TOKEN,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        setup_testing_defaults(environ)
        started = {}

        def start_response(status, headers, exc_info=None):
            started.update(status=int(status.split()[0]), headers=dict(headers))

        result = self.handler(environ, start_response)
        try:
            text = b"".join(result).decode()
        finally:
            result.close()  # the end of the request: Django closes a broken connection here
        return Page(started["status"], started["headers"], text)


def cut_off(database):
    """The database drops this connection, as when its server restarts or a network link fails."""
    if POSTGRESQL:
        pid = database.connection.info.backend_pid
        other = database.copy()
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        finally:
            other.close()
    else:
        with database.wrap_database_errors:
            raise sqlite3.OperationalError("disk I/O error")


@contextmanager
def database_lost_at(statement):
    """The connection is lost just as a statement beginning with `statement` is sent. Yields the statements sent."""
    sent = []

    def lose(execute, sql, params, many, context):
        sent.append(sql)
        if sql.startswith(statement):
            cut_off(context["connection"])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(lose):
        yield sent


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_down():
    """No new connection can be made until the block ends: on PostgreSQL, the connection points at a closed port."""
    if POSTGRESQL:
        settings_dict = connection.settings_dict
        port = settings_dict["PORT"]
        connection.close()
        settings_dict["PORT"] = closed_port()
        try:
            yield
        finally:
            connection.close()
            settings_dict["PORT"] = port
    else:

        def refuse(execute, sql, params, many, context):
            with context["connection"].wrap_database_errors:
                raise sqlite3.OperationalError("unable to open database file")

        with connection.execute_wrapper(refuse):
            yield


@contextmanager
def connection_settings(**changes):
    """Connection settings for the connections opened inside the block."""
    settings_dict = connection.settings_dict
    saved = {name: settings_dict[name] for name in changes}
    connection.close()
    settings_dict.update(changes)
    try:
        yield
    finally:
        connection.close()
        settings_dict.update(saved)


def assert_unavailable_page(page):
    assert page.status == 503
    assert page.headers["Retry-After"] == "30"
    assert '<h1 class="h4 mb-3">Hệ thống tạm thời gián đoạn</h1>' in page.text
    assert "Xin thử lại sau ít phút." in page.text
    assert "Traceback" not in page.text and "OperationalError" not in page.text


def state_of(course):
    return (
        Course.objects.get(pk=course.pk).status,
        sorted(Enrollment.objects.filter(course=course).values_list("pk", "status", "attended_percent")),
        Enrollment.history.count(),
    )


def test_a_connection_lost_while_a_course_is_closed_gives_the_503_page_and_writes_nothing(world, caplog):
    staff = Browser(world.center_staff)
    course = world.root_course
    url = reverse("admin:courses_course_close", args=[course.pk])
    before = state_of(course)

    with database_lost_at('UPDATE "courses_course"') as sent:
        page = staff.post(url)

    assert_unavailable_page(page)
    # The results and their history rows had been written in the transaction when the connection went.
    assert any(sql.startswith('UPDATE "enrollments_enrollment"') for sql in sent)
    assert any(sql.startswith('INSERT INTO "enrollments_historicalenrollment"') for sql in sent)
    assert state_of(course) == before
    (logged,) = [record for record in caplog.records if record.name == "ops.middleware"]
    assert logged.levelname == "ERROR" and logged.exc_info

    again = staff.post(url)

    assert again.status == 302
    assert Course.objects.get(pk=course.pk).status == Course.Status.CLOSED
    closing = Enrollment.history.filter(history_change_reason="Kết thúc lớp")
    assert [record.history_user for record in closing] == [world.center_staff] * 2


def test_while_the_database_is_down_every_user_gets_the_503_page_and_the_site_comes_back_by_itself(world):
    visits = [
        (Browser(), world.certificate_a.get_absolute_url()),
        (Browser(world.trainee_x), reverse("portal:course-list")),
        (Browser(world.center_staff), reverse("admin:index")),
    ]
    assert [browser.get(path).status for browser, path in visits] == [200] * 3

    with database_down():
        for browser, path in visits:
            assert_unavailable_page(browser.get(path))

    assert [browser.get(path).status for browser, path in visits] == [200] * 3


@pytest.mark.postgresql  # SQLite keeps no connection to a server that could drop it
@pytest.mark.parametrize(
    ("health_checks", "first_status"),
    [(True, 200), (False, 503)],
    ids=["with CONN_HEALTH_CHECKS, as configured", "without"],
)
def test_a_kept_connection_the_server_dropped_between_requests_is_replaced(world, health_checks, first_status):
    """With CONN_MAX_AGE, a connection outlives its request. The settings check it before a request uses it, so
    a server restart between two requests goes unnoticed; without the check one request fails, and the next one
    gets a new connection."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    trainee = Browser(world.trainee_x)
    path = reverse("portal:course-list")

    with connection_settings(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=health_checks):
        assert trainee.get(path).status == 200
        dropped = connection.connection.info.backend_pid
        cut_off(connection)

        assert trainee.get(path).status == first_status
        assert trainee.get(path).status == 200
        assert connection.connection.info.backend_pid != dropped
