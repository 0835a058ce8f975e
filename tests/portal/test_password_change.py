"""A trainee changes their own password in the portal: the current one first, the new one twice; the login stays
signed in, the old password stops working, and a mistake is told in Vietnamese without echoing any password.
Staff logins (no member record) are sent to the admin's own page by a 404, anonymous visitors to the login; the form
takes five tries per login in the lockout's cool-off."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

PASSWORD = "mat-khau-thu-nghiem"
NEW = "Hoc-vien-2026-moi"
URL = "portal:password-change"


def change(client, old=PASSWORD, new=NEW, again=None):
    return client.post(
        reverse(URL), {"old_password": old, "new_password1": new, "new_password2": again or new}, follow=True
    )


def test_the_form_is_in_vietnamese_and_linked_from_the_course_list(world, client_for):
    client = client_for(world.trainee_x)

    courses = client.get(reverse("portal:course-list")).content.decode()
    page = client.get(reverse(URL)).content.decode()

    assert f'href="{reverse(URL)}"' in courses
    for text in ["Đổi mật khẩu", "Mật khẩu cũ", "Mật khẩu mới", "Xác nhận mật khẩu mới"]:
        assert text in page


def test_the_password_changes_and_the_trainee_stays_signed_in(world, client_for):
    client = client_for(world.trainee_x)

    response = change(client)

    assert response.redirect_chain[-1][0] == reverse("portal:course-list")
    assert "Đã đổi mật khẩu." in response.content.decode()
    assert "_auth_user_id" in client.session
    user = get_user_model().objects.get(pk=world.trainee_x.pk)
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    anonymous = client_for()
    assert anonymous.post(reverse("login"), {"username": "hocvien.x", "password": PASSWORD}).status_code == 200
    assert anonymous.post(reverse("login"), {"username": "hocvien.x", "password": NEW}).status_code == 302


def test_a_wrong_current_password_is_refused_in_vietnamese_and_no_password_is_echoed(world, client_for):
    response = change(client_for(world.trainee_x), old="khong-phai-mat-khau")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Mật khẩu cũ không" in page
    assert "Your old password" not in page
    assert "khong-phai-mat-khau" not in page and NEW not in page
    assert get_user_model().objects.get(pk=world.trainee_x.pk).check_password(PASSWORD)


def test_two_different_new_passwords_are_refused_in_vietnamese(world, client_for):
    response = change(client_for(world.trainee_x), again="Hoc-vien-2026-khac")

    page = response.content.decode()
    assert "Hai trường mật khẩu không giống nhau." in page
    assert get_user_model().objects.get(pk=world.trainee_x.pk).check_password(PASSWORD)


@pytest.mark.parametrize("persona_name", ["center_staff", "officer_a"])
def test_a_staff_login_gets_a_404_and_its_password_is_unchanged(world, client_for, persona_name):
    user = getattr(world, persona_name)

    response = change(client_for(user))

    assert response.status_code == 404
    assert get_user_model().objects.get(pk=user.pk).check_password(PASSWORD)


def test_an_anonymous_post_goes_to_the_login_and_changes_nothing(world, client_for):
    response = client_for().post(reverse(URL), {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert get_user_model().objects.get(pk=world.trainee_x.pk).check_password(PASSWORD)


def test_after_five_tries_the_form_refuses_even_the_right_password_for_a_while(world, client_for):
    """An open session is no way to guess the current password: five posts per login in the lockout's cool-off."""
    client = client_for(world.trainee_x)
    for _ in range(5):
        change(client, old="doan-sai")

    response = change(client)

    assert response.status_code == 429
    assert "Xin thử lại sau 30 phút." in response.content.decode()
    assert get_user_model().objects.get(pk=world.trainee_x.pk).check_password(PASSWORD)
