"""Fixed personas and the small party tree they live in.

    Đảng bộ Khối (root)                       center_staff and inspector are its officers; it runs root_course
    ├── Đảng ủy A   committee_a               officer_a
    │   └── Đảng bộ cơ sở A   grassroots_a     runs course_a (inside A)
    │       └── Chi bộ A   cell_a              member_x (trainee_x), secretary_a
    └── Đảng ủy B   committee_b               officer_b; runs course_b (self-organized)
        └── Đảng bộ cơ sở B   grassroots_b
            └── Chi bộ B   cell_b              member_y (trainee_y), secretary_b

secretary_a/b hold the cells' secretary posts; member_x is also a committee member of cell_a.

The inspector (the Inspection Committee's: an officer of the root in the inspectors' group) reads the whole tree
and writes inspections; the 2021 plan inspects committees A and B (tests/oversight/world.py).

trainee_x and trainee_y are both enrolled in root_course and have attendance for its session;
trainee_x is also enrolled in course_a. Both committees have seats in root_course, and both
trainees have evaluated it. trainee_x holds a certificate of course_a and secretary_b one of course_b
(tests/certificates/world.py).

Tests marked `postgresql` prove what only PostgreSQL can show (locking under real concurrency, a server
that drops a kept connection): SQLite would let them pass without proving anything. They are deselected
(reported as such, not skipped) unless DATABASE_URL points to PostgreSQL, as it does in CI's second run.
"""

import datetime
import os
import uuid
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from organizations import roles
from organizations.access_log import record_access
from organizations.models import AccessLog, Organization, Post, Term
from tests import factories
from tests.certificates.world import add_certificates
from tests.imports.world import add_uploads
from tests.oversight.world import add_inspections
from tests.reports.world import add_report_jobs


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql: needs PostgreSQL (deselected on any other database)")
    config.addinivalue_line("markers", "browser: drives Chromium (tests/browser/); CI runs it on one database only")
    # The default hasher is slow on purpose; tests create users by the hundred.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith("tests/browser/"):
            item.add_marker(pytest.mark.browser)
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


@pytest.fixture(autouse=True, scope="session")
def _stored_files_in_a_scratch_folder(tmp_path_factory):
    """Certificate PDFs and reports that tests store go to a scratch folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English leaves English active in its thread, which
    would otherwise carry over to the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


PERSONAS = ["center_staff", "inspector", "officer_a", "officer_b", "trainee_x", "trainee_y", "anonymous"]


def _committee(root, letter, name, *, self_organizing=False):
    committee = factories.OrganizationFactory(
        parent=root,
        kind=Organization.Kind.AFFILIATED_COMMITTEE,
        code=f"DU-{letter}",
        name=f"Đảng ủy {name}",
        can_self_organize=self_organizing,
    )
    grassroots = factories.OrganizationFactory(
        parent=committee,
        kind=Organization.Kind.GRASSROOTS_COMMITTEE,
        code=f"DU-{letter}-CS1",
        name=f"Đảng bộ Vụ Tổng hợp {name}",
        can_self_organize=True,
    )
    cell = factories.OrganizationFactory(
        parent=grassroots,
        kind=Organization.Kind.CELL,
        code=f"DU-{letter}-CS1-CB1",
        name=f"Chi bộ Phòng Hành chính {name}",
    )
    return committee, grassroots, cell


def build_world():
    """The tree, the people, and what each side owns."""
    w = SimpleNamespace()
    w.root = factories.OrganizationFactory(
        kind=Organization.Kind.BLOC, code="DBK", name="Đảng bộ Khối Các cơ quan Trung ương"
    )
    w.committee_a, w.grassroots_a, w.cell_a = _committee(w.root, "A", "Bộ Ngoại giao")
    w.committee_b, w.grassroots_b, w.cell_b = _committee(w.root, "B", "Bộ Tư pháp", self_organizing=True)

    w.center_staff = factories.UserFactory(username="canbo.trungtam", is_staff=True, groups=[roles.CENTER_STAFF])
    w.officer_a = factories.UserFactory(username="canbo.a", is_staff=True, groups=[roles.OFFICER])
    w.officer_b = factories.UserFactory(username="canbo.b", is_staff=True, groups=[roles.OFFICER])
    w.center_officer = factories.OfficerFactory(user=w.center_staff, organization=w.root)
    w.officer_record_a = factories.OfficerFactory(user=w.officer_a, organization=w.committee_a)
    w.officer_record_b = factories.OfficerFactory(user=w.officer_b, organization=w.committee_b)
    w.inspector = factories.UserFactory(username="kiemtra.ubkt", is_staff=True, groups=[roles.INSPECTOR])
    w.inspector_officer = factories.OfficerFactory(user=w.inspector, organization=w.root)

    w.officer_group = Group.objects.get(name=roles.OFFICER)

    w.trainee_x = factories.UserFactory(username="hocvien.x")
    w.trainee_y = factories.UserFactory(username="hocvien.y")
    w.member_x = factories.MemberFactory(full_name="Nguyễn Thị Hà", organization=w.cell_a, user=w.trainee_x)
    w.member_y = factories.MemberFactory(full_name="Trần Văn Đức", organization=w.cell_b, user=w.trainee_y)
    w.secretary_a = factories.MemberFactory(full_name="Lê Minh Châu", organization=w.cell_a)
    w.secretary_b = factories.MemberFactory(full_name="Võ Thanh Bình", organization=w.cell_b)
    w.appointment_a = factories.AppointmentFactory(member=w.secretary_a, organization=w.cell_a)
    w.appointment_b = factories.AppointmentFactory(member=w.secretary_b, organization=w.cell_b)
    w.appointment_x = factories.AppointmentFactory(member=w.member_x, organization=w.cell_a, post=Post.COMMITTEE_MEMBER)

    w.program = factories.ProgramFactory(
        code="BTCB", name="Bồi dưỡng nghiệp vụ công tác đảng cho bí thư chi bộ và cấp ủy viên cơ sở"
    )
    w.topic = factories.TopicFactory(program=w.program, order=1, title="Nghiệp vụ công tác đảng ở chi bộ")
    w.lecturer = factories.LecturerFactory(name="Đỗ Xuân Ánh", academic_title="PGS.TS.")
    course_dates = {"start_date": datetime.date(2021, 3, 1), "end_date": datetime.date(2021, 3, 5)}
    w.root_course = factories.CourseFactory(code="2021-K1-L1", program=w.program, organizer=w.root, **course_dates)
    w.course_a = factories.CourseFactory(code="2021-A-L1", program=w.program, organizer=w.grassroots_a, **course_dates)
    w.course_b = factories.CourseFactory(code="2021-B-L1", program=w.program, organizer=w.committee_b, **course_dates)
    sessions = {"date": datetime.date(2021, 3, 1), "period": 1, "topic": w.topic, "lecturer": w.lecturer}
    w.root_session = factories.SessionFactory(course=w.root_course, **sessions)
    w.session_a = factories.SessionFactory(course=w.course_a, **sessions)
    w.session_b = factories.SessionFactory(course=w.course_b, **sessions)

    w.enrollment_x = factories.EnrollmentFactory(course=w.root_course, member=w.member_x)
    w.enrollment_y = factories.EnrollmentFactory(course=w.root_course, member=w.member_y)
    w.enrollment_a = factories.EnrollmentFactory(course=w.course_a, member=w.secretary_a)
    w.enrollment_x_in_a = factories.EnrollmentFactory(course=w.course_a, member=w.member_x)
    w.enrollment_b = factories.EnrollmentFactory(course=w.course_b, member=w.secretary_b)
    w.attendance_x = factories.AttendanceFactory(enrollment=w.enrollment_x, session=w.root_session)
    w.attendance_y = factories.AttendanceFactory(enrollment=w.enrollment_y, session=w.root_session)
    w.attendance_a = factories.AttendanceFactory(enrollment=w.enrollment_a, session=w.session_a)
    w.attendance_b = factories.AttendanceFactory(enrollment=w.enrollment_b, session=w.session_b, status="excused")
    w.quota_a = factories.SeatQuotaFactory(course=w.root_course, organization=w.committee_a)
    w.quota_b = factories.SeatQuotaFactory(course=w.root_course, organization=w.committee_b)
    w.evaluation_x = factories.EvaluationFactory(enrollment=w.enrollment_x)
    w.evaluation_y = factories.EvaluationFactory(enrollment=w.enrollment_y)
    w.task_result = factories.DBTaskResultFactory()
    w.access_log = record_access(w.center_staff, AccessLog.Action.VIEW_MEMBER, obj=w.member_x)
    # Decisions letting the committees run their own classes, both revoked: their pages exist, and no officer of
    # the world runs a class (tests authorizing one do it themselves).
    revoked = {"decision_date": datetime.date(2019, 1, 2), "revoked_on": datetime.date(2019, 12, 31)}
    w.authorization_a = factories.ClassAuthorizationFactory(organization=w.committee_a, **revoked)
    w.authorization_b = factories.ClassAuthorizationFactory(organization=w.committee_b, **revoked)
    w.term = Term.objects.order_by("start").first()  # seeded by organizations' migration 0006
    return add_inspections(add_uploads(add_report_jobs(add_certificates(w))))


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def in_the_2020_term(db):
    """The world's certificates are of 2021: tests about counting them take 2020–2025 for the current term, as if
    the next term had not been entered yet (the current term follows today's date: organizations/terms.py)."""
    from organizations.models import Term

    Term.objects.filter(start__gt=datetime.date(2020, 1, 1)).delete()


@pytest.fixture
def center_staff(world):
    """The center's staff: officer of the root, in the center-staff group; sees everything."""
    return world.center_staff


@pytest.fixture
def inspector(world):
    """The Inspection Committee's inspector: officer of the root in the inspectors' group; reads everything, is not
    the center, writes inspections."""
    return world.inspector


@pytest.fixture
def officer_a(world):
    """Officer of committee A: sees A's sub-tree and the courses the root or A runs."""
    return world.officer_a


@pytest.fixture
def officer_b(world):
    """Officer of the sibling committee B."""
    return world.officer_b


@pytest.fixture
def trainee_x(world):
    """A member of A's cell with a login, enrolled in the root's course."""
    return world.trainee_x


@pytest.fixture
def trainee_y(world):
    """A member of B's cell with a login, enrolled in the same course."""
    return world.trainee_y


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def persona(request):
    """The user of a persona named by the test's parameter."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def client_for():
    """A test client logged in as the given user (or anonymous for AnonymousUser/None)."""

    def make(user=None):
        client = Client()
        if user is not None and user.is_authenticated:
            client.force_login(user)
        return client

    return make


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(settings):
    """The production cache backend on a Redis database of its own, with a fresh key prefix."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.fail(f"no Redis at {REDIS_URL}: start redis-server (.ci/run does) or set TEST_REDIS_URL")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    yield cache
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
