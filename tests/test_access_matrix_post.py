"""Every admin page that writes, and every changelist action, posted by every persona with the form the page
itself renders: the database afterwards holds nothing outside the persona's rights.

Who may do what is the one table of tests/test_access_matrix.py (EXPECTED and ACTIONS): a persona whose page
answers anything but OK, or who only reads the page, changes nothing at all by posting to it, even the center's
own form (the attack: an officer replaying what the center's page holds); a persona who may use the page, posting
its own page's form unchanged, changes no more than the page is for. What each kind of page is for is derived
below (a change page its object, a delete page its object and the cascade, an add page a new row); the pages and
actions whose effect is wider are declared in EFFECTS and ACTION_EFFECTS.
"""

from dataclasses import dataclass
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.db import transaction
from django.db.models.deletion import Collector, ProtectedError
from django.test import Client, override_settings
from django.urls import reverse

from certificates.models import Certificate, RegisterCounter
from certificates.services import store_missing_pdfs
from tests.conftest import PERSONAS
from tests.test_access_matrix import (
    ACTIONS,
    EXPECTED,
    OBJECTS,
    OK,
    OUT_OF_SCOPE,
    concrete_url,
    endpoints,
    matrix_world,
)

# -- What the database holds ---------------------------------------------------------------------

# Logins, their log and the admin's own log of what was done change with every request; the log of reads of
# personal data gains a row with every allowed read (tests/organizations/test_access_log.py checks which). The
# lockout counters (axes.accessattempt) are kept: only the center's unlock may remove one.
VOLATILE_APPS = {"sessions", "admin"}
VOLATILE_MODELS = {"organizations.accesslog", "axes.accesslog", "axes.accessfailurelog"}
# Tallies counted from the tree's posts and the trainees' results (oversight/tallies.py): they follow any write a
# persona may do, and no other.
DERIVED = {"oversight.countedpost", "oversight.compliancetally"}


def snapshot_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in VOLATILE_APPS
        and model._meta.label_lower not in VOLATILE_MODELS
        and not model._meta.proxy
    ]


@dataclass(frozen=True)
class Change:
    table: str
    pk: object
    kind: str  # added, removed or changed
    owner: tuple  # (model label, pk) of the record the row belongs to: itself, or the record a history row keeps


def owner_column(model):
    """Which column names the record a row belongs to: a history row's recorded object, a many-to-many row's
    owner, or the row itself."""
    if hasattr(model, "instance_type"):
        return model.instance_type._meta.label_lower, model.instance_type._meta.pk.attname
    if model._meta.auto_created:
        owner = model._meta.auto_created
        link = next(f for f in model._meta.concrete_fields if f.is_relation and f.related_model is owner)
        return owner._meta.label_lower, link.attname
    return model._meta.label_lower, model._meta.pk.attname


def snapshot():
    """Every row of every table the project writes, as tuples by primary key."""
    tables = {}
    for model in snapshot_models():
        columns = [f.attname for f in model._meta.concrete_fields]
        pk_index = columns.index(model._meta.pk.attname)
        owner_label, owner_attname = owner_column(model)
        owner_index = columns.index(owner_attname)
        rows = model._base_manager.order_by().values_list(*columns)
        tables[model._meta.label_lower] = (owner_label, owner_index, {row[pk_index]: row for row in rows})
    return tables


def changes(before, after):
    for table, (owner_label, owner_index, old) in before.items():
        new = after[table][2]
        for pk in old.keys() | new.keys():
            if old.get(pk) != new.get(pk):
                kind = "added" if pk not in old else "removed" if pk not in new else "changed"
                row = new.get(pk) or old[pk]
                yield Change(table, pk, kind, (owner_label, row[owner_index]))


@dataclass(frozen=True)
class Allowed:
    """What a post may write: these records may change or go (with their history rows), and records may be added
    to these tables."""

    records: frozenset = frozenset()
    new_in: frozenset = frozenset()

    def permits(self, change, before):
        if change.owner in self.records or (change.table in DERIVED and (self.records or self.new_in)):
            return True
        label, pk = change.owner
        return label in self.new_in and pk not in before[label][2]


NOTHING = Allowed()


def key(obj):
    """A record's table and primary key; a proxy's rows live in its concrete model's table."""
    return obj._meta.concrete_model._meta.label_lower, obj.pk


def records(*objects, new_in=()):
    return Allowed(frozenset(key(obj) for obj in objects), frozenset(new_in))


def cascade(obj):
    """The object and whatever deleting it deletes or updates (on_delete CASCADE, SET_NULL...); nothing when a
    protected row keeps it."""
    collector = Collector(using="default")
    try:
        collector.collect([obj])
    except ProtectedError:
        return NOTHING
    doomed = [instance for instances in collector.data.values() for instance in instances]
    doomed += [instance for queryset in collector.fast_deletes for instance in queryset]
    doomed += [instance for querysets in collector.field_updates.values() for qs in querysets for instance in qs]
    return records(*doomed)


def course_results(course):
    """Closing a course, or entering its scores, writes its status and each trainee's result."""
    return records(course, *course.enrollments.all())


def revoked_and_reissued(certificate):
    """Revoking writes the certificate; reissuing adds its replacement under a new register number."""
    counters = RegisterCounter.objects.filter(issuer=certificate.issuer)
    return records(certificate, *counters, new_in={"certificates.certificate", "certificates.registercounter"})


def trainee_logins(course):
    """Activation links and account sheets create the logins trainees of the course lack."""
    members = [enrollment.member for enrollment in course.enrollments.select_related("member")]
    return records(*members, new_in={"auth.user"})


def issued(course):
    """Issuing adds certificates of the course, numbered from its issuer's register book."""
    counters = RegisterCounter.objects.filter(issuer__organization=course.organizer)
    return records(*counters, new_in={"certificates.certificate", "certificates.registercounter"})


# The pages beyond change, add and delete that write, and what the persona who may use one writes with it.
EFFECTS = {
    # Withdrawing and overriding write the one enrollment.
    "admin:enrollments_enrollment_withdraw": records,
    "admin:enrollments_enrollment_override": records,
    "admin:courses_course_close": course_results,
    "admin:courses_course_reopen": course_results,
    "admin:courses_course_open": records,
    "admin:courses_course_cancel": records,
    # Accepting a class short of the requirements writes its verdict (the world's classes are not judged: refused).
    "admin:courses_course_accept": records,
    "admin:courses_course_scores": course_results,
    # A session's attendance sheet writes (and adds) the session's attendance rows.
    "admin:courses_session_attendance": lambda session: records(
        *session.attendances.all(), new_in={"enrollments.attendance"}
    ),
    # The issuing page's confirmation issues the course's certificates, as the action does.
    "admin:courses_course_issue": issued,
    "admin:certificates_certificate_revoke": revoked_and_reissued,
    "admin:certificates_certificate_reissue": revoked_and_reissued,
    # An uploaded workbook is kept as an import record until it is confirmed.
    "admin:organizations_organization_import": lambda _none: records(new_in={"organizations.importrecord"}),
    "admin:enrollments_enrollment_import": lambda _none: records(new_in={"organizations.importrecord"}),
    # Opening an inspection writes it (its checklist); concluding writes it and adds its corrections.
    "admin:oversight_inspection_open": records,
    "admin:oversight_inspection_conclude": lambda inspection: records(inspection, new_in={"oversight.correction"}),
    # Reporting on a correction adds a report and writes the correction's status; judging writes both.
    "admin:oversight_correction_report": lambda correction: records(correction, new_in={"oversight.correctionreport"}),
    "admin:oversight_correction_judge": lambda correction: records(correction, *correction.reports.all()),
}

# What each action besides deleting the selection writes, run on one selected object.
ACTION_EFFECTS = {
    "send_activation_links": trainee_logins,
    "print_account_sheet": trainee_logins,
    "close_courses": course_results,
    "issue_certificates": issued,
    # Printing and exporting add a job and its background task.
    "print_certificates": lambda _course: records(
        new_in={"certificates.printjob", "django_tasks_database.dbtaskresult"}
    ),
    "zip_certificates": lambda _course: records(new_in={"certificates.printjob", "django_tasks_database.dbtaskresult"}),
    "export_year_report": lambda _course: records(new_in={"reports.reportjob", "django_tasks_database.dbtaskresult"}),
    "revoke_certificates": revoked_and_reissued,
    # Unlocking removes the login's lockout counter (the access log, which names who unlocked, is volatile above).
    "unlock_selected": records,
}

# A recorded model's past version, made in the world before the matrix runs, differs from the record in these
# fields: reverting it would show in the record (an officer restoring a completed result is the issue-13 case).
PAST_VALUES = {
    "organizations.member": {"full_name": "Tên trước đây"},
    "organizations.appointment": {"term_label": "2015-2020"},
    "enrollments.enrollment": {"status": "completed", "grade": "excellent"},
    "enrollments.attendance": {"status": "absent"},
    "certificates.certificate": {"holder_name": "Tên in trước đây"},
    "courses.course": {"venue": "Hội trường cũ"},
    "oversight.inspectionplan": {"note": "Dự thảo"},
    "oversight.inspection": {"topics": "Nội dung trước đây"},
    "oversight.correction": {"text": "Yêu cầu trước đây"},
    "organizations.classauthorization": {"decision_number": "01-QĐ/ĐUK"},
}


def past_version(obj):
    """The version before the latest: the one that differs from the record."""
    return obj.history.order_by("-history_date", "-history_id")[1]


# -- The form a page renders ---------------------------------------------------------------------


class FormParser(HTMLParser):
    """The fields of each POST form of a page, as a browser would submit them unchanged: inputs with their
    values, checked boxes and radios, selected options (or a single select's first), textareas, and the first
    named submit button (the one Enter presses)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.form = None
        self.select = None
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = {"action": attrs.get("action") or "", "id": attrs.get("id"), "fields": [], "button": None}
            if (attrs.get("method") or "get").lower() == "post":
                self.forms.append(self.form)
            return
        if self.form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "image", "button"):
                if kind == "submit" and self.form["button"] is None:
                    self.form["button"] = (name, attrs.get("value") or "")
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.form["fields"].append((name, attrs.get("value") or "on"))
            elif kind != "file":
                self.form["fields"].append((name, attrs.get("value") or ""))
        elif tag == "button" and name and (attrs.get("type") or "submit") == "submit" and self.form["button"] is None:
            self.form["button"] = (name, attrs.get("value") or "")
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        elif self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "option" and self.option is not None:
            value = self.option["value"] if self.option["value"] is not None else self.option["text"].strip()
            if self.select["first"] is None:
                self.select["first"] = value
            if self.option["selected"]:
                self.select["chosen"].append(value)
            self.option = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]
            if self.form is not None:
                self.form["fields"] += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            if self.form is not None:
                # A browser drops the newline right after <textarea>.
                self.form["fields"].append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None


def page_form(html, url):
    """The data of the page's own POST form (not the header's logout form): the one posting back to the page
    with the most fields, as a dict of lists for the test client."""
    parser = FormParser()
    parser.feed(html)
    own = [form for form in parser.forms if form["action"] in ("", url) and form["id"] != "logout-form"]
    if not own:
        return {}
    form = max(own, key=lambda form: len(form["fields"]))
    fields = form["fields"] + ([form["button"]] if form["button"] else [])
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def rendered_form(client, url):
    # Whatever reading the page writes is not the post's: it is rolled back.
    with transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {}
    return page_form(response.content.decode(), url)


def center_form(world, url):
    """The center's form of the URL, parsed once: every test starts from the same world."""
    if url not in world.center_forms:
        world.center_forms[url] = rendered_form(world.clients["center_staff"], url)
    return world.center_forms[url]


# -- The cases -----------------------------------------------------------------------------------


def posted_endpoints():
    """Every admin page of a model, but the changelist (whose posts are its actions, below) and the alias of
    the change page."""
    return [
        endpoint
        for endpoint in endpoints()
        if endpoint.key.startswith("admin:") and endpoint.model_label and not endpoint.key.endswith("_changelist")
    ]


def sides(label):
    yield from ((persona, "a") for persona in PERSONAS)
    if OBJECTS.get(label, (None, None))[1] is not None:
        yield OUT_OF_SCOPE, "b"


def page_cases():
    for endpoint in posted_endpoints():
        for persona, side in sides(endpoint.object_model_label if endpoint.is_object_page else None):
            yield pytest.param(endpoint, persona, side, id=f"{endpoint.key}-{persona}")


def action_names(model):
    return [name for _function, name, _description in admin.site._registry[model]._get_base_actions()]


def action_cases():
    for model in admin.site._registry:
        label = model._meta.label_lower
        for name in action_names(model):
            for persona, side in sides(label):
                yield pytest.param(label, name, persona, side, id=f"{label}:{name}-{persona}")


def action_profile(label, name):
    if name == "delete_selected":
        app_label, model_name = label.split(".")
        return EXPECTED[f"admin:{app_label}_{model_name}_delete"]
    return ACTIONS[label][name]


@pytest.fixture(scope="module")
def post_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix's world, with a past version of each recorded object and a logged-in client per persona; each
    test runs in a savepoint inside it, so every test starts from the same database, snapshot once."""
    cache.clear()
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), EVALUATION_MIN_FORMS=1),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        world = matrix_world()
        # A certificate's PDF is stored when first read: stored here, reading it writes nothing.
        store_missing_pdfs(Certificate.objects.all())
        for label, values in PAST_VALUES.items():
            for name in filter(None, OBJECTS[label]):
                obj = getattr(world, name)
                obj.refresh_from_db()
                now = {attribute: getattr(obj, attribute) for attribute in values}
                for state in (values, now):
                    for attribute, value in state.items():
                        setattr(obj, attribute, value)
                    obj.save()
        world.clients = {persona: Client() for persona in PERSONAS}
        for persona, client in world.clients.items():
            if persona != "anonymous":
                client.force_login(getattr(world, persona))
        world.clients[OUT_OF_SCOPE] = world.clients["officer_a"]
        world.center_forms = {}
        yield SimpleNamespace(world=world, before=snapshot())
        transaction.set_rollback(True)


def assert_writes_only(allowed, before, what):
    written = [change for change in changes(before, snapshot()) if not allowed.permits(change, before)]
    assert not written, f"{what} wrote what it may not: " + "; ".join(
        f"{c.table} #{c.pk} {c.kind}" for c in sorted(written, key=str)
    )


def target_of(endpoint, world, side):
    if not endpoint.is_object_page:
        return None
    return getattr(world, OBJECTS[endpoint.object_model_label][0 if side == "a" else 1])


def page_effect(endpoint, obj):
    """What a persona who may use the page writes by posting its form."""
    if endpoint.key in EFFECTS:
        return EFFECTS[endpoint.key](obj)
    if endpoint.key.endswith("_change"):
        return records(obj)
    if endpoint.key.endswith("_delete"):
        return cascade(obj)
    if endpoint.key.endswith("_add"):
        return records(new_in={endpoint.model_label})
    return None


@pytest.mark.parametrize(("endpoint", "persona_name", "side"), page_cases())
def test_posting_a_page_writes_only_what_the_persona_may(endpoint, persona_name, side, post_world, db):
    """Each persona posts the form of each admin page: a persona the page refuses, or who only reads it, posts
    the center's form and writes nothing; a persona who may use it posts its own form and writes only the page's
    object."""
    world, before = post_world.world, post_world.before
    expected = EXPECTED[endpoint.key][persona_name]
    url = concrete_url(endpoint, world, side, version=past_version)
    client = world.clients[persona_name]
    may_write = expected == OK
    if may_write:
        allowed = page_effect(endpoint, target_of(endpoint, world, side))
        assert allowed is not None, f"{endpoint.key} writes for {persona_name}: declare what it writes in EFFECTS"
        form = rendered_form(client, url)
    else:
        allowed = NOTHING
        form = center_form(world, url)

    response = client.post(url, form)

    assert_writes_only(allowed, before, f"{persona_name} POST {url}")
    if expected.status != 200:
        assert response.status_code == expected.status, (
            f"{persona_name} POST {url}: {response.status_code}, expected {expected}"
        )


@pytest.mark.parametrize(("label", "action", "persona_name", "side"), action_cases())
def test_an_action_writes_only_what_the_persona_may(label, action, persona_name, side, post_world, db):
    """Each persona runs each changelist action, confirmed, on one selected object: only a persona with the
    action, on an object in its scope, writes, and only what the action is for."""
    world, before = post_world.world, post_world.before
    obj = getattr(world, OBJECTS[label][0 if side == "a" else 1])
    app_label, model_name = label.split(".")
    lister = "officer_a" if persona_name == OUT_OF_SCOPE else persona_name
    may_see_list = EXPECTED[f"admin:{app_label}_{model_name}_changelist"][lister] == OK
    may_run = may_see_list and action_profile(label, action)[persona_name] == OK
    if may_run:
        allowed = cascade(obj) if action == "delete_selected" else ACTION_EFFECTS[action](obj)
    else:
        allowed = NOTHING
    # The confirmation page's form (post=yes), as the action's own page renders it to whoever confirms.
    form = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk], "index": "0", "select_across": "0", "post": "yes"}

    world.clients[persona_name].post(reverse(f"admin:{app_label}_{model_name}_changelist"), form)

    assert_writes_only(allowed, before, f"{persona_name} action {action} on {label} #{obj.pk}")


def test_every_action_is_declared():
    """A new action fails until ACTIONS says who runs it and ACTION_EFFECTS what it writes."""
    for model in admin.site._registry:
        label = model._meta.label_lower
        for name in action_names(model):
            if name != "delete_selected":
                assert name in ACTIONS.get(label, {}), f"{label}: declare who runs action {name!r} in ACTIONS"
                assert name in ACTION_EFFECTS, f"declare what action {name!r} writes in ACTION_EFFECTS"


def test_every_recorded_model_has_a_past_version_to_revert():
    """Each model with history has a past version in the world that differs from the record."""
    recorded = {
        model._meta.label_lower
        for model in admin.site._registry
        if hasattr(model._meta, "simple_history_manager_attribute")
    }
    assert recorded == PAST_VALUES.keys()
