"""Uploads in the personas' world (tests/conftest.py): a file each committee's officer uploaded and has not
imported yet."""

from organizations.models import ImportRecord

WORLD_FILE_NAME = "tai-len-truoc.xlsx"


def add_uploads(world):
    for side, officer, committee in (
        ("a", world.officer_a, world.committee_a),
        ("b", world.officer_b, world.committee_b),
    ):
        sha256 = side * 64
        upload = ImportRecord.objects.create(
            code=f"tai-len-{side}",
            kind=ImportRecord.Kind.ORGANIZATIONS,
            sha256=sha256,
            file_name=WORLD_FILE_NAME,
            stored_name=f"imports/{sha256}.xlsx",
            organization=committee,
            uploaded_by=officer,
        )
        setattr(world, f"upload_{side}", upload)
    return world


def new_uploads():
    """The uploads a test made, without the world's."""
    return ImportRecord.objects.exclude(file_name=WORLD_FILE_NAME)
