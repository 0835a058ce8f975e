"""A one-time password link that no longer works is titled as a failure in Vietnamese.

Django's own Vietnamese catalog renders "Password reset unsuccessful" as "Đặt lại mật khẩu thành công"
(successful); the project's catalog (locale/vi) corrects it.
"""

import datetime
import re

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

UNSUCCESSFUL = "Đặt lại mật khẩu không thành công"


def title_and_heading(response):
    page = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1]
    return title.strip(), heading.strip()


def test_a_used_link_says_the_reset_did_not_succeed(world, client_for):
    client = client_for()
    client.post(reverse("password-reset"), {"email": "hocvien.y@example.vn"})
    link = re.search(r"/accounts/set-password/[\w-]+/[\w-]+/", mail.outbox[0].body).group()
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "Hoc-vien-2021!", "new_password2": "Hoc-vien-2021!"})

    again = client_for().get(link, follow=True)

    assert title_and_heading(again) == (UNSUCCESSFUL, UNSUCCESSFUL)
    assert "Đặt lại mật khẩu thành công" not in again.content.decode()


def test_an_expired_link_says_the_reset_did_not_succeed(world, client_for, monkeypatch):
    trainee = world.trainee_y
    link = reverse(
        "password-reset-confirm",
        args=[urlsafe_base64_encode(force_bytes(trainee.pk)), default_token_generator.make_token(trainee)],
    )
    later = datetime.datetime.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    response = client_for().get(link, follow=True)

    assert title_and_heading(response) == (UNSUCCESSFUL, UNSUCCESSFUL)
