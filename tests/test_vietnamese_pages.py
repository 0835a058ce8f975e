"""Every page the product serves, in Vietnamese, shows no string of Django or a dependency left in English.

The pages are walked as the access matrix walks them (every URL pattern, as the superuser, the center's staff,
a trainee and an anonymous visitor), and the forms are posted with mistakes so their errors show. While they
render, every message looked up is recorded. The project's own messages are Vietnamese in the source; any
other one comes from Django or a dependency and must come back translated from the merged catalogs (Django's,
the apps', then locale/vi, which corrects and completes them). Every HTML page served is also read as a person
sees it (text, titles, placeholders, alternatives, buttons): any English msgid of two words or more from the
catalogs Django and the installed packages ship, found there, fails the test with the text, its msgid and the
page. Both word lists come from the installed code, so they follow each upgrade and each new page. The admin's
JavaScript catalog is checked against the messages Django's admin scripts use.
"""

import functools
import gettext
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests import factories
from tests.test_access_matrix import concrete_url, endpoints, matrix_world

# Punctuation Vietnamese writes as English does: the label suffix, the sentence ends it is checked against,
# and the ellipsis of a truncated text.
SAME_IN_VIETNAMESE = {":", ":?.!", "%(truncated_text)s…"}

# Lookups of Django's translation functions, as (context, msgid, plural msgid).
LOOKUPS = {
    "gettext": lambda message: ("", message, None),
    "pgettext": lambda context, message: (context, message, None),
    "ngettext": lambda singular, plural, number: ("", singular, plural),
    "npgettext": lambda context, singular, plural, number: (context, singular, plural),
}

# Django's Vietnamese catalogs say the opposite or something else entirely for these.
MISTRANSLATED = {
    "Password reset unsuccessful": "Đặt lại mật khẩu thành công",
    "History": "Bản ghi nhớ",
    "log entry": "đăng nhập",
    "permission": "cho phép",
    "Go": "Đi đến",
    "Enter a valid email address.": "Nhập địa chỉ email.",
}


class Recorder:
    """Records each message looked up in Vietnamese, with the first request that looked it up, and keeps every
    HTML page served, to be read for English left in its text."""

    def __init__(self, monkeypatch):
        self.looked_up = {}
        self.request = None
        self.pages = {}
        trans = translation._trans
        for name, key in LOOKUPS.items():
            monkeypatch.setattr(trans, name, self._recording(getattr(trans, name), key))

    def _recording(self, lookup, key):
        def record(*args):
            if translation.get_language() == "vi":
                entry = tuple(None if part is None else str(part) for part in key(*args))
                self.looked_up.setdefault(entry, self.request)
            return lookup(*args)

        return record

    def get(self, client, url, data=None, who=None):
        self.request = f"GET {url}" + (f" as {who}" if who else "")
        return self._keep(client.get(url, data))

    def post(self, client, url, data, who=None):
        self.request = f"POST {url}" + (f" as {who}" if who else "")
        return self._keep(client.post(url, data))

    def _keep(self, response):
        if response.get("Content-Type", "").startswith("text/html") and not getattr(response, "streaming", False):
            self.pages[self.request] = response.content.decode()
        return response


def own_messages():
    """The project's own msgids (with their context), as its English catalog holds them; not Django's, which the
    catalog also holds for the templates the project copies from Django (the admin's search form)."""
    with open(settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.mo", "rb") as english:
        keys = {key[0] if isinstance(key, tuple) else key for key in gettext.GNUTranslations(english)._catalog}
    return keys - {message for po in dependency_catalogs() for message in po_messages(po)}


def untranslated(looked_up):
    """The looked-up messages of Django or a dependency that come back in English."""
    own = own_messages()
    # Some of Django's code looks up text already translated (a model's verbose names, a language's name).
    translated = {value for _key, value in translation.trans_real.translation("vi")._catalog.items()}
    missing = []
    with translation.override("vi"):
        for (context, message, plural), request in sorted(looked_up.items(), key=str):
            if (f"{context}\x04{message}" if context else message) in own:
                continue
            if message in translated or message in SAME_IN_VIETNAMESE:
                continue
            if plural is None:
                found = translation.pgettext(context, message) if context else translation.gettext(message)
            elif context:
                found = translation.npgettext(context, message, plural, 2)
            else:
                found = translation.ngettext(message, plural, 2)
            if found in (message, plural):
                missing.append(f"{message!r} (context {context!r}) on {request}")
    return missing


def po_messages(path):
    """The msgids and plural msgids of a .po file."""
    messages = set()
    for _kind, text in re.findall(r'^(msgid|msgid_plural) ((?:".*"\n?)+)', path.read_text(encoding="utf-8"), re.M):
        message = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text))
        messages.add(message.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\"))
    return messages - {""}


def dependency_catalogs():
    """The .po files of Django and of every installed app outside the project: English where the package ships
    it (Django does), otherwise every language it ships, whose msgids are the same English."""
    own = Path(settings.BASE_DIR).resolve()
    roots = [Path(django.__file__).parent / "conf"] + [
        path
        for path in (Path(config.path).resolve() for config in apps.get_app_configs())
        if "site-packages" in path.parts or not path.is_relative_to(own)
    ]
    for root in roots:
        english = sorted((root / "locale" / "en" / "LC_MESSAGES").glob("*.po"))
        yield from english or sorted((root / "locale").glob("*/LC_MESSAGES/*.po"))


# A msgid's placeholders (%(name)s, %d, {}), which match any text, and the English words it is counted by.
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{[^{}]*\}")
_WORD = re.compile(r"[A-Za-z]{2,}")


@functools.cache
def english_phrases():
    """English sentences and phrases of Django's and the dependencies' catalogs, as patterns to find in a page's
    text: every msgid of two words or more, its placeholders matching any text. Read from the installed catalogs
    each run, so a message a new version adds is checked without editing this list."""
    phrases = {}
    for po in dependency_catalogs():
        for message in po_messages(po):
            literal = [part for part in _PLACEHOLDER.split(message) if _WORD.search(part)]
            words = {word for part in literal for word in _WORD.findall(part)}
            if sum(len(_WORD.findall(part)) for part in literal) < 2:
                continue
            pattern = r".{1,80}?".join(r"\s+".join(re.escape(word) for word in part.split()) for part in literal)
            phrases[message] = (frozenset(words), re.compile(rf"(?<![A-Za-z]){pattern}(?![A-Za-z])"))
    return phrases


class _Text(HTMLParser):
    """What a reader sees of a page: its text outside scripts and styles, and the texts of titles, placeholders,
    labels read aloud, pictures' alternatives and buttons."""

    SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self):
        super().__init__()
        self.parts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        attributes = dict(attrs)
        for name, value in attributes.items():
            if value and (
                name in self.SHOWN_ATTRIBUTES
                or (name == "value" and attributes.get("type") in ("submit", "button", "reset"))
            ):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html):
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_on_pages(pages):
    """Each English message of Django or a dependency found in a page's visible text: the text found, its msgid,
    the first page it is on and how many others."""
    phrases = english_phrases()
    found = {}
    for request, html in sorted(pages.items()):
        text = visible_text(html)
        words = set(_WORD.findall(text))
        for message, (needed, pattern) in phrases.items():
            if needed <= words and (match := pattern.search(text)):
                found.setdefault((message, match[0]), []).append(request)
    return [
        f"{shown!r} (msgid {message!r}) on {requests[0]}" + (f" and {len(requests) - 1} more" if requests[1:] else "")
        for (message, shown), requests in sorted(found.items())
    ]


# A percentage written the English way ("21.7%"); Vietnamese writes "21,7%" (common/numbers.py).
ENGLISH_PERCENT = re.compile(r"(?<![\d.,])\d+\.\d+\s?%")


def english_numbers_on_pages(pages):
    """Each percentage written the English way in a page's visible text, with the first page showing it."""
    found = {}
    for request, html in sorted(pages.items()):
        for shown in ENGLISH_PERCENT.findall(visible_text(html)):
            found.setdefault(shown, request)
    return [f"{shown!r} on {request}" for shown, request in sorted(found.items())]


def assert_no_english(recorder):
    """Fails listing every English message looked up, every English text on a page, then every percentage written
    the English way, one per line."""
    problems = [f"looked up in English: {line}" for line in untranslated(recorder.looked_up)]
    problems += [f"English on the page: {line}" for line in english_on_pages(recorder.pages)]
    problems += [f"number written the English way: {line}" for line in english_numbers_on_pages(recorder.pages)]
    assert not problems, "\n".join(["", *problems])


@pytest.fixture(scope="module")
def world_with_superuser(django_db_setup, django_db_blocker, tmp_path_factory):
    """The access matrix's world, with a superuser for the pages only a superuser opens."""
    cache.clear()
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        world = matrix_world()
        world.superuser = factories.UserFactory(username="quantri", is_staff=True, is_superuser=True)
        yield world
        transaction.set_rollback(True)


def test_every_page_shows_django_and_its_dependencies_in_vietnamese(world_with_superuser, db, client_for, monkeypatch):
    recorder = Recorder(monkeypatch)
    for persona in ("superuser", "center_staff", "trainee_x", None):
        client = client_for(getattr(world_with_superuser, persona) if persona else None)
        for endpoint in endpoints():
            recorder.get(client, concrete_url(endpoint, world_with_superuser, "a"), who=persona or "visitor")

    assert_no_english(recorder)


def test_form_errors_and_admin_messages_are_in_vietnamese(world_with_superuser, db, client_for, monkeypatch):
    world = world_with_superuser
    recorder = Recorder(monkeypatch)
    visitor = client_for()
    recorder.post(visitor, reverse("login"), {"username": "khong-co", "password": "sai"})
    recorder.post(visitor, reverse("admin:login"), {"username": "khong-co", "password": "sai"})
    recorder.post(visitor, reverse("password-reset"), {"email": "khong-phai-dia-chi"})
    recorder.post(visitor, reverse("password-reset"), {})
    world.trainee_x.refresh_from_db()
    link = reverse(
        "password-reset-confirm",
        args=[
            urlsafe_base64_encode(force_bytes(world.trainee_x.pk)),
            default_token_generator.make_token(world.trainee_x),
        ],
    )
    form_url = recorder.get(visitor, link)["Location"]
    for password, again in [("a", "b"), ("12345678", "12345678"), ("hocvien.x", "hocvien.x"), ("", "")]:
        recorder.post(visitor, form_url, {"new_password1": password, "new_password2": again})

    for user in (world.superuser, world.center_staff):
        staff = client_for(user)
        recorder.post(
            staff, reverse("admin:password_change"), {"old_password": "sai", "new_password1": "a", "new_password2": "b"}
        )
        for model in admin.site._registry:
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            changelist = reverse(f"{name}_changelist")
            recorder.get(staff, changelist, {"q": "khong-co-ket-qua"})
            recorder.post(staff, changelist, {"action": "delete_selected", "index": 0})
            recorder.post(staff, changelist, {"action": "", "index": 0})
            recorder.post(staff, reverse(f"{name}_add"), {})
            first = model._default_manager.first()
            if first is not None:
                recorder.post(
                    staff, changelist, {"action": "delete_selected", "index": 0, "_selected_action": [first.pk]}
                )
                recorder.post(staff, reverse(f"{name}_change", args=[first.pk]), {})

    superuser = client_for(world.superuser)
    recorder.post(
        superuser,
        reverse("admin:auth_user_add"),
        {"username": "hocvien.x", "usable_password": "true", "password1": "a", "password2": "b"},
    )
    recorder.post(
        superuser,
        reverse("admin:auth_user_password_change", args=[world.trainee_x.pk]),
        {"usable_password": "true", "password1": "a", "password2": "b"},
    )
    center = client_for(world.center_staff)
    recorder.post(center, reverse("admin:courses_lecturer_delete", args=[world.lecturer.pk]), {"post": "yes"})
    recorder.get(center, reverse("admin:courses_lecturer_changelist"))

    assert_no_english(recorder)


def admin_script_messages():
    """(context, msgid) of every message Django's admin scripts look up, from Django's own message list."""
    po = Path(django.__file__).parent / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po"
    messages = set()
    for entry in po.read_text(encoding="utf-8").split("\n\n"):
        parts = {
            field: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text)).replace('\\"', '"')
            for field, text in re.findall(r'^(msgctxt|msgid|msgid_plural) ((?:".*"\n?)+)', entry + "\n", re.M)
        }
        if parts.get("msgid"):
            messages.add((parts.get("msgctxt", ""), parts["msgid"]))
    return messages


def test_the_admin_scripts_catalog_is_in_vietnamese(world_with_superuser, db, client_for):
    script = client_for(world_with_superuser.center_staff).get(reverse("admin:jsi18n")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", script, re.S)[1])

    missing = [
        (context, message)
        for context, message in sorted(admin_script_messages())
        if not catalog.get(f"{context}\x04{message}" if context else message)
    ]

    assert missing == []


@pytest.mark.parametrize(("message", "wrong"), MISTRANSLATED.items())
def test_djangos_mistranslations_are_corrected(message, wrong):
    with translation.override("vi"):
        assert translation.gettext(message) not in (wrong, message)


def test_the_task_queue_app_is_named_in_vietnamese(world_with_superuser, db, client_for):
    """django-tasks-db names its app in plain English, out of any catalog's reach; the project renames it."""
    index = client_for(world_with_superuser.superuser).get(reverse("admin:index")).content.decode()

    assert "Tác vụ nền" in index
    assert "Tasks Database Backend" not in index


def test_history_pages_show_no_english_of_simple_history(world_with_superuser, db, client_for):
    """simple_history prints a missing change reason as "None" and names the app by its label and the list by
    "Historical …" in its breadcrumbs; the project's templates show "-" and the verbose names."""
    certificate = world_with_superuser.certificate_a
    staff = client_for(world_with_superuser.center_staff)
    history_url = reverse("admin:certificates_certificate_history", args=[certificate.pk])
    version = certificate.history.earliest("history_date")
    version_url = reverse("admin:certificates_certificate_simple_history", args=[certificate.pk, version.history_id])
    version.history_change_reason = None
    version.save()

    history = staff.get(history_url).content.decode()
    breadcrumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', staff.get(version_url).content.decode(), re.S)[1]

    assert re.search(r"<td>\s*None\s*</td>", history) is None
    assert "Giấy chứng nhận" in breadcrumbs
    assert "Historical" not in breadcrumbs
    assert ">Certificates<" not in breadcrumbs


def test_the_text_check_finds_english_only_where_a_reader_sees_it():
    page = (
        '<p>Đã lọc <a href="#">Show counts</a></p><script>const hint = "Hide counts";</script>'
        '<input type="submit" value="Save and add another"><p title="Add another Lớp học">x</p>'
    )

    found = english_on_pages({"GET /admin/x/": page})

    assert {re.search(r"msgid '([^']*)'", line)[1] for line in found} == {
        "Add another %(verbose_name)s",
        "Add another %(model)s",
        "Save and add another",
        "Show counts",
    }
    assert all(line.endswith("on GET /admin/x/") for line in found)


def test_the_number_check_finds_percentages_written_the_english_way():
    pages = {
        "GET /a/ as x": "<p>63,0% và 21.7%</p><script>var x = '9.5%';</script>",
        "GET /b/ as x": "<p>1.234 người</p>",
    }
    assert english_numbers_on_pages(pages) == ["'21.7%' on GET /a/ as x"]


def test_the_word_list_comes_from_the_installed_catalogs():
    phrases = english_phrases()

    for message in ("Please correct the error below.", "Show counts", "Change history: %s", "Access attempts"):
        assert message in phrases or message.lower() in {phrase.lower() for phrase in phrases}, message


def test_a_failed_admin_form_asks_in_vietnamese_to_correct_its_errors(world_with_superuser, db, client_for):
    staff = client_for(world_with_superuser.center_staff)

    page = visible_text(staff.post(reverse("admin:courses_lecturer_add"), {}).content.decode())

    assert "Hãy sửa các lỗi dưới đây." in page
    assert "Please correct" not in page


def test_filter_panels_and_history_buttons_are_in_vietnamese(world_with_superuser, db, client_for):
    staff = client_for(world_with_superuser.center_staff)
    certificate = world_with_superuser.certificate_a

    changelist = visible_text(staff.get(reverse("admin:certificates_certificate_changelist")).content.decode())
    change = visible_text(
        staff.get(reverse("admin:certificates_certificate_change", args=[certificate.pk])).content.decode()
    )

    assert "Hiện số lượng" in changelist and "Show counts" not in changelist
    assert "Lịch sử" in change and "Bản ghi nhớ" not in change


def test_permissions_are_named_in_vietnamese_after_migrate(db):
    """Django stores "Can add …" names; the group and user forms list them."""
    names = dict(Permission.objects.values_list("codename", "name"))

    assert names["add_group"].lower() == "thêm nhóm"
    assert names["view_logentry"] == "Xem mục nhật ký quản trị"
    assert names["change_accessattempt"].startswith("Sửa ")
    assert names["view_historicalcertificate"] == "Xem lịch sử giấy chứng nhận"
    assert not [name for name in names.values() if name.startswith("Can ") or "historical" in name]


def test_english_django_and_its_dependencies_write_outside_their_catalogs_is_translated(
    world_with_superuser, db, client_for
):
    """Texts a word list cannot catch: the search box's picture (alt="Search" in Django's template), the labels
    django-tasks-db's admin writes as plain strings, the link rows a group's deletion lists."""
    superuser = client_for(world_with_superuser.superuser)
    group = Group.objects.filter(permissions__isnull=False).first()

    changelist = superuser.get(reverse("admin:courses_program_changelist")).content.decode()
    tasks = visible_text(superuser.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).content.decode())
    deleting = visible_text(superuser.get(reverse("admin:auth_group_delete", args=[group.pk])).content.decode())

    assert 'alt="Tìm kiếm"' in changelist and 'alt="Search"' not in changelist
    assert "Tên tác vụ" in tasks and "Task name" not in tasks
    assert "liên kết" in deleting.lower() and "relationship" not in deleting
