"""The organization admin places new nodes in the tree, moves them, and refuses a second root."""

from django.urls import reverse

from organizations.models import Organization


def form_data(parent, **fields):
    data = {
        "parent": parent.pk if parent else "",
        "kind": Organization.Kind.CELL,
        "code": "CB-MOI",
        "name": "Chi bộ Mới",
    }
    data.update(fields)
    return data


def test_center_staff_adds_a_cell_under_a_grassroots_committee(world, center_staff, client_for):
    response = client_for(center_staff).post(
        reverse("admin:organizations_organization_add"), form_data(world.grassroots_a, name="Chi bộ  Phòng Tài vụ")
    )
    assert response.status_code == 302
    cell = Organization.objects.get(code="CB-MOI")
    assert Organization.objects.get_parent(cell) == world.grassroots_a
    assert cell.depth == world.grassroots_a.depth + 1
    assert cell.name == "Chi bộ Phòng Tài vụ"
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_changing_the_parent_moves_the_node_with_its_subtree(world, center_staff, client_for):
    url = reverse("admin:organizations_organization_change", args=[world.grassroots_a.pk])
    data = form_data(
        world.committee_b, kind=world.grassroots_a.kind, code=world.grassroots_a.code, name=world.grassroots_a.name
    )
    assert client_for(center_staff).post(url, data).status_code == 302
    world.cell_a.refresh_from_db()
    assert world.cell_a.path.startswith(world.committee_b.path)
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_a_second_bloc_root_is_refused_and_the_typed_values_are_kept(world, center_staff, client_for):
    response = client_for(center_staff).post(
        reverse("admin:organizations_organization_add"), form_data(None, name="Đảng bộ Khối Thứ Hai")
    )
    assert response.status_code == 200
    assert "Đã có Đảng bộ Khối; hãy chọn tổ chức cấp trên." in response.content.decode()
    assert "Đảng bộ Khối Thứ Hai" in response.content.decode()
    assert not Organization.objects.filter(code="CB-MOI").exists()


def test_an_officer_cannot_place_a_node_outside_its_subtree(world, officer_a, client_for):
    """Officers have no add right on the tree; even the form's parent choices stop at their sub-tree."""
    response = client_for(officer_a).post(reverse("admin:organizations_organization_add"), form_data(world.cell_b))
    assert response.status_code == 403
    assert not Organization.objects.filter(code="CB-MOI").exists()
