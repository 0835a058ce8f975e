"""Stored certificate PDFs that no certificate names: left by parallel issuing before each certificate had one file
written once, or by an attempt that stored its files and then did not commit. They hold holders' names and birth
dates and go into every backup, so the certificate_orphans command lists them and deletes them when asked."""

import datetime
from collections.abc import Iterator

from django.utils import timezone

from certificates.models import Certificate
from ops.backup import stored_names

# Issuing stores a course's files just before it commits: a file this recent may be named by a commit to come.
GRACE = datetime.timedelta(hours=1)
CHUNK = 1000  # names per IN (...) list


def orphan_pdfs(*, delete: bool = False) -> Iterator[str]:
    """The names of the stored files in the certificates' folder that no certificate names and that were last
    written more than GRACE ago; each deleted before it is given when `delete`. Names are checked a thousand at a
    time, each chunk just before it is given, so a large folder costs one query per thousand files."""
    storage = Certificate._meta.get_field("pdf").storage
    cutoff = timezone.now() - GRACE
    folder = Certificate._meta.get_field("pdf").upload_to.rstrip("/")  # type: ignore[union-attr]  # a str here
    chunk = []
    for name in stored_names(storage, folder):
        chunk.append(name)
        if len(chunk) == CHUNK:
            yield from _unnamed(storage, chunk, cutoff, delete)
            chunk = []
    yield from _unnamed(storage, chunk, cutoff, delete)


def _unnamed(storage, names, cutoff, delete):
    named = set(Certificate.objects.filter(pdf__in=names).values_list("pdf", flat=True))
    for name in names:
        if name not in named and storage.get_modified_time(name) < cutoff:
            if delete:
                storage.delete(name)
            yield name
