"""Activation links from the course admin: e-mailed once per trainee, one-time, and scoped."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.http import HttpRequest
from django.urls import reverse

from enrollments.models import Enrollment
from tests import factories

LINK = re.compile(r"https?://\S+/accounts/set-password/\S+/")


def run_action(client, action, *courses):
    return client.post(
        reverse("admin:courses_course_changelist"),
        {"action": action, "_selected_action": [course.pk for course in courses]},
        follow=True,
    )


@pytest.fixture
def new_class(world):
    """A course of the center whose trainees have no login yet: two with an e-mail, one without."""
    course = factories.CourseFactory(code="2021-K2-L1", program=world.program, organizer=world.root)
    trainees = [
        factories.MemberFactory(full_name="Đặng Thu Hằng", email="hang.dt@example.vn", organization=world.cell_a),
        factories.MemberFactory(full_name="Bùi Quốc Việt", email="viet.bq@example.vn", organization=world.cell_b),
        factories.MemberFactory(full_name="Lê Văn Ẩn", email="", organization=world.cell_a),
    ]
    for member in trainees:
        factories.EnrollmentFactory(course=course, member=member)
    return course


def test_sends_one_email_per_trainee_with_an_address_and_names_those_without(world, client_for, new_class):
    response = run_action(client_for(world.center_staff), "send_activation_links", new_class)

    assert sorted(message.to[0] for message in mail.outbox) == ["hang.dt@example.vn", "viet.bq@example.vn"]
    page = response.content.decode()
    assert "Đã gửi liên kết kích hoạt cho 2 học viên." in page
    assert "Lê Văn Ẩn" in page
    assert User.objects.filter(member__enrollments__course=new_class).count() == 3


def test_the_email_says_the_username_and_how_to_log_in(world, client_for, new_class):
    run_action(client_for(world.center_staff), "send_activation_links", new_class)

    message = next(message for message in mail.outbox if message.to == ["hang.dt@example.vn"])
    assert message.subject == "Kích hoạt tài khoản học viên"
    assert "Đặng Thu Hằng" in message.body
    username = User.objects.get(email="hang.dt@example.vn").username
    assert f"Tên đăng nhập: {username}" in message.body
    assert "http://127.0.0.1:8000/accounts/login/" in message.body
    assert LINK.search(message.body).group().startswith("http://127.0.0.1:8000/accounts/set-password/")


def test_the_link_sets_the_password_once_then_dies(world, client_for, new_class):
    run_action(client_for(world.center_staff), "send_activation_links", new_class)
    link = LINK.search(next(m for m in mail.outbox if m.to == ["viet.bq@example.vn"]).body).group()
    trainee = client_for()

    form = trainee.get(link, follow=True)
    assert form.status_code == 200
    assert 'name="new_password1"' in form.content.decode()
    done = trainee.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Hoc-vien-2021!", "new_password2": "Hoc-vien-2021!"},
        follow=True,
    )
    assert "Mật khẩu đã được lưu" in done.content.decode()

    # The login lockout's backend needs a request to know the client by (django-axes).
    assert client_for().login(request=HttpRequest(), username="viet.bq@example.vn", password="Hoc-vien-2021!")
    again = client_for().get(link, follow=True)
    assert "Liên kết này không còn hiệu lực" in again.content.decode()
    assert 'name="new_password1"' not in again.content.decode()


def test_a_second_click_sends_links_again_but_creates_no_account(world, client_for, new_class):
    client = client_for(world.center_staff)
    run_action(client, "send_activation_links", new_class)
    users = User.objects.count()

    run_action(client, "send_activation_links", new_class)

    assert User.objects.count() == users
    assert len(mail.outbox) == 4


def test_trainees_who_set_a_password_get_no_link(world, client_for):
    response = run_action(client_for(world.center_staff), "send_activation_links", world.root_course)

    assert mail.outbox == []
    assert "2 học viên đã tự đặt mật khẩu" in response.content.decode()


def test_withdrawn_trainees_get_no_account(world, client_for, new_class):
    withdrawn = factories.EnrollmentFactory(
        course=new_class,
        member=factories.MemberFactory(email="rut@example.vn"),
        status=Enrollment.Status.WITHDRAWN,
    )

    run_action(client_for(world.center_staff), "send_activation_links", new_class)

    withdrawn.member.refresh_from_db()
    assert withdrawn.member.user is None
    assert "rut@example.vn" not in [message.to[0] for message in mail.outbox]


def test_officers_cannot_send_links(world, client_for, new_class):
    client = client_for(world.officer_a)

    changelist = client.get(reverse("admin:courses_course_changelist"))
    run_action(client, "send_activation_links", new_class)

    assert "send_activation_links" not in changelist.content.decode()
    assert mail.outbox == []
    assert not User.objects.filter(member__enrollments__course=new_class).exists()
