"""Static files in production: collectstatic writes content-hashed, compressed copies; WhiteNoise serves them
with a one-year immutable cache header; the PDFs still find their fonts under the hashed names."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from pypdf import PdfReader

from certificates.pdf import render_certificate
from enrollments.account_sheet import account_sheet_pdf
from enrollments.models import Enrollment

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def font_names(pdf):
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The production static storage, collected once for this module into a scratch folder."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def site_css_url(client):
    page = client.get("/accounts/login/").content.decode()
    return re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)


@pytest.mark.django_db
def test_pages_name_the_hashed_copies(collected):
    url = site_css_url(Client())

    assert (collected / url.removeprefix("/static/")).exists()


@pytest.mark.django_db
def test_a_hashed_file_is_cached_for_a_year_and_never_revalidated(collected):
    client = Client()

    response = client.get(site_css_url(client))

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"


@pytest.mark.django_db
@pytest.mark.parametrize(("accepted", "encoding"), [("br, gzip", "br"), ("gzip", "gzip")])
def test_files_are_served_compressed_to_browsers_that_accept_it(collected, accepted, encoding):
    client = Client()
    url = site_css_url(client)

    response = client.get(url, HTTP_ACCEPT_ENCODING=accepted)

    assert response["Content-Encoding"] == encoding
    assert int(response["Content-Length"]) < (collected / url.removeprefix("/static/")).stat().st_size


def test_a_file_asked_by_its_plain_name_is_cached_briefly(collected):
    response = Client().get("/static/css/site.css")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"


def test_a_certificate_pdf_finds_its_fonts_under_the_hashed_names(collected, world):
    fonts = font_names(render_certificate(world.certificate_a))

    assert fonts and all("Noto-Serif" in name for name in fonts)


def test_the_account_sheet_finds_its_fonts_under_the_hashed_names(collected, world):
    fonts = font_names(account_sheet_pdf(Enrollment.objects.filter(course=world.course_a)))

    assert fonts and all("Noto-Serif" in name for name in fonts)
