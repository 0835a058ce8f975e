"""A trainee's own pages from the cache (portal/page_cache.py): looking again reads no database, not even for the
login; anything the page shows, a logout, a password change or a new day ends the stored page at once."""

import datetime
import json
import logging
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import MessageEncoder
from django.contrib.messages.storage.session import SessionStorage
from django.contrib.sessions.models import Session as LoginSession
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from common.page_cache import GENERATIONS
from common.signals import BulkSavedQuerySet
from enrollments.models import Attendance, Enrollment
from portal.page_cache import PORTAL_PAGES
from tests import factories

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TABLE = re.compile(r'(?:FROM|JOIN) "(\w+)"')


@pytest.fixture(autouse=True)
def pages_in_cache(settings):
    settings.PORTAL_PAGE_SECONDS = 3600
    # As in production: sessions in the cache, written through to the database.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def trainee(world):
    client = Client()
    client.force_login(world.trainee_x)
    return client


def my_courses(client):
    return client.get(reverse("portal:course-list"))


def course_page(client, course):
    return client.get(reverse("portal:course-detail", args=[course.code]))


def copy_of_session(client):
    """Another client with the same session cookie, which it keeps after the first one logs out."""
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return copy


def without_token(response):
    return TOKEN.sub("", response.content.decode())


def test_looking_again_reads_no_database(world, trainee, django_assert_num_queries):
    first = my_courses(trainee)
    with django_assert_num_queries(0):
        again = my_courses(trainee)

    assert again.status_code == 200
    assert without_token(again) == without_token(first)
    assert world.root_course.code in again.content.decode()
    assert "private" in again["Cache-Control"] and "Cookie" in again["Vary"]
    assert "private" in first["Cache-Control"] and "Cookie" in first["Vary"]


def test_a_course_page_is_stored_and_another_trainees_course_is_not(
    world, trainee, client_for, django_assert_num_queries, django_assert_max_num_queries
):
    first = course_page(trainee, world.root_course)
    with django_assert_num_queries(0):
        assert without_token(course_page(trainee, world.root_course)) == without_token(first)

    only_y = factories.CourseFactory(code="2021-Y-L1", program=world.program, organizer=world.root)
    factories.EnrollmentFactory(course=only_y, member=world.member_y)
    for _ in range(2):
        with django_assert_max_num_queries(10) as queries:
            assert course_page(trainee, only_y).status_code == 404
        assert any("enrollments_enrollment" in query["sql"] for query in queries.captured_queries)


def test_each_trainee_gets_their_own_page(world, trainee, client_for):
    only_y = factories.CourseFactory(code="2021-Y-L1", program=world.program, organizer=world.root)
    factories.EnrollmentFactory(course=only_y, member=world.member_y)
    my_courses(trainee)
    other = client_for(world.trainee_y)
    my_courses(other)

    assert only_y.code in my_courses(other).content.decode()
    assert only_y.code not in my_courses(trainee).content.decode()


def test_the_forms_carry_the_trainees_own_working_csrf_token(world):
    sessions = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.trainee_x)
        sessions.append(client)
    my_courses(sessions[0])
    pages = [my_courses(client).content.decode() for client in sessions]
    tokens = [TOKEN.search(page).group(1) for page in pages]

    assert tokens[0] != tokens[1]
    response = sessions[1].post(reverse("logout"), {"csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302, "the logout form's token must match the trainee's own CSRF cookie"


def test_a_new_score_shows_once_it_commits(world, trainee, django_capture_on_commit_callbacks):
    my_courses(trainee)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        Enrollment.objects.bulk_update(
            [Enrollment(pk=world.enrollment_x.pk, final_score=Decimal("7.5"))], ["final_score"]
        )
    assert "7,5" not in my_courses(trainee).content.decode(), "not before the commit"
    for callback in pending:
        callback()
    assert "7,5" in my_courses(trainee).content.decode()


def test_a_new_attendance_mark_shows_on_the_next_look(world, trainee, django_capture_on_commit_callbacks):
    session = factories.SessionFactory(course=world.root_course, date=datetime.date(2021, 3, 2), period=1)
    assert "Vắng có phép" not in course_page(trainee, world.root_course).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        factories.AttendanceFactory(enrollment=world.enrollment_x, session=session, status=Attendance.Status.EXCUSED)
    assert "Vắng có phép" in course_page(trainee, world.root_course).content.decode()


def test_a_logout_ends_the_stored_page(world, trainee):
    my_courses(trainee)
    stolen = copy_of_session(trainee)
    trainee.post(reverse("logout"))

    response = my_courses(stolen)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("change", ["password", "deactivated"])
def test_a_password_change_or_a_deactivation_ends_the_stored_page(
    world, trainee, change, django_capture_on_commit_callbacks
):
    my_courses(trainee)
    user = get_user_model().objects.get(pk=world.trainee_x.pk)
    with django_capture_on_commit_callbacks(execute=True):
        if change == "password":
            user.set_password("mật-khẩu-mới-2026")
        else:
            user.is_active = False
        user.save()

    response = my_courses(trainee)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("change", ["secret key", "login backends"])
def test_a_new_secret_key_or_login_backend_list_ends_the_stored_page(world, trainee, settings, change):
    """Django logs such sessions out (the password hash in a session is signed with SECRET_KEY, and its backend must
    be configured); the stored page must not outlive that."""
    my_courses(trainee)
    if change == "secret key":
        settings.SECRET_KEY = "a-new-secret-key-after-a-stolen-cookie-" + "x" * 30
    else:
        settings.AUTHENTICATION_BACKENDS = [
            "axes.backends.AxesStandaloneBackend",
            "django.contrib.auth.backends.ModelBackend",
        ]
    response = my_courses(trainee)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_messages_waiting_in_the_session_are_shown_not_a_stored_page(world, trainee, settings):
    # The default storage keeps messages in a cookie (which also skips the stored page) and in the session only
    # what does not fit; with the session storage every message waits there.
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    my_courses(trainee)
    session = trainee.session
    session[SessionStorage.session_key] = json.dumps(
        [Message(constants.SUCCESS, "Đã đổi mật khẩu.")], cls=MessageEncoder
    )
    session.save()

    assert "Đã đổi mật khẩu." in my_courses(trainee).content.decode()
    assert "Đã đổi mật khẩu." not in my_courses(trainee).content.decode()


@pytest.mark.django_db(transaction=True)
def test_migrate_starts_a_new_generation(world, trainee, django_assert_max_num_queries):
    my_courses(trainee)
    call_command("migrate", verbosity=0)
    with django_assert_max_num_queries(12) as queries:
        my_courses(trainee)
    assert any("enrollments_enrollment" in query["sql"] for query in queries.captured_queries)


def test_another_trainees_login_keeps_the_stored_pages(
    world, trainee, django_capture_on_commit_callbacks, django_assert_num_queries
):
    my_courses(trainee)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Client().force_login(world.trainee_y)  # saves trainee_y's last_login
    assert LoginSession.objects.count() == 2
    assert not callbacks, "a login's last_login starts no new generation"
    with django_assert_num_queries(0):
        my_courses(trainee)


def test_a_new_day_reads_the_database_again(world, trainee, monkeypatch, django_assert_max_num_queries):
    my_courses(trainee)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    with django_assert_max_num_queries(10) as queries:
        assert my_courses(trainee).status_code == 200
    assert any("courses_session" in query["sql"] for query in queries.captured_queries)


def test_a_waiting_message_is_shown_once_and_never_stored(world, trainee, django_capture_on_commit_callbacks):
    course_page(trainee, world.course_a)  # stored, with the evaluation form open
    evaluation = reverse("portal:course-evaluation", args=[world.course_a.code])
    answers = {f"evaluation-{name}": 4 for name in ("organization_rating", "content_rating", "materials_rating")}
    for name in re.findall(r'name="(evaluation-lecturer_\d+_\d+)"', trainee.get(evaluation).content.decode()):
        answers[name] = 5

    with django_capture_on_commit_callbacks(execute=True):
        shown = trainee.post(evaluation, answers, follow=True).content.decode()
    assert "Đã gửi phiếu đánh giá" in shown

    again = course_page(trainee, world.course_a).content.decode()
    assert "Đã gửi phiếu đánh giá" not in again
    assert "Đồng chí đã gửi phiếu đánh giá lúc" in again and 'name="evaluation-' not in again


def test_a_visitor_in_english_gets_the_english_page(world, trainee, settings):
    my_courses(trainee)
    trainee.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "My classes" in my_courses(trainee).content.decode()


class Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_the_request_log_names_the_trainee_of_a_stored_page(world, trainee, django_assert_num_queries):
    my_courses(trainee)
    kept = Kept()
    logger = logging.getLogger("config.requests")
    logger.addHandler(kept)
    try:
        with django_assert_num_queries(0):
            my_courses(trainee)
    finally:
        logger.removeHandler(kept)
    (record,) = kept.records
    assert record.user_id == world.trainee_x.pk


def test_every_table_the_pages_read_starts_a_new_generation(world, trainee):
    """Adding a model to the pages without adding it to the generation would serve stale pages: this fails."""
    watched = {model._meta.db_table for model in PORTAL_PAGES.models} | {LoginSession._meta.db_table}
    read = set()
    for url in (reverse("portal:course-list"), reverse("portal:course-detail", args=[world.root_course.code])):
        with CaptureQueriesContext(connection) as queries:
            assert trainee.get(url, {"fresh": 1}).status_code == 200
        read |= {table for query in queries.captured_queries for table in TABLE.findall(query["sql"])}
    known = {model._meta.db_table for model in apps.get_models()}
    assert read <= known and "enrollments_attendance" in read
    assert read <= watched, f"tables read but not watched: {read - watched}"


def test_every_model_of_the_pages_reports_its_bulk_writes():
    """bulk_create and bulk_update send no post_save: the generation hears of them through bulk_saved. The login
    model is the exception: logins are created in bulk only for new trainees, who have no session yet."""
    for model in PORTAL_PAGES.models:
        if model is not get_user_model():
            assert issubclass(model._default_manager._queryset_class, BulkSavedQuerySet), model


def test_the_generations_are_the_verification_and_portal_pages():
    assert [generation.key for generation in GENERATIONS] == ["page-generation:verify", "page-generation:portal"]


def test_in_redis_a_stored_page_is_served_and_a_logout_ends_it(world, redis_cache, trainee, django_assert_num_queries):
    my_courses(trainee)
    with django_assert_num_queries(0):
        assert world.root_course.code in my_courses(trainee).content.decode()
    stolen = copy_of_session(trainee)
    trainee.post(reverse("logout"))
    assert my_courses(stolen).status_code == 302
