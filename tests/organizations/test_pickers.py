"""Pickers tell namesakes apart: the member picker shows each member's birth date and where they sit (cell › grassroots
› affiliated committee) and marks who is on the class a member is picked for; the organization picker shows the
parent. Both answer within the user's scope, in a fixed number of queries whatever the page of results holds."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from enrollments.models import Enrollment
from organizations.models import Organization
from tests import factories

MEMBER_PICKER = reverse("admin:organizations_member_autocomplete")
ORGANIZATION_PICKER = reverse("admin:organizations_organization_autocomplete")
FOR_ENROLLMENT = {"app_label": "enrollments", "model_name": "enrollment", "field_name": "member"}
FOR_MEMBER = {"app_label": "organizations", "model_name": "member", "field_name": "organization"}

PLACE_A = "Chi bộ Phòng Hành chính Bộ Ngoại giao › Đảng bộ Vụ Tổng hợp Bộ Ngoại giao › Đảng ủy Bộ Ngoại giao"
PLACE_B = "Chi bộ Phòng Hành chính Bộ Tư pháp › Đảng bộ Vụ Tổng hợp Bộ Tư pháp › Đảng ủy Bộ Tư pháp"


def results(client, url, params, **extra):
    response = client.get(url, {**params, **extra})
    assert response.status_code == 200
    return response.json()["results"]


@pytest.fixture
def namesakes(world):
    """Two Nguyễn Văn An: one in A's cell, born 1970; one in B's cell, born 1982."""
    return (
        factories.MemberFactory(full_name="Nguyễn Văn An", organization=world.cell_a, birth_date="1970-05-02"),
        factories.MemberFactory(full_name="Nguyễn Văn An", organization=world.cell_b, birth_date="1982-11-30"),
    )


def test_the_member_picker_shows_birth_date_and_place_of_each_namesake(namesakes, center_staff, client_for):
    in_a, in_b = namesakes
    found = results(client_for(center_staff), MEMBER_PICKER, FOR_ENROLLMENT, term="nguyen van an")

    assert found == [
        {
            "id": str(in_a.pk),
            "text": f"Nguyễn Văn An (02/05/1970) · {PLACE_A}",
            "birth_date": "02/05/1970",
            "organization_path": PLACE_A,
        },
        {
            "id": str(in_b.pk),
            "text": f"Nguyễn Văn An (30/11/1982) · {PLACE_B}",
            "birth_date": "30/11/1982",
            "organization_path": PLACE_B,
        },
    ]


def test_the_member_picker_answers_within_the_officer_s_scope(namesakes, officer_a, client_for):
    found = results(client_for(officer_a), MEMBER_PICKER, FOR_ENROLLMENT, term="nguyen van an")
    assert [row["id"] for row in found] == [str(namesakes[0].pk)]


def test_the_member_picker_marks_who_is_on_the_class_already(world, center_staff, client_for):
    """Nguyễn Thị Hà and Trần Văn Đức are on the root's class; Lê Minh Châu was, but withdrew."""
    factories.EnrollmentFactory(course=world.root_course, member=world.secretary_a, status=Enrollment.Status.WITHDRAWN)

    found = results(client_for(center_staff), MEMBER_PICKER, FOR_ENROLLMENT, course=world.root_course.pk)

    marked = {row["id"]: row["in_course"] for row in found}
    assert marked == {
        str(world.member_x.pk): True,
        str(world.member_y.pk): True,
        str(world.secretary_a.pk): False,
        str(world.secretary_b.pk): False,
    }
    texts = {row["id"]: row["text"] for row in found}
    assert texts[str(world.member_x.pk)].endswith("— đã có trong lớp")
    assert "đã có trong lớp" not in texts[str(world.secretary_a.pk)]


@pytest.mark.parametrize("course", ["", "abc", "-1", "99999999999999999999", "1; DROP TABLE"])
def test_a_picker_without_a_usable_class_marks_nobody(course, world, center_staff, client_for):
    found = results(client_for(center_staff), MEMBER_PICKER, FOR_ENROLLMENT, course=course)
    assert found and all("in_course" not in row for row in found)


def test_the_organization_picker_shows_the_parent(world, center_staff, client_for):
    found = results(client_for(center_staff), ORGANIZATION_PICKER, FOR_MEMBER, term="phong hanh chinh bo ngoai giao")

    assert found == [
        {
            "id": str(world.cell_a.pk),
            "text": "Chi bộ Phòng Hành chính Bộ Ngoại giao — thuộc "
            "Đảng bộ Vụ Tổng hợp Bộ Ngoại giao › Đảng ủy Bộ Ngoại giao",
            "parent": "Đảng bộ Vụ Tổng hợp Bộ Ngoại giao › Đảng ủy Bộ Ngoại giao",
        }
    ]
    committee = results(client_for(center_staff), ORGANIZATION_PICKER, FOR_MEMBER, term="dang uy bo tu phap")
    # An affiliated committee's parent is the bloc, which every organization is in: its name is enough.
    assert committee == [{"id": str(world.committee_b.pk), "text": "Đảng ủy Bộ Tư pháp", "parent": ""}]


def test_a_trainee_gets_no_picker(world, trainee_x, client_for):
    response = client_for(trainee_x).get(MEMBER_PICKER, {**FOR_ENROLLMENT, "term": "nguyen"})
    assert response.status_code == 302


def queries_of(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(response.json()["results"]), [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (MEMBER_PICKER, {**FOR_ENROLLMENT, "term": "tran"}),
        (ORGANIZATION_PICKER, {**FOR_MEMBER, "term": "chi bo tran"}),
    ],
    ids=["member", "organization"],
)
def test_a_picker_costs_the_same_queries_for_2_and_10_results(url, params, world, center_staff, client_for):
    client = client_for(center_staff)
    params = {**params, "course": world.root_course.pk}

    def add(count):
        for _index in range(count):
            if url == MEMBER_PICKER:
                cell = factories.OrganizationFactory(parent=world.grassroots_a, name="Chi bộ mới")
                factories.MemberFactory(full_name="Trần Thị Lan", organization=cell)
            else:
                factories.OrganizationFactory(parent=world.grassroots_b, name="Chi bộ Trần Phú")

    add(2)
    queries_of(client, url, params)
    count, small = queries_of(client, url, params)
    add(8)
    more, large = queries_of(client, url, params)

    assert more == count + 8
    assert len(large) == len(small), "\n".join(sorted(set(large) - set(small)))


def test_the_nomination_form_s_member_picker_asks_the_described_picker(world, center_staff, client_for):
    """The nomination form's member box asks the member admin's own autocomplete, and the page loads the script that
    forwards the chosen class to it."""
    page = client_for(center_staff).get(reverse("admin:enrollments_enrollment_add")).content.decode()

    member_select = re.search(r'<select[^>]*name="member"[^>]*>', page).group(0)
    assert f'data-ajax--url="{MEMBER_PICKER}"' in member_select
    assert "js/picker_course.js" in page


def test_the_member_form_s_organization_picker_asks_the_described_picker(world, center_staff, client_for):
    page = client_for(center_staff).get(reverse("admin:organizations_member_add")).content.decode()

    organization_select = re.search(r'<select[^>]*name="organization"[^>]*>', page).group(0)
    assert f'data-ajax--url="{ORGANIZATION_PICKER}"' in organization_select


# -- The place label, as a rule over any tree --------------------------------------------------------------------

# A chain of names below the bloc: each the parent of the next, the last the organization asked about.
CHAINS = st.lists(st.text(alphabet="ABCĐabcđ áờ", min_size=1, max_size=12).map(str.strip).filter(bool), max_size=5)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(chains=st.lists(CHAINS, min_size=1, max_size=3))
def test_a_place_names_the_organization_then_each_parent_below_the_bloc(chains):
    """Whatever the tree, an organization's place is its own name, then each parent's up to (not with) the bloc;
    the bloc's own place is empty. One query for any number of organizations."""
    bloc = factories.OrganizationFactory(name="Đảng bộ Khối")
    expected = {bloc.path: ""}
    for chain in chains:
        parent, names = bloc, []
        for name in chain:
            parent = factories.OrganizationFactory(parent=parent, name=name)
            names.insert(0, parent.name)  # as saved: normalized
            expected[parent.path] = " › ".join(names)

    with CaptureQueriesContext(connection) as queries:
        labels = Organization.objects.upward_labels(set(expected))

    assert labels == expected
    assert len(queries) <= 1
    Organization.objects.filter(path__startswith=bloc.path).delete()
