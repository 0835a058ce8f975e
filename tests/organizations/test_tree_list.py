"""The organization list shows the tree: each row counts the members of its whole sub-tree (one query for the page),
rows with rows below them carry a branch button, and the tree's bookkeeping columns and filters are gone."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from organizations.models import Member, Organization
from tests import factories

CHANGELIST = "admin:organizations_organization_changelist"
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
NAME = re.compile(r'class="tree-label" href="[^"]*">([^<]*)<')
COUNT = re.compile(r'class="field-member_count">(\d+)<')


def listed_counts(response):
    page = response.content.decode()
    rows = ROW.findall(page[page.index("<tbody>") :])
    return {NAME.search(row).group(1): int(COUNT.search(row).group(1)) for row in rows}


@st.composite
def trees(draw):
    """A random tree as each node's parent (an earlier node; node 0 is the root), each node's own members, and the
    nodes whose counts are asked for (a page of the list, or a filtered one)."""
    size = draw(st.integers(min_value=1, max_value=12))
    parents = [None] + [draw(st.integers(min_value=0, max_value=node - 1)) for node in range(1, size)]
    members = draw(st.lists(st.integers(min_value=0, max_value=3), min_size=size, max_size=size))
    asked = draw(st.sets(st.integers(min_value=0, max_value=size - 1)))
    return parents, members, asked


@pytest.mark.django_db
@settings(max_examples=20, deadline=None)
@given(trees())
def test_each_organization_counts_the_members_of_its_whole_sub_tree(tree):
    """Whatever the tree's shape, a node's count is its own members plus those of every node below it."""
    with transaction.atomic():  # each example starts from an empty database
        _check_subtree_counts(*tree)
        transaction.set_rollback(True)


def _check_subtree_counts(parents, members, asked):
    nodes = []
    for parent in parents:
        nodes.append(factories.OrganizationFactory(parent=None if parent is None else nodes[parent]))
    for node, count in zip(nodes, members, strict=True):
        factories.MemberFactory.create_batch(count, organization=node)
    # The expected figures walk the parent links, not the paths the query reads.
    expected = list(members)
    for node in reversed(range(1, len(parents))):
        expected[parents[node]] += expected[node]

    counted = Member.objects.count_by_subtree(nodes[node].path for node in asked)
    assert counted == {nodes[node].path: expected[node] for node in asked}


def test_an_officer_sees_the_counts_of_their_sub_tree_only(world, officer_a, client_for):
    factories.MemberFactory.create_batch(4, organization=world.cell_b)
    factories.MemberFactory(organization=world.grassroots_a)
    response = client_for(officer_a).get(reverse(CHANGELIST))
    assert listed_counts(response) == {
        "Đảng ủy Bộ Ngoại giao": 3,
        "Đảng bộ Vụ Tổng hợp Bộ Ngoại giao": 3,
        "Chi bộ Phòng Hành chính Bộ Ngoại giao": 2,
    }


def test_the_trees_bookkeeping_is_neither_a_column_nor_a_filter(world, center_staff, client_for):
    response = client_for(center_staff).get(reverse(CHANGELIST))
    page = response.content.decode()
    cl = response.context["cl"]
    assert "numchild" not in cl.list_display
    assert [spec.title for spec in cl.filter_specs] == ["loại", "được tự mở lớp"]
    for internal in ("numchild", "NUMCHILD", "depth__", "Bởi depth", "By depth"):
        assert internal not in page, internal
    # A filter on the list's own columns still works, and a row's link keeps it for the way back to the list.
    response = client_for(center_staff).get(reverse(CHANGELIST), {"kind__exact": Organization.Kind.CELL})
    assert listed_counts(response) == {world.cell_a.name: 2, world.cell_b.name: 2}
    change_url = reverse("admin:organizations_organization_change", args=[world.cell_a.pk])
    assert f'href="{change_url}?_changelist_filters=kind__exact%3Dcell"' in response.content.decode()


def test_rows_with_organizations_below_carry_a_branch_button(world, center_staff, client_for):
    """The button starts hidden and open; the page's script shows it when the branch has rows on the page."""
    page = client_for(center_staff).get(reverse(CHANGELIST)).content.decode()
    rows = ROW.findall(page[page.index("<tbody>") :])
    with_button = [NAME.search(row).group(1) for row in rows if 'class="tree-toggle"' in row]
    assert with_button == [world.root.name, world.committee_a.name, world.grassroots_a.name] + [
        world.committee_b.name,
        world.grassroots_b.name,
    ]
    assert '<button type="button" class="tree-toggle" aria-expanded="true" hidden>' in page
    assert f"Các tổ chức trực thuộc {world.committee_a.name}" in page
    assert "js/organization_tree.js" in page


def _grow(world, committees):
    """Adds committees, each with a grassroots committee and a cell holding two members."""
    for _ in range(committees):
        committee = factories.OrganizationFactory(parent=world.root, kind=Organization.Kind.AFFILIATED_COMMITTEE)
        grassroots = factories.OrganizationFactory(parent=committee, kind=Organization.Kind.GRASSROOTS_COMMITTEE)
        cell = factories.OrganizationFactory(parent=grassroots)
        factories.MemberFactory.create_batch(2, organization=cell)
        factories.MemberFactory(organization=grassroots)


def _listed(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def test_the_sub_tree_counts_cost_the_same_queries_for_a_small_and_a_large_tree(world, center_staff, client_for):
    client = client_for(center_staff)
    _grow(world, 2)
    _listed(client)  # fills per-process caches (content types) once
    response, small = _listed(client)
    assert listed_counts(response)[world.root.name] == 4 + 2 * 3
    _grow(world, 20)
    response, large = _listed(client)
    assert large == small
    counts = listed_counts(response)
    assert len(counts) == 7 + 22 * 3
    assert counts[world.root.name] == 4 + 22 * 3
