"""The one access mechanism: for_user() on every scoped model, and the admin's use of it in lists,
choices, autocomplete, form validation and history pages."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from enrollments.models import Attendance
from organizations import roles
from organizations.access import scope_of
from organizations.models import Member, Organization
from tests import factories
from tests.conftest import PERSONAS

EVERYTHING = "every row"

# What each persona sees of each scoped model, as attributes of the `world` fixture. Personas not
# listed for a model see nothing of it; center staff (and superusers) see everything.
VISIBLE = {
    "organizations.organization": {
        "officer_a": ["committee_a", "grassroots_a", "cell_a"],
        "officer_b": ["committee_b", "grassroots_b", "cell_b"],
    },
    "organizations.member": {
        "officer_a": ["member_x", "secretary_a"],
        "officer_b": ["member_y", "secretary_b"],
        "trainee_x": ["member_x"],
        "trainee_y": ["member_y"],
    },
    "organizations.appointment": {
        "officer_a": ["appointment_a", "appointment_x"],
        "officer_b": ["appointment_b"],
        "trainee_x": ["appointment_x"],
    },
    "organizations.officer": {
        "officer_a": ["officer_record_a"],
        "officer_b": ["officer_record_b"],
    },
    # An upload belongs to the uploader's organization (and is shown only to the uploader: organizations/uploads.py).
    "organizations.importrecord": {"officer_a": ["upload_a"], "officer_b": ["upload_b"]},
    "courses.program": {"officer_a": EVERYTHING, "officer_b": EVERYTHING},
    "courses.topic": {"officer_a": EVERYTHING, "officer_b": EVERYTHING},
    "courses.lecturer": {"officer_a": EVERYTHING, "officer_b": EVERYTHING},
    # The root's courses are every committee's; a committee's own are not its sibling's.
    "courses.course": {
        "officer_a": ["root_course", "course_a"],
        "officer_b": ["root_course", "course_b"],
        "trainee_x": ["root_course", "course_a"],
        "trainee_y": ["root_course"],
    },
    "courses.session": {
        "officer_a": ["root_session", "session_a"],
        "officer_b": ["root_session", "session_b"],
        "trainee_x": ["root_session", "session_a"],
        "trainee_y": ["root_session"],
    },
    # A committee sees its own members' enrollments anywhere, and everyone in the courses it runs.
    "enrollments.enrollment": {
        "officer_a": ["enrollment_x", "enrollment_a", "enrollment_x_in_a"],
        "officer_b": ["enrollment_y", "enrollment_b"],
        "trainee_x": ["enrollment_x", "enrollment_x_in_a"],
        "trainee_y": ["enrollment_y"],
    },
    "enrollments.attendance": {
        "officer_a": ["attendance_x", "attendance_a"],
        "officer_b": ["attendance_y", "attendance_b"],
        "trainee_x": ["attendance_x"],
        "trainee_y": ["attendance_y"],
    },
    "enrollments.seatquota": {"officer_a": ["quota_a"], "officer_b": ["quota_b"]},
    "enrollments.evaluation": {
        "officer_a": ["evaluation_x"],
        "officer_b": ["evaluation_y"],
        "trainee_x": ["evaluation_x"],
        "trainee_y": ["evaluation_y"],
    },
    # Certificates follow their enrollment; issuers and print jobs belong to the organizer's side.
    "certificates.certificate": {
        "officer_a": ["certificate_a"],
        "officer_b": ["certificate_b"],
        "trainee_x": ["certificate_a"],
    },
    "certificates.issuerprofile": {"officer_a": ["issuer_a"], "officer_b": ["issuer_b"]},
    "certificates.printjob": {"officer_a": ["print_job_a"], "officer_b": ["print_job_b"]},
    # A report job's file holds what its requester may see: only the requester (and the center) reads it.
    "reports.reportjob": {"officer_a": ["report_job_a"], "officer_b": ["report_job_b"]},
    # A committee reads the center's decisions about itself.
    "organizations.classauthorization": {"officer_a": ["authorization_a"], "officer_b": ["authorization_b"]},
    # A committee sees its own inspections (and the plan through them), the corrections it is responsible for and
    # their reports.
    "oversight.inspectionplan": {"officer_a": ["inspection_plan"], "officer_b": ["inspection_plan"]},
    "oversight.inspection": {"officer_a": ["inspection_a"], "officer_b": ["inspection_b"]},
    "oversight.finding": {"officer_a": ["finding_a"], "officer_b": ["finding_b"]},
    "oversight.correction": {"officer_a": ["correction_a"], "officer_b": ["correction_b"]},
    "oversight.correctionreport": {"officer_a": ["correction_report_a"], "officer_b": ["correction_report_b"]},
}
# The inspector reads the whole tree as the center does (and is not the center: organizations/permissions.py).
SEES_EVERYTHING = ["center_staff", "inspector", "superuser"]
SEES_NOTHING = ["anonymous", "staff_without_officer", "inactive_officer"]


def scoped_models():
    return sorted(
        model._meta.label_lower for model in apps.get_models() if hasattr(model._default_manager.all(), "for_user")
    )


@pytest.fixture
def superuser(world):
    return factories.UserFactory(username="quantri", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_without_officer(world):
    """A staff login in the officer group that nobody attached to an organization."""
    return factories.UserFactory(username="canbo.chuagan", is_staff=True, groups=[roles.OFFICER])


@pytest.fixture
def inactive_officer(world):
    """Officer A's colleague whose login was disabled."""
    user = factories.UserFactory(username="canbo.a.nghi", is_staff=True, is_active=False, groups=[roles.OFFICER])
    factories.OfficerFactory(user=user, organization=world.committee_a)
    return user


def test_every_scoped_model_has_declared_visibility():
    """A new scoped model fails here until its visibility per persona is declared."""
    assert scoped_models() == sorted(VISIBLE)


@pytest.mark.parametrize("label", sorted(VISIBLE))
@pytest.mark.parametrize("persona_name", [*PERSONAS, "superuser", "staff_without_officer", "inactive_officer"])
def test_for_user_returns_exactly_what_the_persona_may_see(label, persona_name, world, request):
    """Officers see their sub-tree (and the root's courses), trainees their own rows, others nothing."""
    model = apps.get_model(label)
    user = request.getfixturevalue(persona_name)
    seen = set(model._default_manager.all().for_user(user))
    if persona_name in SEES_EVERYTHING:
        expected = set(model._default_manager.all())
    elif persona_name in SEES_NOTHING:
        expected = set()
    else:
        names = VISIBLE[label].get(persona_name, [])
        expected = set(model._default_manager.all()) if names == EVERYTHING else {getattr(world, n) for n in names}
    assert seen == expected
    assert model._default_manager.all().for_user(user).count() == len(expected), "rows are repeated"


def test_for_user_never_lets_an_officer_see_a_sibling_whose_path_shares_its_prefix(world, officer_a):
    """Sub-tree matching is by whole path steps: committee A's children are not B's, at any depth."""
    deep = world.cell_a
    for depth in range(3):
        deep = factories.OrganizationFactory(parent=deep, name=f"Tổ đảng cấp {depth}")
    stranger = factories.MemberFactory(full_name="Phạm Văn Lạ", organization=world.cell_b)
    deep_member = factories.MemberFactory(organization=deep)
    visible = set(Member.objects.for_user(officer_a))
    assert deep_member in visible
    assert stranger not in visible


# -- The admin's lists, choices and autocomplete ------------------------------------------------


def autocomplete(client, model_name, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "organizations", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


def test_member_autocomplete_for_officer_a_never_returns_b_members(world, officer_a, client_for):
    """Picking a post holder offers A's members only, with or without a search term."""
    client = client_for(officer_a)
    assert autocomplete(client, "appointment", "member") == {world.member_x.pk, world.secretary_a.pk}
    assert autocomplete(client, "appointment", "member", "Trần Văn Đức") == set()
    assert autocomplete(client, "appointment", "member", "tran van duc") == set()
    assert autocomplete(client, "appointment", "member", "nguyen thi ha") == {world.member_x.pk}


def test_organization_autocomplete_for_officer_a_offers_only_its_sub_tree(world, officer_a, client_for):
    client = client_for(officer_a)
    expected = {world.committee_a.pk, world.grassroots_a.pk, world.cell_a.pk}
    assert autocomplete(client, "member", "organization") == expected
    assert autocomplete(client, "member", "organization", "Bộ Tư pháp") == set()


def test_center_staff_autocomplete_finds_both_sides(world, center_staff, client_for):
    results = autocomplete(client_for(center_staff), "appointment", "member", "duc")
    assert results == {world.member_y.pk}


def admin_forms(request):
    """Every admin add form and every inline's form, as (where, form) pairs."""
    for model, model_admin in admin.site._registry.items():
        yield f"{model._meta.label} form", model_admin.get_form(request, None)()
        for inline in model_admin.get_inline_instances(request, None):
            formset = inline.get_formset(request, None)(instance=model())
            yield f"{model._meta.label} inline {inline.model._meta.label}", formset.empty_form


def test_every_admin_choice_of_a_scoped_model_is_scoped(world, officer_a, rf):
    """Each foreign-key choice in each admin form and inline offers at most what for_user() allows."""
    request = rf.get("/admin/")
    request.user = officer_a
    leaks = []
    for where, form in admin_forms(request):
        for name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            # A formset's hidden pk field only matches rows of the formset's own (scoped) queryset.
            if queryset is None or not hasattr(queryset, "for_user") or name == form._meta.model._meta.pk.name:
                continue
            outside = set(queryset) - set(queryset.model._default_manager.all().for_user(officer_a))
            if outside:
                leaks.append(f"{where}: {name} offers {sorted(map(str, outside))}")
    assert leaks == [], "\n".join(leaks)


def test_member_change_form_offers_officer_a_only_its_organizations(world, officer_a, client_for):
    response = client_for(officer_a).get(reverse("admin:organizations_member_change", args=[world.member_x.pk]))
    assert response.status_code == 200
    choices = set(response.context["adminform"].form.fields["organization"].queryset)
    assert choices == {world.committee_a, world.grassroots_a, world.cell_a}


def test_member_changelist_lists_only_the_officers_sub_tree(world, officer_a, client_for):
    response = client_for(officer_a).get(reverse("admin:organizations_member_changelist"))
    assert set(response.context["cl"].result_list) == {world.member_x, world.secretary_a}
    assert "Trần Văn Đức" not in response.content.decode()


def test_course_page_shows_an_officer_only_its_own_trainees(world, officer_a, client_for):
    """On the root's course, officer A reads its trainee's enrollment but not B's."""
    response = client_for(officer_a).get(reverse("admin:courses_course_change", args=[world.root_course.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nguyễn Thị Hà" in page
    assert "Trần Văn Đức" not in page


# -- Writes are refused outside the sub-tree ---------------------------------------------------


def member_form(organization, **extra):
    return {
        "full_name": "Hoàng Thị Hạnh",
        "birth_date": "12/05/1980",
        "gender": "female",
        "organization": organization.pk,
        "workplace": "Vụ Hợp tác quốc tế",
        "job_title": "Chuyên viên chính",
        "email": "",
        "phone": "",
        "appointments-TOTAL_FORMS": "0",
        "appointments-INITIAL_FORMS": "0",
        "appointments-MIN_NUM_FORMS": "0",
        "appointments-MAX_NUM_FORMS": "1000",
        **extra,
    }


def test_officer_a_adds_a_member_to_its_own_cell(world, officer_a, client_for):
    response = client_for(officer_a).post(reverse("admin:organizations_member_add"), member_form(world.cell_a))
    assert response.status_code == 302
    assert Member.objects.get(full_name="Hoàng Thị Hạnh").organization == world.cell_a


def test_officer_a_cannot_add_a_member_to_bs_organization(world, officer_a, client_for):
    """The organization is refused with a form error; nothing is saved."""
    response = client_for(officer_a).post(reverse("admin:organizations_member_add"), member_form(world.cell_b))
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert not Member.objects.filter(full_name="Hoàng Thị Hạnh").exists()


def test_officer_a_cannot_move_its_member_into_b(world, officer_a, client_for):
    url = reverse("admin:organizations_member_change", args=[world.secretary_a.pk])
    data = member_form(world.cell_b, full_name=world.secretary_a.full_name)
    data.update(
        {
            "appointments-TOTAL_FORMS": "1",
            "appointments-INITIAL_FORMS": "1",
            "appointments-0-id": world.appointment_a.pk,
            "appointments-0-member": world.secretary_a.pk,
            "appointments-0-organization": world.cell_a.pk,
            "appointments-0-post": "secretary",
            "appointments-0-term_label": "2020–2025",
            "appointments-0-start_date": "01/09/2020",
            "appointments-0-requires_training": "on",
            "appointments-0-is_current": "on",
        }
    )
    response = client_for(officer_a).post(url, data)
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.organization == world.cell_a


def test_officer_a_cannot_give_its_member_a_post_in_b_through_the_member_page(world, officer_a, client_for):
    """The posts inline on the member page is scoped like the member's own organization field."""
    url = reverse("admin:organizations_member_change", args=[world.member_x.pk])
    data = member_form(world.cell_a, full_name=world.member_x.full_name)
    data.update(
        {
            "appointments-TOTAL_FORMS": "2",
            "appointments-INITIAL_FORMS": "1",
            "appointments-0-id": world.appointment_x.pk,
            "appointments-0-member": world.member_x.pk,
            "appointments-0-organization": world.cell_a.pk,
            "appointments-0-post": "committee_member",
            "appointments-0-term_label": "2020–2025",
            "appointments-0-start_date": "01/09/2020",
            "appointments-0-requires_training": "on",
            "appointments-0-is_current": "on",
            "appointments-1-member": world.member_x.pk,
            "appointments-1-organization": world.cell_b.pk,
            "appointments-1-post": "secretary",
            "appointments-1-term_label": "2020–2025",
            "appointments-1-start_date": "01/09/2020",
            "appointments-1-requires_training": "on",
            "appointments-1-is_current": "on",
        }
    )
    response = client_for(officer_a).post(url, data)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[1].keys() == {"organization"}
    assert not world.member_x.appointments.filter(organization=world.cell_b).exists()


def test_officer_a_cannot_appoint_bs_member(world, officer_a, client_for):
    data = {
        "member": world.member_y.pk,
        "organization": world.cell_a.pk,
        "post": "secretary",
        "term_label": "2020–2025",
        "start_date": "01/09/2020",
        "requires_training": "on",
        "is_current": "on",
    }
    response = client_for(officer_a).post(reverse("admin:organizations_appointment_add"), data)
    assert response.status_code == 200
    assert "member" in response.context["adminform"].form.errors
    assert not world.member_y.appointments.exists()


def test_officer_a_cannot_post_to_bs_member_page(world, officer_a, client_for):
    url = reverse("admin:organizations_member_change", args=[world.member_y.pk])
    response = client_for(officer_a).post(url, member_form(world.cell_a, full_name="Đã bị sửa"))
    assert response.status_code == 404
    world.member_y.refresh_from_db()
    assert world.member_y.full_name == "Trần Văn Đức"


def test_an_officers_edit_is_recorded_in_history_with_its_login(world, officer_a, client_for):
    url = reverse("admin:organizations_member_change", args=[world.secretary_a.pk])
    data = member_form(world.cell_a, full_name="Lê Minh Châu", job_title="Bí thư chi bộ")
    data.update(
        {
            "appointments-TOTAL_FORMS": "1",
            "appointments-INITIAL_FORMS": "1",
            "appointments-0-id": world.appointment_a.pk,
            "appointments-0-member": world.secretary_a.pk,
            "appointments-0-organization": world.cell_a.pk,
            "appointments-0-post": "secretary",
            "appointments-0-term_label": "2020–2025",
            "appointments-0-start_date": "01/09/2020",
            "appointments-0-requires_training": "on",
            "appointments-0-is_current": "on",
        }
    )
    response = client_for(officer_a).post(url, data)
    assert response.status_code == 302
    latest = world.secretary_a.history.latest("history_date")
    assert (latest.job_title, latest.history_type, latest.history_user) == ("Bí thư chi bộ", "~", officer_a)


# -- History pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_name", "attribute"),
    [("member", "member_y"), ("appointment", "appointment_b"), ("organization", "committee_b")],
)
def test_history_of_a_b_object_is_404_for_officer_a(model_name, attribute, world, officer_a, client_for):
    obj = getattr(world, attribute)
    url = reverse(f"admin:organizations_{model_name}_history", args=[obj.pk])
    assert client_for(officer_a).get(url).status_code == 404


@pytest.mark.parametrize(
    ("url_name", "attribute"),
    [
        ("admin:organizations_member_simple_history", "member_y"),
        ("admin:organizations_appointment_simple_history", "appointment_b"),
        ("admin:enrollments_enrollment_simple_history", "enrollment_y"),
        ("admin:enrollments_attendance_simple_history", "attendance_y"),
    ],
)
def test_history_form_of_a_b_object_is_404_for_officer_a(url_name, attribute, world, officer_a, client_for):
    """The past version of B's object is not shown, nor can it be reverted by A."""
    obj = getattr(world, attribute)
    version = obj.history.latest("history_date")
    url = reverse(url_name, args=[obj.pk, version.history_id])
    client = client_for(officer_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_history_of_a_deleted_b_member_stays_hidden_from_officer_a(world, officer_a, client_for):
    """Once the object is gone, its history is not a way around the scope."""
    member = factories.MemberFactory(full_name="Đặng Thu Giang", organization=world.cell_b)
    member_pk = member.pk
    member.delete()
    assert client_for(officer_a).get(reverse("admin:organizations_member_history", args=[member_pk])).status_code == 404


def test_an_officer_who_may_only_read_attendance_cannot_revert_it(world, officer_a, client_for):
    """Reverting from the history form is a change: a read-only officer gets 403 and nothing moves."""
    attendance = world.attendance_x
    original = attendance.history.earliest("history_date")
    attendance.status = Attendance.Status.ABSENT
    attendance.save()
    url = reverse("admin:enrollments_attendance_simple_history", args=[attendance.pk, original.history_id])
    client = client_for(officer_a)
    assert client.get(url).status_code == 200
    revert = {"enrollment": attendance.enrollment_id, "session": attendance.session_id, "status": "present"}
    assert client.post(url, revert).status_code == 403
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.ABSENT


def test_anonymous_and_trainees_get_no_scope(world, trainee_x):
    """A trainee's login is not a staff scope, and anonymous has no scope at all."""
    assert not scope_of(AnonymousUser()).is_staff_scope
    assert scope_of(trainee_x).member_id == world.member_x.pk
    assert not scope_of(trainee_x).is_staff_scope


def test_an_officer_of_the_root_sees_organizations_added_later(world, center_staff):
    later = factories.OrganizationFactory(
        parent=world.committee_b, kind=Organization.Kind.GRASSROOTS_CELL, name="Chi bộ cơ sở mới thành lập"
    )
    assert later in Organization.objects.for_user(center_staff)
