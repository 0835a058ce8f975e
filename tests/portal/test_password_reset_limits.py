"""The password-reset form sends a limited number of links to one address and takes a limited number of
requests from one client address; over either limit it sends nothing and answers the same whether or not the
address belongs to an account."""

import re

import pytest
from django.core import mail
from django.urls import reverse

URL = reverse("password-reset")
KNOWN = "hocvien.y@example.vn"
UNKNOWN = "khong-co@example.vn"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    settings.PASSWORD_RESET_CLIENT_LIMIT = 10
    settings.PASSWORD_RESET_RATE_WINDOW = 3600


def ask(client, email, client_address="198.51.100.7"):
    return client.post(URL, {"email": email}, REMOTE_ADDR=client_address)


def answer(response):
    """What the asker sees: the status, where it leads, when to come back, and the page (but the language form's
    token, masked afresh on every page)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
    return response.status_code, response.get("Location"), response.get("Retry-After"), page


def test_twenty_one_requests_for_one_address_send_only_the_limit_of_mails(world, client):
    responses = [ask(client, KNOWN, f"198.51.100.{number}") for number in range(21)]

    assert len(mail.outbox) == 3
    assert [response.status_code for response in responses] == [302] * 3 + [429] * 18
    limited = responses[-1].content.decode()
    assert "Đã có quá nhiều yêu cầu gửi liên kết đặt mật khẩu" in limited
    assert "Xin thử lại sau 60 phút." in limited
    assert responses[-1]["Retry-After"] == "3600"


def test_the_address_is_limited_from_a_new_client_address_too(world, client):
    for _index in range(3):
        ask(client, KNOWN, "198.51.100.7")

    response = ask(client, "HocVien.Y@Example.vn", "203.0.113.9")

    assert response.status_code == 429
    assert len(mail.outbox) == 3


def test_one_client_address_is_limited_whatever_addresses_it_asks_for(world, client):
    responses = [ask(client, f"nguoi-{number}@example.vn") for number in range(10)]

    over = ask(client, KNOWN)
    elsewhere = ask(client, KNOWN, "203.0.113.9")

    assert [response.status_code for response in responses] == [302] * 10
    assert over.status_code == 429
    assert elsewhere.status_code == 302
    assert [message.to for message in mail.outbox] == [[KNOWN]]


def test_an_unknown_address_gets_the_same_answers_as_a_known_one(world, client):
    known = [answer(ask(client, KNOWN, "198.51.100.7")) for _index in range(5)]
    unknown = [answer(ask(client, UNKNOWN, "203.0.113.9")) for _index in range(5)]

    assert known == unknown
    assert [status for status, *_rest in known] == [302] * 3 + [429] * 2
    assert [message.to for message in mail.outbox] == [[KNOWN]] * 3
