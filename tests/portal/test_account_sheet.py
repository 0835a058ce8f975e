"""The account sheet: a real PDF with each trainee's name, username and one-time link, in roster order."""

import io
import re

import pytest
from django.http import HttpRequest
from django.urls import reverse
from pypdf import PdfReader
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from common import pdf as rendering
from common.pdf import StaticFilesOnlyFetcher
from enrollments import account_sheet
from enrollments.account_sheet import account_sheet_pdf
from enrollments.models import Enrollment
from organizations.models import Member, Organization
from tests import factories
from tests.pdf_reading import decoded_qr_codes


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


@pytest.fixture
def first_day(world):
    """A new class of the center: three trainees without logins, listed out of roster order."""
    course = factories.CourseFactory(code="2021-K3-L1", program=world.program, organizer=world.root)
    for name, email in [
        ("Trương Thị Ánh Tuyết", "tuyet.tt@example.vn"),
        ("Hoàng Đức Ân", ""),
        ("Nguyễn Thị Ánh", "anh.nt@example.vn"),
    ]:
        factories.EnrollmentFactory(course=course, member=factories.MemberFactory(full_name=name, email=email))
    return course


def print_sheet(client, *courses):
    return client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "print_account_sheet", "_selected_action": [course.pk for course in courses]},
    )


def test_the_sheet_is_a_pdf_with_names_and_usernames(world, client_for, first_day):
    response = print_sheet(client_for(world.center_staff), first_day)

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text, reader = pdf_text(response.content)
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4 portrait, in points
    for name in ["Trương Thị Ánh Tuyết", "Hoàng Đức Ân", "Nguyễn Thị Ánh"]:
        assert name in text
    for name in ["Trương Thị Ánh Tuyết", "Hoàng Đức Ân", "Nguyễn Thị Ánh"]:
        code = Enrollment.objects.get(course=first_day, member__full_name=name).member.user.username
        assert code in text


def test_the_sheet_lists_trainees_in_vietnamese_roster_order(world, client_for, first_day):
    text, _reader = pdf_text(print_sheet(client_for(world.center_staff), first_day).content)

    # By given name first, in Vietnamese letter order (a before â: Ánh before Ân), then the rest.
    positions = [text.index(name) for name in ["Nguyễn Thị Ánh", "Hoàng Đức Ân", "Trương Thị Ánh Tuyết"]]
    assert positions == sorted(positions)


@pytest.fixture
def fresh_renderer(monkeypatch):
    """The shared renderer (common.pdf) before any font is loaded, so that a render shows every
    URL it asks for: its fetcher."""
    fetcher = StaticFilesOnlyFetcher()
    monkeypatch.setattr(rendering, "_font_config", FontConfiguration())
    monkeypatch.setattr(rendering, "_fetcher", fetcher)
    return fetcher


def test_the_sheet_uses_the_shipped_fonts_and_a_qr_code_per_link(world, first_day, fresh_renderer, monkeypatch):
    rendered = []
    to_pdf = account_sheet.html_to_pdf
    monkeypatch.setattr(account_sheet, "html_to_pdf", lambda html: rendered.append(html) or to_pdf(html))

    content = account_sheet_pdf(Enrollment.objects.filter(course=first_day))

    assert fresh_renderer.refused == []
    assert sorted(url.rsplit("/", 1)[1] for url in fresh_renderer.fetched) == [
        "NotoSerif-Bold.ttf",
        "NotoSerif-BoldItalic.ttf",
        "NotoSerif-Italic.ttf",
        "NotoSerif-Regular.ttf",
    ]
    links = re.findall(r"http://127\.0\.0\.1:8000/accounts/set-password/[^<\s]+/", rendered[0])
    assert len(set(links)) == 3
    assert sorted(decoded_qr_codes(content)) == sorted(set(links))


def test_the_printed_link_sets_the_password_once(world, client_for, first_day):
    text, _reader = pdf_text(account_sheet_pdf(Enrollment.objects.filter(course=first_day)))
    link = re.search(r"http://127\.0\.0\.1:8000/accounts/set-password/\S+/", text.replace("\n", "")).group()
    client = client_for()

    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "Ngay-dau-2021!", "new_password2": "Ngay-dau-2021!"})

    # The login lockout's backend needs a request to know the client by (django-axes).
    assert client_for().login(
        request=HttpRequest(), username="tuyet.tt@example.vn", password="Ngay-dau-2021!"
    ) or client_for().login(request=HttpRequest(), username="anh.nt@example.vn", password="Ngay-dau-2021!")
    assert "Liên kết này không còn hiệu lực" in client_for().get(link, follow=True).content.decode()


def test_a_trainee_with_a_password_gets_no_link_on_the_sheet(world):
    text, _reader = pdf_text(account_sheet_pdf(Enrollment.objects.filter(course=world.root_course)))

    assert "Nguyễn Thị Hà" in text and "hocvien.x" in text
    assert "set-password" not in text
    assert "đã được kích hoạt" in text


def test_printing_creates_the_missing_logins_once(world, client_for, first_day):
    client = client_for(world.center_staff)
    print_sheet(client, first_day)
    usernames = sorted(Enrollment.objects.filter(course=first_day).values_list("member__user__username", flat=True))

    print_sheet(client, first_day)

    assert None not in usernames
    assert sorted(Enrollment.objects.filter(course=first_day).values_list("member__user__username", flat=True)) == (
        usernames
    )


def test_officers_cannot_print_the_sheet(world, client_for, first_day):
    response = print_sheet(client_for(world.officer_a), first_day)

    assert response.get("Content-Type") != "application/pdf"
    assert not Enrollment.objects.filter(course=first_day, member__user__isnull=False).exists()


def test_names_with_markup_print_as_text_and_fetch_nothing(world, first_day, fresh_renderer):
    member = Member.objects.get(full_name="Hoàng Đức Ân")
    Member.objects.filter(pk=member.pk).update(full_name='<img src="file:///etc/passwd">')
    Organization.objects.filter(pk=member.organization_id).update(
        name="<style>@import url(http://169.254.169.254/latest/meta-data/);</style>"
    )

    text, _reader = pdf_text(account_sheet_pdf(Enrollment.objects.filter(course=first_day)))

    assert fresh_renderer.refused == []
    assert all(url.startswith(fresh_renderer.static_prefix() + "fonts/") for url in fresh_renderer.fetched)
    squeezed = re.sub(r"\s+", "", text)
    assert '<imgsrc="file:///etc/passwd">' in squeezed
    assert "@importurl(http://169.254.169.254/latest/meta-data/);" in squeezed


@pytest.mark.parametrize(
    ("markup", "url"),
    [
        ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
        ('<img src="http://169.254.169.254/latest/meta-data/">', "http://169.254.169.254/latest/meta-data/"),
        ("<style>@import url(http://169.254.169.254/x.css);</style>", "http://169.254.169.254/x.css"),
        # Another host's /static/ is not this project's static folder (the sheet's old fetcher served it).
        (
            '<link rel="stylesheet" href="https://example.com/static/fonts/NotoSerif-Regular.ttf">',
            "https://example.com/static/fonts/NotoSerif-Regular.ttf",
        ),
    ],
)
def test_the_sheet_refuses_files_and_other_hosts(world, first_day, fresh_renderer, monkeypatch, markup, url):
    """Were the sheet's page ever to ask for a local file or another host, the rendering stops there."""
    render = account_sheet.render_to_string
    monkeypatch.setattr(account_sheet, "render_to_string", lambda *args, **kwargs: render(*args, **kwargs) + markup)

    with pytest.raises(FatalURLFetchingError):
        account_sheet_pdf(Enrollment.objects.filter(course=first_day))

    assert fresh_renderer.refused == [url]
