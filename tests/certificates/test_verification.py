"""The public verification pages: what a code proves and nothing more, revoked certificates with their
replacement, unknown codes with no hint, no indexing, and a limit per client address."""

import datetime

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import reissue_certificate, revoke_certificate
from common.localtime import local_date_text
from tests.certificates.world import close_with_results


def detail_url(certificate, code=None):
    return reverse("certificates:verify-detail", args=[code or certificate.verification_code])


def test_a_valid_certificate_shows_only_what_it_proves(world, client):
    certificate = world.certificate_a
    response = client.get(detail_url(certificate))

    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    page = response.content.decode()
    assert "Giấy chứng nhận còn hiệu lực" in page
    for shown in [
        "Nguyễn Thị Hà",
        certificate.program_name,
        certificate.course_title,
        "15/03/2021",
        "0001/2021/CC-DBVTH",
        "ĐẢNG BỘ VỤ TỔNG HỢP",
        certificate.printed_code,
    ]:
        assert shown in page, shown
    member = world.member_x
    member.email, member.phone = "ha.nt@example.vn", "0912345678"
    member.save()
    page = client.get(detail_url(certificate)).content.decode()
    for hidden in [
        f"{member.birth_date:%d/%m/%Y}",
        "ha.nt@example.vn",
        "0912345678",
        "Bí thư",
        "Chi bộ Phòng Hành chính",
        "Giỏi",
    ]:
        assert hidden not in page, hidden


def test_a_revoked_certificate_says_so_and_names_its_replacement(world, client, center_staff):
    certificate = world.certificate_a
    close_with_results(world.enrollment_x_in_a)
    revoke_certificate(certificate, by=center_staff, reason="Sai ngày sinh")
    page = client.get(detail_url(certificate)).content.decode()
    assert "đã bị thu hồi" in page and "còn hiệu lực" not in page
    assert "Sai ngày sinh" not in page

    replacement = reissue_certificate(certificate, by=center_staff)
    page = client.get(detail_url(certificate)).content.decode()
    assert replacement.register_number in page
    assert "còn hiệu lực" in client.get(detail_url(replacement)).content.decode()


@pytest.mark.parametrize("code", ["23456789ABCDEFGH", "khong-phai-ma", "0O1I0O1I0O1I0O1I"])
def test_an_unknown_or_malformed_code_gets_the_same_plain_not_found_page(world, client, code):
    response = client.get(reverse("certificates:verify-detail", args=[code]))
    assert response.status_code == 404
    assert response["X-Robots-Tag"].startswith("noindex")
    page = response.content.decode()
    assert "Không tìm thấy giấy chứng nhận" in page
    assert world.certificate_a.holder_name not in page


def test_a_code_typed_with_dashes_spaces_and_small_letters_is_found(world, client):
    certificate = world.certificate_a
    typed = " " + certificate.printed_code.lower().replace("-", " - ") + " "
    response = client.get(reverse("certificates:verify"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == detail_url(certificate)
    assert client.get(detail_url(certificate, certificate.printed_code.lower())).status_code == 200


def test_the_form_explains_a_code_that_cannot_be_one(world, client):
    response = client.get(reverse("certificates:verify"), {"code": "12345"})
    assert response.status_code == 200
    assert "không có chữ O, chữ I, số 0, số 1" in response.content.decode()
    blank = client.get(reverse("certificates:verify"))
    assert blank.status_code == 200 and blank["X-Robots-Tag"].startswith("noindex")


def test_look_ups_are_limited_per_client_address(world, client, settings):
    settings.VERIFY_RATE_LIMIT = 3
    url = detail_url(world.certificate_a)
    assert [client.get(url).status_code for _index in range(3)] == [200, 200, 200]
    assert client.get(reverse("certificates:verify"), {"code": "23456789ABCDEFGH"}).status_code == 429

    response = client.get(url)
    assert response.status_code == 429
    assert "Tra cứu quá nhiều lần" in response.content.decode()
    assert int(response["Retry-After"]) == settings.VERIFY_RATE_WINDOW
    assert response["X-Robots-Tag"].startswith("noindex")
    # The empty form is no look-up, and another address has its own budget.
    assert client.get(reverse("certificates:verify")).status_code == 200
    assert client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 200


def test_a_revoked_certificate_shows_the_day_it_was_revoked_in_the_centers_timezone(world, client, center_staff):
    """20:30 in UTC on 31/03 is 01/04 in Hà Nội. The reason stays the center's."""
    certificate = world.certificate_a
    close_with_results(world.enrollment_x_in_a)
    assert "Ngày thu hồi" not in client.get(detail_url(certificate)).content.decode()
    revoke_certificate(certificate, by=center_staff, reason="Sai ngày sinh")
    Certificate.objects.filter(pk=certificate.pk).update(
        revoked_at=datetime.datetime(2026, 3, 31, 20, 30, tzinfo=datetime.UTC)
    )

    page = client.get(detail_url(certificate)).content.decode()

    assert "Ngày thu hồi: 01/04/2026" in page and "31/03/2026" not in page
    assert "Sai ngày sinh" not in page and center_staff.username not in page


def test_the_stored_page_shows_the_revocation_date_on_the_next_look_up(
    world, client, center_staff, settings, django_capture_on_commit_callbacks
):
    settings.VERIFY_PAGE_SECONDS = 3600
    certificate = world.certificate_a
    assert "còn hiệu lực" in client.get(detail_url(certificate)).content.decode()
    close_with_results(world.enrollment_x_in_a)

    with django_capture_on_commit_callbacks(execute=True):
        revoke_certificate(certificate, by=center_staff, reason="Sai ngày sinh")

    certificate.refresh_from_db()
    page = client.get(detail_url(certificate)).content.decode()
    assert f"Ngày thu hồi: {local_date_text(certificate.revoked_at)}" in page
