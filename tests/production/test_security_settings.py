"""Production settings pass Django's deployment checks, an unsafe secret key stops the start, and every page
carries the security headers, a Content-Security-Policy among them, with no inline script to need an exception."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as project_settings
from django.contrib.auth.models import AnonymousUser

from tests.production.processes import production_environment, run_manage, run_python
from tests.test_access_matrix import concrete_url, endpoints, matrix_world

SETTINGS_PRINTER = (
    "import django; django.setup()\n"
    "from django.conf import settings as s\n"
    "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)\n"
)


def test_deployment_checks_pass_with_production_settings():
    process = run_manage("check", "--deploy", "--fail-level", "WARNING", environment=production_environment())

    assert process.returncode == 0, process.stdout + process.stderr
    assert "System check identified no issues" in process.stdout


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "insecure-development-key-do-not-use-in-production", "short-and-guessable"],
    ids=["missing", "empty", "the development default", "too short"],
)
def test_the_application_refuses_to_start_without_a_real_secret_key(secret_key):
    process = run_manage("check", environment=production_environment(SECRET_KEY=secret_key))

    assert process.returncode != 0
    assert "SECRET_KEY must be set to a long random string" in process.stderr


def test_production_is_https_only_with_secure_cookies_and_hsts_by_default():
    process = run_python(SETTINGS_PRINTER, production_environment())

    assert process.stdout.split() == ["True", "True", "True", "31536000"], process.stderr


def test_hsts_and_the_https_redirect_are_settings():
    process = run_python(SETTINGS_PRINTER, production_environment(HTTPS="0", HSTS_SECONDS="0"))

    assert process.stdout.split() == ["False", "False", "False", "0"], process.stderr


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = client.get("/verify/", secure=True)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_the_content_security_policy_allows_scripts_from_our_own_files_only(client):
    policy = dict(
        directive.strip().split(" ", 1) for directive in client.get("/verify/")["Content-Security-Policy"].split(";")
    )

    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy["style-src"]


class InlineCodeFinder(HTMLParser):
    """Collects what a script-src 'self' / style-src 'self' policy would block: script and style elements with
    their code inline, event-handler attributes and javascript: URLs. A JSON data block is not code."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._inline_element = None

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self._inline_element = tag
        if tag == "style":
            self._inline_element = tag
        for name, value in attributes.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data):
        if self._inline_element and data.strip():
            self.found.append(f"<{self._inline_element}>{data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._inline_element = None


def inline_code(html):
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.found


# Rendered by WeasyPrint into PDFs, never served to a browser: their <style> is the PDF's stylesheet.
# What WeasyPrint renders (a pdf/ folder, and the account sheet) carries its own styles: no browser reads it.
PDF_TEMPLATES = {"enrollments/account_sheet.html"}


def project_templates():
    folder = Path(project_settings.BASE_DIR) / "templates"
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*.html")
        if path.relative_to(folder).as_posix() not in PDF_TEMPLATES and path.parent.name != "pdf"
    )


def test_the_checker_finds_inline_code():
    page = '<script>alert(1)</script><a href="javascript:x()" onclick="y()">z</a><style>p{}</style>'

    assert len(inline_code(page)) == 4
    assert inline_code('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []


@pytest.mark.parametrize("template", project_templates())
def test_no_template_has_inline_script(template):
    source = (Path(project_settings.BASE_DIR) / "templates" / template).read_text()

    assert inline_code(source) == []


@pytest.mark.django_db
def test_no_page_has_inline_script(client_for):
    """Every page of the project (the admin included) as center staff and as a trainee, as rendered."""
    world = matrix_world()
    offending = {}
    checked = set()
    for persona in (world.center_staff, world.trainee_x, AnonymousUser()):
        client = client_for(persona)
        for endpoint in endpoints():
            url = concrete_url(endpoint, world, "a")
            response = client.get(url)
            if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
                checked.add(url)
                if found := inline_code(response.content.decode()):
                    offending[url] = found
    assert offending == {}
    assert {"/admin/", "/my/", "/accounts/login/", "/verify/"} <= checked
