"""Whole verification pages from the cache (certificates/page_cache.py): a repeated look-up reads no database, and
any change to a certificate or an issuer shows on the very next look-up once it commits. Only anonymous visitors
share stored pages, each with their own CSRF token, in their own language."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import reissue_certificate, revoke_certificate
from tests.certificates.world import close_with_results

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def pages_in_cache(settings):
    settings.VERIFY_PAGE_SECONDS = 3600


def look_up(client, certificate):
    return client.get(reverse("certificates:verify-detail", args=[certificate.verification_code]))


def test_a_repeated_look_up_reads_no_database(world, client, django_assert_num_queries):
    first = look_up(client, world.certificate_a)
    with django_assert_num_queries(0):
        again = look_up(Client(), world.certificate_a)

    assert again.status_code == 200
    assert again["X-Robots-Tag"].startswith("noindex")
    assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())
    assert "Giấy chứng nhận còn hiệu lực" in again.content.decode()


def test_a_revocation_and_its_replacement_show_on_the_next_look_up(
    world, client, center_staff, django_capture_on_commit_callbacks
):
    certificate = world.certificate_a
    assert "còn hiệu lực" in look_up(client, certificate).content.decode()
    close_with_results(world.enrollment_x_in_a)

    with django_capture_on_commit_callbacks(execute=True):
        revoke_certificate(certificate, by=center_staff, reason="Sai ngày sinh")
    page = look_up(client, certificate).content.decode()
    assert "đã bị thu hồi" in page and "còn hiệu lực" not in page

    with django_capture_on_commit_callbacks(execute=True):
        replacement = reissue_certificate(certificate, by=center_staff)
    assert replacement.register_number in look_up(client, certificate).content.decode()


def test_a_change_is_not_shown_before_it_commits_and_is_after(world, client, django_capture_on_commit_callbacks):
    look_up(client, world.certificate_a)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        Certificate.objects.bulk_update(
            [Certificate(pk=world.certificate_a.pk, holder_name="Nguyễn Thị Hạnh")], ["holder_name"]
        )
    # The write has not committed: other visitors still get the stored page of the committed row...
    assert "Nguyễn Thị Hạnh" not in look_up(client, world.certificate_a).content.decode()
    for callback in pending:
        callback()
    # ...and the first look-up after the commit gets the new one.
    assert "Nguyễn Thị Hạnh" in look_up(client, world.certificate_a).content.decode()


def test_an_issuer_change_shows_on_the_next_look_up(world, client, django_capture_on_commit_callbacks):
    look_up(client, world.certificate_a)
    with django_capture_on_commit_callbacks(execute=True):
        world.issuer_a.header_line_2 = "ĐẢNG BỘ VỤ TỔNG HỢP (MỚI)"
        world.issuer_a.save()
    assert "ĐẢNG BỘ VỤ TỔNG HỢP (MỚI)" in look_up(client, world.certificate_a).content.decode()


@pytest.mark.django_db(transaction=True)
def test_migrate_starts_a_new_generation(world, client, django_assert_max_num_queries):
    look_up(client, world.certificate_a)
    call_command("migrate", verbosity=0)
    with django_assert_max_num_queries(10) as queries:
        look_up(client, world.certificate_a)
    assert any("certificates_certificate" in query["sql"] for query in queries.captured_queries)


def test_each_visitor_gets_a_working_csrf_token_of_their_own(world):
    look_up(Client(), world.certificate_a)  # stored
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    tokens = [TOKEN.search(look_up(visitor, world.certificate_a).content.decode()).group(1) for visitor in visitors]
    assert tokens[0] != tokens[1]
    for visitor, token in zip(visitors, tokens, strict=True):
        response = visitor.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
        assert response.status_code == 302, "the switcher's token must match the visitor's own CSRF cookie"
    assert "The certificate is valid" in look_up(visitors[0], world.certificate_a).content.decode()


def test_a_visitor_in_english_does_not_get_the_vietnamese_page(world, client):
    look_up(client, world.certificate_a)
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen with the switch; the browser's language is ignored
    assert "Giấy chứng nhận còn hiệu lực" not in look_up(english, world.certificate_a).content.decode()


def test_a_logged_in_visitor_and_an_unknown_code_are_read_from_the_database(
    world, client, center_staff, django_assert_max_num_queries
):
    look_up(client, world.certificate_a)
    client.force_login(center_staff)
    with django_assert_max_num_queries(20) as queries:
        look_up(client, world.certificate_a)
    assert any("certificates_certificate" in query["sql"] for query in queries.captured_queries)

    unknown = reverse("certificates:verify-detail", args=["23456789ABCDEFGH"])
    anonymous = Client()
    for _ in range(2):
        with django_assert_max_num_queries(5) as queries:
            assert anonymous.get(unknown).status_code == 404
        assert any("certificates_certificate" in query["sql"] for query in queries.captured_queries)


def test_in_redis_a_revocation_shows_on_the_next_look_up(
    world, client, center_staff, redis_cache, django_capture_on_commit_callbacks, django_assert_num_queries
):
    look_up(client, world.certificate_a)
    with django_assert_num_queries(0):
        assert "còn hiệu lực" in look_up(client, world.certificate_a).content.decode()
    close_with_results(world.enrollment_x_in_a)
    with django_capture_on_commit_callbacks(execute=True):
        revoke_certificate(world.certificate_a, by=center_staff, reason="Sai ngày sinh")
    assert "đã bị thu hồi" in look_up(client, world.certificate_a).content.decode()


def test_the_redis_cache_counts_in_one_atomic_step_and_keeps_the_expiry(redis_cache):
    with pytest.raises(ValueError):
        redis_cache.incr("counter")
    redis_cache.add("counter", 0, timeout=100)
    assert [redis_cache.incr("counter") for _ in range(3)] == [1, 2, 3]
    assert redis_cache.incr("counter", 10) == 13
    raw = redis_cache._cache.get_client("counter")
    assert 0 < raw.ttl(redis_cache.make_key("counter")) <= 100
    assert redis_cache._cache.get_client("other") is raw, "one Redis client for every call"


def test_over_the_limit_guesses_are_refused_but_a_stored_page_is_still_served(world, client, settings):
    settings.VERIFY_RATE_LIMIT = 2
    unknown = reverse("certificates:verify-detail", args=["23456789ABCDEFGH"])
    assert [client.get(unknown).status_code for _ in range(2)] == [404, 404]
    assert client.get(unknown).status_code == 429
    # The first look-up of a page counts (and is refused now); once another visitor has had it stored, it is served.
    assert look_up(client, world.certificate_a).status_code == 429
    look_up(Client(REMOTE_ADDR="203.0.113.7"), world.certificate_a)
    response = look_up(client, world.certificate_a)
    assert response.status_code == 200 and response["X-Robots-Tag"].startswith("noindex")
