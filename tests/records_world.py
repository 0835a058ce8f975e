"""What the records machine (tests/test_records_machine.py) stands on: a small world, a clock that freezes
"today", snapshots of every record the invariants read, and admin change forms posted as a browser would.

Nothing here decides what is right: the invariants do, in the test module."""

import datetime
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client

from certificates.models import Certificate, IssuerProfile, RegisterCounter
from courses.models import Course, Session
from enrollments.models import Attendance, Enrollment
from organizations import roles
from organizations.models import Organization, Post
from tests import factories

TERM = "2025–2030"
TERM_START = datetime.date(2025, 10, 1)
FIRST_DAY = datetime.date(2026, 3, 2)  # the machine's "today" when it starts; time only moves forward
MEMBERS = 4


class Clock:
    """Today, frozen for every caller of django.utils.timezone (localdate() reads now()), moved by the machine."""

    def __init__(self, today: datetime.date):
        self.today = today
        self._patch = mock.patch("django.utils.timezone.now", self.now)

    def now(self) -> datetime.datetime:
        local = datetime.datetime.combine(self.today, datetime.time(10, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
        return local.astimezone(datetime.UTC)

    def start(self):
        self._patch.start()

    def stop(self):
        self._patch.stop()


def _unrendered(certificates):
    # What the invariants read is the register, not the pages: a stand-in PDF spares WeasyPrint at every reissue.
    return [(certificate, b"%PDF-1.7\n%%EOF\n") for certificate in certificates]


def pages_not_rendered():
    """A patch that stores a stand-in for each certificate's PDF instead of laying it out."""
    return mock.patch("certificates.pdf.render_each", _unrendered)


def build() -> SimpleNamespace:
    """The center (the only organizer and issuer), one cell whose members each hold a secretary's post of the
    current term, a program qualifying secretaries with one topic, a lecturer, the center's staff member, and a
    probe class of the program (open, unlimited, no deadline) that only the trained check nominates into."""
    w = SimpleNamespace()
    w.root = factories.OrganizationFactory(kind=Organization.Kind.BLOC, code="DBK", name="Đảng bộ Khối")
    w.cell = factories.OrganizationFactory(parent=w.root, kind=Organization.Kind.CELL, code="CB1")
    Group.objects.get_or_create(name=roles.CENTER_STAFF)
    w.staff = factories.UserFactory(username="canbo.maytrangthai", is_staff=True, groups=[roles.CENTER_STAFF])
    factories.OfficerFactory(user=w.staff, organization=w.root)
    w.program = factories.ProgramFactory(qualifying_posts=[Post.SECRETARY])
    w.topic = factories.TopicFactory(program=w.program, order=1)
    w.lecturer = factories.LecturerFactory()
    w.issuer = factories.IssuerProfileFactory(organization=w.root, register_suffix="CC-MAY")
    w.members = []
    for _index in range(MEMBERS):
        member = factories.MemberFactory(organization=w.cell)
        factories.AppointmentFactory(member=member, organization=w.cell, term_label=TERM, start_date=TERM_START)
        w.members.append(member)
    w.probe = factories.CourseFactory(
        code="PROBE",
        program=w.program,
        organizer=w.root,
        year=2099,
        start_date=datetime.date(2099, 1, 1),
        end_date=datetime.date(2099, 1, 31),
        capacity=1000,
        nomination_deadline=None,
        status=Course.Status.OPEN,
    )
    return w


# -- Snapshots: each record the invariants read, as plain values ------------------------------------------


def _history_counts(model, ids=None):
    rows = model.history.all()
    if ids is not None:
        rows = rows.filter(id__in=ids)
    counts: dict[int, int] = {}
    for pk in rows.values_list("id", flat=True):
        counts[pk] = counts.get(pk, 0) + 1
    return counts


def course_history_counts() -> dict[int, int]:
    """History rows per course. Courses keep no history today: a change of a closed course's own row (reopening
    it) then counts as unrecorded. When courses/lifecycle.py records transitions elsewhere, count them here."""
    if hasattr(Course, "history"):
        return _history_counts(Course)
    return {}


COURSE_FIELDS = ("status", "start_date", "end_date", "nomination_deadline", "capacity")
ENROLLMENT_FIELDS = (
    "course_id",
    "member_id",
    "status",
    "final_score",
    "grade",
    "attended_percent",
    "result_reasons",
    "result_overridden",
    "override_reason",
    "post",
)
ATTENDANCE_FIELDS = ("enrollment_id", "session_id", "status")
SESSION_FIELDS = ("course_id", "date", "period", "topic_id", "lecturer_id")
CERTIFICATE_FIELDS = (
    "enrollment_id",
    "issuer_id",
    "year",
    "number",
    "register_number",
    "issued_on",
    "status",
    "revoke_reason",
    "replaces_id",
)


def _rows(model, fields):
    return {row[0]: row[1:] for row in model.objects.order_by().values_list("pk", *fields)}


def snapshot() -> dict:
    """Every row the machine's services write, with the history rows' counts: equal snapshots, nothing written."""
    return {
        "courses": _rows(Course, COURSE_FIELDS),
        "sessions": _rows(Session, SESSION_FIELDS),
        "enrollments": _rows(Enrollment, ENROLLMENT_FIELDS),
        "attendance": _rows(Attendance, ATTENDANCE_FIELDS),
        "certificates": _rows(Certificate, CERTIFICATE_FIELDS),
        "counters": _rows(RegisterCounter, ("issuer_id", "year", "last_number")),
        "issuers": _rows(IssuerProfile, ("register_suffix",)),
        "enrollment_history": _history_counts(Enrollment),
        "attendance_history": _history_counts(Attendance),
        "certificate_history": _history_counts(Certificate),
        "course_history": course_history_counts(),
    }


def difference(before: dict, after: dict) -> list[str]:
    """What changed between two snapshots, one line per table that did."""
    return [f"{table}: {before[table]!r} -> {after[table]!r}" for table in before if before[table] != after.get(table)]


@contextmanager
def rolled_back():
    """Run something for what it answers, then take back everything it wrote."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


# -- Admin change forms, posted as the browser would --------------------------------------------------------


def _post_value(bound):
    value = bound.value()
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def change_form_data(response) -> dict:
    """The POST data of an admin change page as it stands: the main form and every inline formset."""
    context = response.context
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict = {}
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = _post_value(bound)
            if value is not None:
                data[bound.html_name] = value
    return data


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
