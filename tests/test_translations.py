"""The English catalog covers every UI string, and the compiled catalog matches its source."""

import gettext
import re
import shutil
import subprocess

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

CATALOG = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"


def untranslated(po_text):
    missing = []
    for entry in po_text.split("\n\n")[1:]:
        if "#, fuzzy" in entry:
            missing.append(entry)
        elif re.search(r'^msgstr ""\s*\Z', entry.strip() + "\n", re.M):
            missing.append(entry)
    return missing


def test_every_ui_string_has_an_english_translation(tmp_path, monkeypatch):
    """makemessages over a copy of the current code finds no string the English catalog lacks.

    makemessages writes into the locale folder beside the sources, so it runs on a copy: the test
    must neither change the real catalog nor read a catalog it did not refresh.
    """
    project = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        project,
        ignore=shutil.ignore_patterns(".venv", ".git", "media", "staticfiles", "static", "tests", "*.sqlite3"),
    )
    monkeypatch.chdir(project)
    with override_settings(LOCALE_PATHS=[project / "locale"]):
        call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    po_text = (project / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert untranslated(po_text) == []


def test_compiled_catalog_matches_its_source(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", compiled, CATALOG / "django.po"], check=True)
    with open(compiled, "rb") as fresh, open(CATALOG / "django.mo", "rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog
