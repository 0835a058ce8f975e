"""The demo's sample files: each is in the shape it claims and imports cleanly, once."""

import datetime
import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from courses.models import Course
from demo.builder import CENTER_STAFF_LOGIN, OFFICER_LOGIN, seed_demo
from demo.import_samples import demo_samples, write_samples
from enrollments.nomination_import import import_nominations
from organizations.tree_import import import_organizations

# Who imports each sample: the officer its own lists, the center what it receives from others.
IMPORTED_BY = {
    "to-chuc-cap-nhat-hang-nam.xlsx": CENTER_STAFF_LOGIN,
    "dang-vien-don-vi.xlsx": OFFICER_LOGIN,
    "cu-di-hoc-excel.xlsx": OFFICER_LOGIN,
    "cu-di-hoc-libreoffice.xlsx": CENTER_STAFF_LOGIN,
}


@pytest.fixture
def demo(db):
    seed_demo("small")
    # The class open for nominations: of the open ones, the one starting last (the others are under way).
    course = Course.objects.filter(status=Course.Status.OPEN).order_by("-start_date").first()
    # The demo's deadline is a fixed date; the samples must import whatever today is.
    course.nomination_deadline = timezone.localdate() + datetime.timedelta(days=7)
    course.save()
    return course, demo_samples()


def run(name, data, course):
    user = get_user_model().objects.get(username=IMPORTED_BY[name])
    if name.startswith("cu-di-hoc"):
        return import_nominations(data, course=course, by=user, file_name=name)
    return import_organizations(data, by=user, file_name=name)


@pytest.mark.parametrize("name", IMPORTED_BY)
def test_each_sample_imports_cleanly_and_a_second_time_changes_nothing(demo, name):
    course, samples = demo

    first = run(name, samples[name], course)
    second = run(name, samples[name], course)

    assert first.imported, [row.messages for row in first.refused_rows] + first.errors
    assert first.counts["refused"] == 0
    assert first.counts["created"] + first.counts["changed"] > 0
    assert second.previous is not None and not second.imported


def test_the_samples_are_saved_the_way_excel_and_libreoffice_save(demo):
    _course, samples = demo

    for name, data in samples.items():
        archive = zipfile.ZipFile(io.BytesIO(data))
        assert "xl/sharedStrings.xml" in archive.namelist(), name
        application = archive.read("docProps/app.xml")
        assert (b"LibreOffice" in application) == ("libreoffice" in name or name == "dang-vien-don-vi.xlsx")
    sheet = zipfile.ZipFile(io.BytesIO(samples["cu-di-hoc-libreoffice.xlsx"])).read("xl/worksheets/sheet2.xml")
    assert b"<dimension" not in sheet and b' r="A' not in sheet


def test_the_samples_are_written_to_a_folder(demo, tmp_path):
    written = write_samples(tmp_path)

    assert sorted(path.name for path in written) == sorted(IMPORTED_BY)
