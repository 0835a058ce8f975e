"""A production SECRET_KEY must be long, random and the installation's own: a key found in any file of the code
(deploy/env.example's placeholder, a line of the docs), or a short, patterned or predictable one stops the start with
DEBUG off, and `check --deploy` reports it whatever DEBUG is. A random key of the usual generators passes."""

import random
import string
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.secret_key import estimated_bits, published_files, repeated_pattern, secret_key_problems
from ops.checks import secret_key_is_private_and_random
from tests.production.processes import ROOT, production_environment, run_manage

REFUSED = "SECRET_KEY must be set to a long random string made for this installation"
# The placeholder deploy/env.example shipped with: 87 characters, which the old guard took as a key.
OLD_PLACEHOLDER = "replace-with-the-output-of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def generated_key(alphabet, length, seed):
    """A key as a random generator makes one, the same at every run (a key written here would be in the code)."""
    return "".join(random.Random(seed).choices(alphabet, k=length))


def env_example_key():
    for line in (ROOT / "deploy" / "env.example").read_text().splitlines():
        if line.startswith("SECRET_KEY="):
            return line.removeprefix("SECRET_KEY=")
    raise AssertionError("deploy/env.example sets no SECRET_KEY")


def a_line_of_the_docs_fit_for_a_key():
    """64 characters of README.md that are long and varied enough to pass every test but the repository's."""
    text = (ROOT / "README.md").read_text()
    for start in range(len(text) - 64):
        window = text[start : start + 64]
        if "\n" not in window and estimated_bits(window) >= 128 and not repeated_pattern(window):
            return window
    raise AssertionError("README.md has no such line")


def starts(secret_key):
    return run_manage("check", environment=production_environment(SECRET_KEY=secret_key))


@pytest.mark.parametrize(
    ("secret_key", "reason"),
    [
        (env_example_key(), "it has 0 characters, fewer than 50"),
        (OLD_PLACEHOLDER, "it is made of a pattern ('secret')"),
        (a_line_of_the_docs_fit_for_a_key(), "it appears in README.md, a file published with the code"),
        ("abcde" * 10, "it is made of a pattern ('abcdea')"),
    ],
    ids=["deploy/env.example", "the old placeholder", "copied from the README", "five letters again and again"],
)
def test_the_application_refuses_to_start_with_a_published_or_guessable_key(secret_key, reason):
    process = starts(secret_key)

    assert process.returncode != 0
    assert REFUSED in process.stderr
    assert reason in process.stderr


def test_the_application_starts_with_a_random_key():
    process = starts(generated_key(string.hexdigits[:16], 64, seed=13))

    assert process.returncode == 0, process.stderr


def test_the_deploy_check_reports_a_published_key_with_debug_on():
    """With DEBUG on the settings take any key; `check --deploy` still says this one will not do."""
    environment = production_environment(DEBUG="1", SECRET_KEY=a_line_of_the_docs_fit_for_a_key())

    process = run_manage("check", "--deploy", environment=environment)

    assert process.returncode != 0
    assert "(ops.E001) SECRET_KEY is unfit for production: it appears in README.md" in process.stderr


def test_the_deploy_check_is_silent_for_a_random_key(settings):
    settings.SECRET_KEY = generated_key(string.ascii_letters + string.digits + "-_", 67, seed=5)

    assert secret_key_is_private_and_random(None) == []


@pytest.mark.parametrize(
    ("secret_key", "reason"),
    [
        ("x" * 49, "it has 49 characters, fewer than 50"),
        ("a" * 60, "it is too predictable: about 0 bits of randomness, fewer than 128"),
        ("0123456789" * 6, "it is made of a pattern ('012345')"),
        (string.ascii_letters + string.digits, "it is made of a pattern ('abcdef')"),
        ("9" + string.digits[::-1] * 5, "it is made of a pattern ('987654')"),
        (generated_key("acgt", 60, seed=1), "it is too predictable: about 119 bits of randomness, fewer than 128"),
        ("Mật khẩu của Trung tâm Bồi dưỡng chính trị, mật khẩu mạnh lắm!", "it is made of a pattern ('ật khẩ')"),
    ],
    ids=["short", "one character", "digits again", "the alphabet", "a countdown", "four letters", "a sentence"],
)
def test_low_entropy_keys_are_refused(secret_key, reason):
    assert reason in secret_key_problems(secret_key, project_folder=ROOT)


@pytest.mark.parametrize(
    "secret_key",
    [
        generated_key(string.ascii_letters + string.digits + "-_", 67, seed=1),  # secrets.token_urlsafe(50)
        generated_key(string.hexdigits[:16], 64, seed=2),  # secrets.token_hex(32), openssl rand -hex 32
        generated_key(string.digits, 50, seed=3),
        generated_key(string.printable[:94], 50, seed=4),  # a password manager's
    ],
    ids=["url-safe", "hex", "digits", "printable"],
)
def test_random_keys_of_the_usual_generators_are_accepted(secret_key):
    assert secret_key_problems(secret_key, project_folder=ROOT) == []


@given(piece=st.text(min_size=1, max_size=25), times=st.integers(min_value=2, max_value=60))
def test_a_key_made_of_a_piece_repeated_is_refused(piece, times):
    key = piece * times
    if len(key) >= 50:
        assert secret_key_problems(key, project_folder=Path("/nonexistent")) != []


@pytest.fixture
def project(tmp_path):
    """A project folder with this repository's .gitignore."""
    (tmp_path / ".gitignore").write_text((ROOT / ".gitignore").read_text())
    return tmp_path


def put(folder, name, content):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)


def test_a_key_in_any_file_of_the_code_is_refused_and_the_file_named(project):
    key = generated_key(string.ascii_letters + string.digits, 60, seed=7)
    put(project, "docs/guide/setup.txt", f"For example SECRET_KEY={key} works.\n")

    assert secret_key_problems(key, project_folder=project) == [
        "it appears in docs/guide/setup.txt, a file published with the code: anyone with the code has it"
    ]


@pytest.mark.parametrize(
    "where",
    ["var/secret_key", ".venv/lib/site.py", "media/certificates/a.pdf", "staticfiles/x.css", "db.sqlite3", ".git/x"],
)
def test_a_key_in_files_git_does_not_ship_is_the_installations_own(project, where):
    """`make serve` keeps its key in var/secret_key: that file is not published, nor is anything .gitignore names."""
    key = generated_key(string.ascii_letters + string.digits, 60, seed=8)
    put(project, where, key)

    assert secret_key_problems(key, project_folder=project) == []


def test_the_files_searched_are_the_ones_git_ships():
    """Every file git tracks is searched, and nothing git ignores (the checkout may hold files not yet added)."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    ignored = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    searched = set(published_files(ROOT))

    assert set(tracked.splitlines()) <= searched
    assert searched.isdisjoint(ignored.splitlines())
