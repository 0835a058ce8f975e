"""Vietnamese for everyone until they choose English with the switch; the browser's language does not count."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def page_language(response):
    return re.search(r'<html[^>]*\blang="([^"]+)"', response.content.decode())[1]


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "fr-FR,fr;q=0.8,en;q=0.5", ""])
def test_any_browser_language_gets_vietnamese(client, header):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=header)

    assert response["Content-Language"] == "vi"
    assert page_language(response) == "vi"
    assert "Đăng nhập" in response.content.decode()
    assert "Accept-Language" not in response.get("Vary", "")
    assert "Cookie" in response["Vary"]


def test_the_switch_chooses_english_and_back(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})

    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="vi")

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert english["Content-Language"] == "en"
    assert page_language(english) == "en"
    assert "Đăng nhập" not in english.content.decode()

    client.post(reverse("set_language"), {"language": "vi", "next": reverse("login")})

    assert client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "vi"


@pytest.mark.parametrize("cookie", ["xx", "de", "en-gb", ""])
def test_a_cookie_naming_no_offered_language_gets_vietnamese_or_its_variant(client, cookie):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie

    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == ("en" if cookie == "en-gb" else "vi")
