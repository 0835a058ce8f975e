"""The member page as staff see it on a 1366 px screen: no sideways scrolling with posts and a training record on
it; and the member picker, used to nominate, says who is on the chosen class already."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def busy_member(world):
    """Nguyễn Thị Hà with three posts in long-named organizations and three classes on her record."""
    member = world.member_x
    for index in range(3):
        organization = factories.OrganizationFactory(
            parent=world.grassroots_a, name=f"Chi bộ Vụ Hợp tác quốc tế và Thông tin đối ngoại số {index + 1}"
        )
        factories.AppointmentFactory(member=member, organization=organization, term_label="2020–2025")
    factories.EnrollmentFactory(course=world.course_b, member=member)
    return member


def test_the_member_page_fits_a_1366_px_screen(world, busy_member, new_page, log_in):
    page = new_page(viewport=LAPTOP)
    log_in(page, world.center_staff, "/admin/login/")
    page.goto(reverse("admin:organizations_member_change", args=[busy_member.pk]))

    expect(page.locator("#training-record tbody tr")).to_have_count(3)
    expect(page.locator("#appointments-group tbody tr.form-row.has_original")).to_have_count(4)
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls {overflow} px sideways"


def test_the_member_picker_marks_who_is_on_the_chosen_class(world, new_page, log_in):
    course = factories.open_course(world)
    factories.EnrollmentFactory(course=course, member=world.member_x)
    page = new_page(viewport=LAPTOP)
    log_in(page, world.center_staff, "/admin/login/")
    page.goto(reverse("admin:enrollments_enrollment_add") + f"?course={course.pk}")

    page.locator("#id_member + .select2").click()
    page.locator(".select2-search__field").fill("nguyen thi ha")
    option = page.locator(".select2-results__option", has_text="Nguyễn Thị Hà")
    expect(option).to_contain_text("Chi bộ Phòng Hành chính Bộ Ngoại giao › Đảng bộ Vụ Tổng hợp Bộ Ngoại giao")
    expect(option).to_contain_text("đã có trong lớp")
    page.locator(".select2-search__field").fill("le minh chau")
    other = page.locator(".select2-results__option", has_text="Lê Minh Châu")
    expect(other).to_be_visible()
    expect(other).not_to_contain_text("đã có trong lớp")
