"""Admin lists cost a fixed number of queries whatever their length; search and the tree list read
the way the center's staff expect."""

import inspect
import re
import unicodedata

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.templatetags.static import static
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factory.django import DjangoModelFactory

from organizations import roles
from tests import factories

SMALL, LARGE = 5, 50


def factory_for(model):
    for _name, candidate in inspect.getmembers(factories, inspect.isclass):
        if issubclass(candidate, DjangoModelFactory) and candidate._meta.model is model:
            return candidate
    raise AssertionError(f"no factory for {model._meta.label}: add one to tests/factories.py")


@pytest.fixture
def superuser(world):
    return factories.UserFactory(username="quantri", is_staff=True, is_superuser=True)


def changelist(client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
# Each evaluation the factory makes is its class's only one: every form is listed when one form is enough.
@override_settings(EVALUATION_MIN_FORMS=1)
def test_changelist_costs_the_same_queries_for_5_and_50_rows(model, world, center_staff, superuser, client_for):
    """No admin list issues a query per row; the list shows every row (center staff see all)."""
    # The center's staff keep the project's data; logins and groups are the superuser's.
    user = center_staff if model._meta.app_label in roles.PROJECT_APPS else superuser
    client = client_for(user)
    factory = factory_for(model)
    rows = factory.create_batch(SMALL)
    changelist(client, model)  # fills per-process caches (content types, site) once
    response, small = changelist(client, model)
    rows += factory.create_batch(LARGE - SMALL)
    response, large = changelist(client, model)

    extra = sorted(set(large) - set(small))
    assert len(large) == len(small), "\n".join(["queries at 50 rows that are not at 5:", *extra])
    cl = response.context["cl"]
    assert cl.result_count == model._default_manager.count() >= LARGE
    assert len(cl.result_list) == cl.result_count
    page = response.content.decode()
    change_url = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
    assert all(reverse(change_url, args=[row.pk]) in page for row in rows)


# -- Search ignores diacritics -------------------------------------------------------------------


@pytest.fixture
def thien(world):
    factories.MemberFactory(full_name="Phạm Anh Tuấn", organization=world.cell_a)
    factories.MemberFactory(full_name="Phan Anh Thiện", organization=world.cell_a)
    return factories.MemberFactory(full_name="Phạm Anh Thiện", organization=world.cell_a)


@pytest.mark.parametrize(
    "term",
    [
        "pham anh thien",
        "Phạm Anh Thiện",
        "PHẠM ANH THIỆN",
        unicodedata.normalize("NFD", "Phạm Anh Thiện"),
        "  phạm   anh thiện ",
        "thiện phạm",
    ],
)
def test_member_search_finds_a_name_typed_with_or_without_diacritics(term, thien, center_staff, client_for):
    response = client_for(center_staff).get(reverse("admin:organizations_member_changelist"), {"q": term})
    assert list(response.context["cl"].result_list) == [thien]


def test_member_search_respects_the_officers_scope(world, officer_b, thien, client_for):
    response = client_for(officer_b).get(reverse("admin:organizations_member_changelist"), {"q": "pham anh thien"})
    assert list(response.context["cl"].result_list) == []


def test_member_search_terms_are_words_not_a_phrase(thien, center_staff, client_for):
    """Each word must match: 'pham thien' finds Phạm Anh Thiện but not Phạm Anh Tuấn or Phan Anh Thiện."""
    response = client_for(center_staff).get(reverse("admin:organizations_member_changelist"), {"q": "pham thien"})
    assert list(response.context["cl"].result_list) == [thien]


def test_member_list_is_in_vietnamese_roster_order(world, center_staff, client_for):
    """Given name first, in Vietnamese alphabetical order."""
    response = client_for(center_staff).get(reverse("admin:organizations_member_changelist"))
    names = [member.full_name for member in response.context["cl"].result_list]
    assert names == ["Võ Thanh Bình", "Lê Minh Châu", "Trần Văn Đức", "Nguyễn Thị Hà"]


# -- The tree list -------------------------------------------------------------------------------

ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
TREE_NAME = re.compile(
    r'class="field-tree_name".*?class="tree-node tree-depth-(\d+)".*?class="tree-label" href="[^"]*">([^<]*)<', re.S
)
MEMBER_COUNT = re.compile(r'class="field-member_count">(\d+)<')


def test_organization_list_renders_the_tree_indented_with_its_sub_trees_member_counts(world, center_staff, client_for):
    """Each row counts the members of its whole sub-tree, not only its own."""
    factories.MemberFactory.create_batch(3, organization=world.grassroots_b)
    response = client_for(center_staff).get(reverse("admin:organizations_organization_changelist"))
    page = response.content.decode()
    rows = []
    for row in ROW.findall(page[page.index("<tbody>") :]):
        depth, name = TREE_NAME.search(row).groups()
        rows.append((name, int(depth), int(MEMBER_COUNT.search(row).group(1))))
    assert rows == [
        ("Đảng bộ Khối Các cơ quan Trung ương", 1, 7),
        ("Đảng ủy Bộ Ngoại giao", 2, 2),
        ("Đảng bộ Vụ Tổng hợp Bộ Ngoại giao", 3, 2),
        ("Chi bộ Phòng Hành chính Bộ Ngoại giao", 4, 2),
        ("Đảng ủy Bộ Tư pháp", 2, 5),
        ("Đảng bộ Vụ Tổng hợp Bộ Tư pháp", 3, 5),
        ("Chi bộ Phòng Hành chính Bộ Tư pháp", 4, 2),
    ]
    # The depth classes indent through the site stylesheet, which the admin pages load.
    assert f'href="{static("css/site.css")}"' in page
    stylesheet = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert all(re.search(rf"\.tree-depth-{depth} \{{ padding-left: [1-9]", stylesheet) for depth in (2, 3, 4))


def test_organization_list_for_an_officer_starts_at_its_committee(world, officer_a, client_for):
    response = client_for(officer_a).get(reverse("admin:organizations_organization_changelist"))
    assert [org.name for org in response.context["cl"].result_list] == [
        "Đảng ủy Bộ Ngoại giao",
        "Đảng bộ Vụ Tổng hợp Bộ Ngoại giao",
        "Chi bộ Phòng Hành chính Bộ Ngoại giao",
    ]
