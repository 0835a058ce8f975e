"""What a person sees of logins: the login form warns before the last try, the center unlocks a locked-out login
from the admin's list, and a trainee changes their password from the portal's menu."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WRONG = "sai-mat-khau"
NEW = "Hoc-vien-2026-moi"


def fail_login(page, username, path):
    page.goto(path)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(WRONG)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_the_login_form_warns_before_the_last_try(world, page, path):
    for _ in range(3):
        fail_login(page, "hocvien.x", path)
        expect(page.get_by_text("Còn 1 lần thử")).to_have_count(0)

    fail_login(page, "hocvien.x", path)

    expect(page.get_by_text("Còn 1 lần thử")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("hocvien.x")


@pytest.mark.browser
def test_the_center_unlocks_a_locked_out_trainee_in_the_admin(world, new_page, log_in):
    trainee = new_page()
    for _ in range(5):
        fail_login(trainee, "hocvien.x", "/accounts/login/")
    expect(trainee.get_by_text("Tạm khóa đăng nhập")).to_be_visible()
    staff = new_page()
    log_in(staff, world.center_staff, "/admin/login/")

    staff.goto("/admin/organizations/lockedoutlogin/")
    row = staff.locator("#result_list tbody tr", has_text="hocvien.x")
    expect(row).to_contain_text("Nguyễn Thị Hà")
    row.locator("input[name=_selected_action]").check()
    staff.locator("select[name=action]").select_option("unlock_selected")
    staff.locator("button[name=index]").click()

    expect(staff.get_by_text("Đã mở khóa 1 đăng nhập.")).to_be_visible()
    expect(staff.locator("#result_list")).to_have_count(0)
    trainee.goto("/accounts/login/")
    trainee.locator("#id_username").fill("hocvien.x")
    trainee.locator("#id_password").fill(PASSWORD)
    trainee.locator("#id_password").press("Enter")
    expect(trainee).to_have_url("/my/")


@pytest.mark.browser
def test_a_trainee_changes_their_password_from_the_menu(world, page, log_in):
    log_in(page, world.trainee_x, "/accounts/login/")

    page.get_by_role("link", name="Đổi mật khẩu").first.click()
    expect(page.locator("label[for=id_old_password]")).to_contain_text("Mật khẩu cũ")
    page.locator("#id_old_password").fill(PASSWORD)
    page.locator("#id_new_password1").fill(NEW)
    page.locator("#id_new_password2").fill(NEW)
    page.get_by_role("button", name="Đổi mật khẩu").click()

    expect(page.get_by_text("Đã đổi mật khẩu.")).to_be_visible()
    assert get_user_model().objects.get(pk=world.trainee_x.pk).check_password(NEW)
