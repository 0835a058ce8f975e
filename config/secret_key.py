"""What makes a SECRET_KEY unfit for production: too short, guessable, or published with this repository's files.

Read by the settings, which refuse to start with such a key when DEBUG is off, and by the deploy system check
(`manage.py check --deploy`, ops/checks.py). Django's own check (security.W009) asks only for 50 characters of
which 5 differ; a key that passes it can still be a placeholder copied from deploy/env.example or the docs.

"Published" is tested on the files themselves rather than against a list of known keys, which would miss the next
example someone writes: at start-up the key is looked for in every file under the project folder that git would
ship, that is every file but those the repository's .gitignore names (the virtualenv, the database, stored and
collected files, and var/, where `make serve` keeps its own key). That is about 4 MB read once per process start
with DEBUG off (45 to 90 ms on the 2-core development machine), and it works the same on a git checkout and on a
release unpacked without git.
"""

import fnmatch
import math
import os
from collections import Counter
from itertools import pairwise
from pathlib import Path

MIN_LENGTH = 50
# Estimated from the key's own character frequencies (Shannon). 50 random digits give about 160 bits (136 at the
# least in 100,000 tries), a 64-digit hex key about 245, secrets.token_urlsafe(50) about 350; 60 characters drawn
# from four letters give under 120.
MIN_BITS = 128
# A sequence this long that comes back, or a run like "aaaaaa" or "abcdef": a person's pattern, not chance (for a
# random 64-digit hex key the odds of either are about 1 in 5,000; for token_urlsafe, 1 in a million).
PATTERN_LENGTH = 6
GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key_problems(key: str, *, project_folder: Path) -> list[str]:
    """Why `key` must not sign this installation's sessions and links, in English for the operator; [] if it is
    fit. The project folder is searched only for a key that passes the other tests."""
    if len(key) < MIN_LENGTH:
        return [f"it has {len(key)} characters, fewer than {MIN_LENGTH}"]
    problems = []
    bits = estimated_bits(key)
    if bits < MIN_BITS:
        problems.append(f"it is too predictable: about {bits:.0f} bits of randomness, fewer than {MIN_BITS}")
    if pattern := repeated_pattern(key):
        problems.append(f"it is made of a pattern ({pattern!r})")
    if not problems and (published := file_containing(key, project_folder)):
        problems.append(f"it appears in {published}, a file published with the code: anyone with the code has it")
    return problems


def estimated_bits(key: str) -> float:
    counts = Counter(key)
    return sum(count * math.log2(len(key) / count) for count in counts.values())


def repeated_pattern(key: str) -> str | None:
    """The first sequence of PATTERN_LENGTH characters that occurs twice in `key`, or that runs by a fixed step of
    0, +1 or -1 ("aaaaaa", "abcdef", "654321"); or None."""
    seen = set()
    for start in range(len(key) - PATTERN_LENGTH + 1):
        sequence = key[start : start + PATTERN_LENGTH]
        steps = {ord(b) - ord(a) for a, b in pairwise(sequence)}
        if sequence in seen or (len(steps) == 1 and steps <= {0, 1, -1}):
            return sequence
        seen.add(sequence)
    return None


def file_containing(key: str, project_folder: Path) -> str | None:
    """The path (relative to the project folder) of the first published file that holds `key`, or None."""
    needle = key.encode()
    for relative in published_files(project_folder):
        try:
            with open(os.path.join(project_folder, relative), "rb") as file:
                if needle in file.read():
                    return relative
        except OSError:  # a file removed or unreadable while the folder is walked holds nothing to find
            continue
    return None


def published_files(project_folder: Path):
    """The relative path of every file under the project folder but git's own and those the top-level .gitignore
    names. The patterns read are the forms this repository uses: `name`, `*.ext`, `folder/` (each at any depth)
    and `/path` (from the top)."""
    patterns = _ignore_patterns(project_folder)
    for folder, subfolders, files in os.walk(project_folder):
        relative = os.path.relpath(folder, project_folder)
        prefix = "" if relative == "." else relative + "/"
        subfolders[:] = sorted(name for name in subfolders if not _ignored(prefix, name, True, patterns))
        for name in sorted(files):
            if not _ignored(prefix, name, False, patterns):
                yield prefix + name


def _ignore_patterns(project_folder):
    try:
        lines = (Path(project_folder) / ".gitignore").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    patterns = [("/.git", False)]  # a folder in a clone, a file in a worktree
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append((line.rstrip("/"), line.endswith("/")))
    return patterns


def _ignored(prefix, name, is_folder, patterns):
    for pattern, folders_only in patterns:
        if folders_only and not is_folder:
            continue
        if "/" in pattern:  # anchored at the project folder
            if fnmatch.fnmatchcase(prefix + name, pattern.lstrip("/")):
                return True
        elif fnmatch.fnmatchcase(name, pattern):
            return True
    return False
