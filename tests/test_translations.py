"""The English catalog covers every UI string; the Vietnamese one holds only corrections to Django's and the
dependencies' strings; each compiled catalog matches its source."""

import gettext
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = settings.BASE_DIR / "locale"
CATALOG = LOCALE / "en" / "LC_MESSAGES"
VIETNAMESE = LOCALE / "vi" / "LC_MESSAGES"


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
    vietnamese = project / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    assert vietnamese.read_text(encoding="utf-8") == (VIETNAMESE / "django.po").read_text(encoding="utf-8")


def compiled(po, tmp_path):
    target = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "--check", "-o", target, po], check=True)
    with open(target, "rb") as fresh:
        return gettext.GNUTranslations(fresh)._catalog


@pytest.mark.parametrize("po", [CATALOG / "django.po", VIETNAMESE / "django.po", VIETNAMESE / "djangojs.po"])
def test_compiled_catalog_matches_its_source(po, tmp_path):
    with open(po.with_suffix(".mo"), "rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == compiled(po, tmp_path)


def test_the_vietnamese_catalog_holds_none_of_the_projects_own_strings(tmp_path):
    """The source strings are Vietnamese already: a project msgid in locale/vi means makemessages was run for vi."""
    own = {key[0] if isinstance(key, tuple) else key for key in compiled(CATALOG / "django.po", tmp_path)} - {""}
    corrections = {key[0] if isinstance(key, tuple) else key for key in compiled(VIETNAMESE / "django.po", tmp_path)}
    assert sorted(own & corrections) == []
