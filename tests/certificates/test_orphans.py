"""One stored file per certificate, and the certificate_orphans command: it lists the stored certificate PDFs that
no certificate names, deletes them with --delete, leaves the files of an issue that may still be committing, and is
safe to run again. (Parallel issuers on PostgreSQL: test_concurrency.py.)"""

import datetime
import io
import os

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import stored_pdf
from ops.backup import stored_names

NAMED = "certificates/2021/CC-DBVTH-0001-NAMED.pdf"
OTHER_FOLDER = "reports/bao-cao-2021.xlsx"


def store(name, *, hours_ago=0):
    """A small file stored under the name, last written that many hours ago."""
    saved = default_storage.save(name, ContentFile(b"%PDF-1.7\n%%EOF\n"))
    written = (timezone.now() - datetime.timedelta(hours=hours_ago)).timestamp()
    os.utime(default_storage.path(saved), (written, written))
    return saved


def orphans(*arguments):
    out = io.StringIO()
    call_command("certificate_orphans", *arguments, stdout=out)
    return out.getvalue().splitlines()


def stored():
    # The world's correction reports keep their attachments in the same storage, under corrections/.
    return sorted(name for name in stored_names(default_storage) if not name.startswith("corrections/"))


def test_a_file_left_under_a_certificates_name_is_replaced_not_kept_beside_it(world):
    certificate = world.certificate_a
    name = f"certificates/2021/CC-DBVTH-{certificate.number:04d}-{certificate.verification_code}.pdf"
    store(name, hours_ago=2)  # by an attempt that stored its file and then did not commit

    content = stored_pdf(certificate)

    certificate.refresh_from_db()
    assert certificate.pdf.name == name
    assert stored() == [name]
    with default_storage.open(name, "rb") as file:
        assert file.read() == content


def test_the_command_lists_the_files_no_certificate_names_and_deletes_them_when_asked(world):
    Certificate.objects.filter(pk=world.certificate_a.pk).update(pdf=store(NAMED, hours_ago=5))
    old = [store(f"certificates/2021/CC-DBVTH-0001-NAMED_{suffix}.pdf", hours_ago=3) for suffix in ("aB3", "xY7")]
    old.append(store("certificates/2020/le-ra.pdf", hours_ago=30))
    recent = store("certificates/2021/CC-DBVTH-0002-ISSUING.pdf")  # an issue may be about to commit it
    store(OTHER_FOLDER, hours_ago=30)

    listed = orphans()
    kept = stored()
    deleted = orphans("--delete")
    again = orphans("--delete")

    assert sorted(listed[:-1]) == sorted(old)
    assert listed[-1] == "Có 3 tệp PDF không thuộc giấy chứng nhận nào; chạy lại với --delete để xóa."
    assert kept == sorted([NAMED, *old, recent, OTHER_FOLDER])
    assert sorted(deleted[:-1]) == sorted(old)
    assert deleted[-1] == "Đã xóa 3 tệp PDF không thuộc giấy chứng nhận nào."
    assert stored() == sorted([NAMED, recent, OTHER_FOLDER])
    assert again == ["Không có tệp PDF nào thừa (đã bỏ qua các tệp ghi trong 1 giờ qua)."]


def test_an_empty_storage_has_no_orphans(world):
    assert orphans() == ["Không có tệp PDF nào thừa (đã bỏ qua các tệp ghi trong 1 giờ qua)."]


def test_the_number_of_queries_does_not_grow_with_the_folder(world):
    def queries(count, start):
        for number in range(start, start + count):
            store(f"certificates/2021/CC-DBVTH-{number:04d}-LEFT.pdf", hours_ago=2)
        with CaptureQueriesContext(connection) as captured:
            listed = orphans("--delete")
        return len(captured), len(listed)

    small, small_listed = queries(2, 1)
    large, large_listed = queries(40, 100)

    assert (small_listed, large_listed) == (3, 41)
    assert large == small
