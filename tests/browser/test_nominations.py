"""An officer of committee A nominates a member of A's sub-tree in the admin, then meets A's quota."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollments.models import Enrollment
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def course(world):
    """A class of the center open for nomination for another week, with one seat for committee A."""
    return factories.open_course(world, seats={world.committee_a: 1})


@pytest.fixture
def newcomer(world):
    """A member of A's cell who holds no post yet."""
    return factories.MemberFactory(
        full_name="Phạm Anh Thiện", birth_date=datetime.date(1985, 7, 12), organization=world.cell_a
    )


def choose_member(page, typed, member):
    """Pick a member in the admin's autocomplete (select2) by typing part of the name."""
    shown = str(member)  # the name and birth date
    page.locator("#id_member + .select2").click()
    page.locator(".select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=shown).click()
    expect(page.locator("#select2-id_member-container")).to_contain_text(shown)


def test_officer_nominates_through_the_admin_and_is_refused_past_the_quota(
    world, course, newcomer, page, log_in, live_server
):
    log_in(page, world.officer_a, "/admin/login/")
    page.goto(reverse("admin:courses_course_change", args=[course.pk]))
    page.locator(".object-tools").get_by_role("link", name="Cử học viên", exact=True).click()

    expect(page.locator("#id_course")).to_have_value(str(course.pk))
    # Search ignores diacritics: typed without them, the name is found as written.
    choose_member(page, "pham anh thien", newcomer)
    page.locator("input[name=_save]").click()

    expect(page).to_have_url(live_server.url + reverse("admin:enrollments_enrollment_changelist"))
    expect(page.locator(".messagelist .success")).to_contain_text("Phạm Anh Thiện — 2030-K1-L1")
    enrollment = Enrollment.objects.get(course=course, member=newcomer)
    assert enrollment.nominated_by == world.committee_a
    assert enrollment.status == Enrollment.Status.REGISTERED
    assert enrollment.history.get().history_user == world.officer_a

    page.goto(reverse("admin:courses_course_nominations", args=[course.pk]))
    # The committee's row: nominated, quota, seats left.
    expect(page.locator("#content-main tbody tr").locator("th, td")).to_have_text(
        ["Đảng ủy Bộ Ngoại giao", "1", "1", "0"]
    )
    page.get_by_role("link", name="Cử học viên", exact=True).click()
    choose_member(page, "le minh chau", world.secretary_a)
    page.locator("input[name=_save]").click()

    expect(page.locator(".errorlist")).to_have_text("Đảng ủy Bộ Ngoại giao đã cử đủ 1 chỉ tiêu của lớp 2030-K1-L1.")
    expect(page.locator("#select2-id_member-container")).to_have_text(str(world.secretary_a))
    assert list(Enrollment.objects.filter(course=course).values_list("member", flat=True)) == [newcomer.pk]
