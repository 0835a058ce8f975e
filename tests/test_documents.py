"""The documents name only files that exist, and the README stays a page a newcomer reads."""

import os
import re
from pathlib import Path
from zoneinfo import available_timezones

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", "docs/architecture.md", "bench/README.md", "deploy/README.md"]
README_MAX_BYTES = 12_000
TIME_ZONES = available_timezones()  # Asia/Ho_Chi_Minh looks like a path

FENCED_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
FILE_ENDINGS = (".py", ".md", ".sh", ".txt", ".toml", ".cfg", ".ini", ".json", ".lua", ".html", ".po", ".yml", ".yaml")
ENDING = "|".join(re.escape(ending) for ending in FILE_ENDINGS)
# A file name in prose: not part of a URL (https://...), a URL path (/my/data.pdf) or a dotted name.
FILE_NAME = re.compile(rf"(?<![\w/.:-])[A-Za-z0-9_][\w./-]*(?:{ENDING})\b")
# A repository path: folders and a name made of these characters, nothing a command or URL would add.
PATH_LIKE = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_./-]*")
# Folders the product writes while it runs (var/secret_key, media/...), ignored by git: named, never shipped.
RUNTIME_FOLDERS = tuple(
    line.strip().strip("/") + "/"
    for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    if re.fullmatch(r"/[^/]+/", line.strip())
)


def repository_path(text):
    """The repository path that a piece of inline code names, or None for anything else: a command, an
    option, a URL or a URL path (/my/, /admin/), an absolute path outside the repository, a dotted name."""
    text = text.strip()
    if not PATH_LIKE.fullmatch(text) or text.startswith((".venv", "..", *RUNTIME_FOLDERS)):
        return None
    if text in TIME_ZONES:
        return None
    if not re.search(r"[A-Za-z]", text.split("/", 1)[0]):
        return None  # a date or a register number: 5/3/1975, 0001/2026/CC-TTBDCT
    if "/" not in text and not text.endswith(FILE_ENDINGS):
        return None
    return text


def linked_path(document, target):
    """The repository path a Markdown link points to, relative to the document, or None for a web address."""
    if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
        return None
    target = target.split("#", 1)[0]
    if not target:
        return None
    return Path(os.path.normpath(Path(document).parent / target)).as_posix()


def named_paths(document, text=None):
    """Every repository path a document names: in inline code, as a link's target, or as a file name in prose
    ("as DESIGN.md says"). Fenced blocks are commands, and are left out."""
    if text is None:
        text = (ROOT / document).read_text(encoding="utf-8")
    prose = FENCED_BLOCK.sub("", text)
    paths = {repository_path(code) for code in INLINE_CODE.findall(prose)}
    paths |= {linked_path(document, target) for target in LINK.findall(prose)}
    plain = LINK.sub("]", INLINE_CODE.sub("", prose))
    paths |= {repository_path(name) for name in FILE_NAME.findall(plain)}
    return sorted(path for path in paths if path)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_path_a_document_names_exists(document):
    missing = [path for path in named_paths(document) if not (ROOT / path).exists()]
    assert not missing, f"{document} names files that are not in the repository: {', '.join(missing)}"


def test_the_documents_name_repository_paths():
    """The extraction finds what it should, so the test above is not passing on an empty list."""
    assert "docs/architecture.md" in named_paths("README.md")
    assert "deploy/gunicorn.conf.py" in named_paths("bench/README.md")
    assert named_paths("README.md", "Compliance (DESIGN.md): see `organizations/pdf.py`.") == [
        "DESIGN.md",
        "organizations/pdf.py",
    ]
    assert repository_path("/my/") is None
    assert repository_path("--ignore=tests/browser") is None
    assert repository_path("https://example.org/a.md") is None
    assert repository_path("settings.HOUSEKEEPING") is None
    assert repository_path("organizations.access_log.record_access") is None
    assert linked_path("bench/README.md", "../docs/architecture.md#caches") == "docs/architecture.md"
    assert repository_path("var/secret_key") is None
    assert repository_path("0001/2026/CC-TTBDCT") is None
    assert repository_path("Asia/Ho_Chi_Minh") is None


def test_readme_is_a_page_a_newcomer_reads():
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes, more than {README_MAX_BYTES}"
