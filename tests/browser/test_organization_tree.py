"""The organization list in the browser: a branch button collapses and expands its sub-tree's rows, and a long name
that wraps keeps its indent on every line."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAME = (
    "Chi bộ Phòng Hành chính, Quản trị, Tổng hợp và Công nghệ thông tin thuộc Văn phòng Bộ Ngoại giao "
    "nhiệm kỳ 2020 - 2025"
)


def row(page, organization):
    return page.locator("#result_list tbody tr", has=page.locator(f'.tree-node[data-path="{organization.path}"]'))


def toggle(page, organization):
    return row(page, organization).locator(".tree-toggle")


def test_a_branch_collapses_and_expands_and_keeps_the_branches_closed_inside_it(world, page, log_in):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.on("pageerror", lambda error: violations.append(str(error)))
    log_in(page, world.center_staff, reverse("admin:login"))
    page.goto(reverse("admin:organizations_organization_changelist"))

    committee = toggle(page, world.committee_a)
    expect(committee).to_be_visible()
    expect(committee).to_have_attribute("aria-expanded", "true")
    expect(committee).to_have_accessible_name(f"Các tổ chức trực thuộc {world.committee_a.name}")
    expect(toggle(page, world.cell_a)).to_have_count(0)  # a cell has nothing below it

    committee.click()
    expect(committee).to_have_attribute("aria-expanded", "false")
    expect(row(page, world.grassroots_a)).to_be_hidden()
    expect(row(page, world.cell_a)).to_be_hidden()
    expect(row(page, world.committee_a)).to_be_visible()
    expect(row(page, world.committee_b)).to_be_visible()
    expect(row(page, world.cell_b)).to_be_visible()

    committee.click()
    expect(committee).to_have_attribute("aria-expanded", "true")
    expect(row(page, world.grassroots_a)).to_be_visible()
    expect(row(page, world.cell_a)).to_be_visible()

    # A branch closed inside a closed branch stays closed when the outer one opens again; the keyboard works too.
    toggle(page, world.grassroots_a).click()
    expect(row(page, world.cell_a)).to_be_hidden()
    committee.focus()
    page.keyboard.press("Enter")
    expect(row(page, world.grassroots_a)).to_be_hidden()
    page.keyboard.press("Space")
    expect(row(page, world.grassroots_a)).to_be_visible()
    expect(row(page, world.cell_a)).to_be_hidden()
    toggle(page, world.grassroots_a).click()
    expect(row(page, world.cell_a)).to_be_visible()

    # The whole tree folds to its root and opens again at once.
    page.get_by_role("button", name="Thu gọn tất cả").click()
    expect(page.locator("#result_list tbody tr:visible")).to_have_count(1)
    expect(row(page, world.root)).to_be_visible()
    expect(page.locator(".tree-toggle[aria-expanded='true']")).to_have_count(0)
    toggle(page, world.root).click()
    expect(page.locator("#result_list tbody tr:visible")).to_have_count(3)  # the root and its two committees
    page.get_by_role("button", name="Mở rộng tất cả").click()
    expect(page.locator("#result_list tbody tr:visible")).to_have_count(7)

    assert violations == []


def test_a_wrapped_long_name_keeps_its_indent_on_every_line(world, new_page, log_in):
    world.cell_a.name = LONG_NAME
    world.cell_a.save()
    page = new_page(viewport={"width": 700, "height": 900})
    log_in(page, world.center_staff, reverse("admin:login"))
    page.goto(reverse("admin:organizations_organization_changelist"))

    def line_starts(organization):
        label = row(page, organization).locator(".tree-label")
        return label.evaluate(
            """label => {
                const range = document.createRange();
                range.selectNodeContents(label);
                return Array.from(range.getClientRects(), rect => Math.round(rect.left));
            }"""
        )

    lines = line_starts(world.cell_a)
    assert len(set(lines)) == 1 and len(lines) >= 2, lines  # it wraps, each line where the first starts
    # and deeper than its parent's name, whose row has a button where the cell's has none.
    assert lines[0] > line_starts(world.grassroots_a)[0] > line_starts(world.committee_a)[0]
