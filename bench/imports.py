"""Excel import speed: the bloc's whole tree, and a 500-row nomination list through the admin pages.

    python bench/imports.py [--rows 500] [--seed 2021]

Builds a throw-away SQLite database and media folder in a temporary directory (or uses DATABASE_URL when
set, which must name an empty database), then prints:
- the full-scale tree (1,092 grassroots organizations, 5,939 cells, every current post holder of the demo
  plan) written as one workbook, previewed and imported with import_organizations (as the command does);
- a nomination list of --rows members of that tree: its preview and import by the service, and the same
  through the admin (upload, preview page, confirm), as the center's staff.
Each figure is one run, wall-clock.
"""

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(workdir):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no request log lines between the figures
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(label, function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"{label:<58} {seconds:8.2f} s")
    return result, seconds


def full_tree(seed):
    from demo.builder import SCALES
    from demo.import_samples import tree_workbook
    from demo.tree import PeoplePlanner, build_tree

    rng = random.Random(seed)
    tree = build_tree(rng, SCALES["full"])
    people = PeoplePlanner(rng, tree).plan()
    return tree_workbook(tree, people)


def nomination_list(rows, title="DANH SÁCH CỬ ĐI HỌC"):
    """The first `rows` post holders of the imported tree, as a committee would list them."""
    import openpyxl

    from organizations.models import Member

    members = Member.objects.select_related("organization").order_by("pk")[:rows]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append([title])
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Chi bộ / Đảng bộ", "Đơn vị công tác"])
    for number, member in enumerate(members, 1):
        sheet.append(
            [
                number,
                member.full_name.upper(),
                member.birth_date.strftime("%d/%m/%Y"),
                member.get_gender_display(),
                "",
                member.organization.code,
                member.workplace,
            ]
        )
    from common.imports.spreadsheets import save

    return save(workbook)


def open_course(capacity):
    from courses.models import Course, Program
    from organizations.models import Organization

    today = datetime.date.today()
    program = Program.objects.create(code="BTCB", name="Bồi dưỡng nghiệp vụ công tác đảng", status="issued")
    return Course.objects.create(
        code="BENCH-K1-L1",
        program=program,
        organizer=Organization.objects.get(depth=1),
        year=today.year,
        intake=1,
        number=1,
        start_date=today + datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=35),
        nomination_deadline=today + datetime.timedelta(days=20),
        capacity=capacity,
        status=Course.Status.OPEN,
    )


def center_staff():
    from django.contrib.auth.models import Group, User

    from organizations import roles
    from organizations.models import Officer, Organization

    roles.sync_role_groups()
    user = User.objects.create_user("bench.trungtam", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    Officer.objects.create(user=user, organization=Organization.objects.get(depth=1))
    return user


def admin_import(user, course, data):
    """Upload, preview page and confirm through the admin, as a browser would; returns the three timings."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    url = reverse("admin:enrollments_enrollment_import")
    upload = SimpleUploadedFile("danh-sach.xlsx", data)
    response, upload_seconds = timed(
        "  upload (checks and reads the file, keeps it)", client.post, url, {"course": course.pk, "file": upload}
    )
    assert response.status_code == 302, response.content[:2000]
    preview_url = response["Location"]
    response, preview_seconds = timed("  preview page (every row, rendered)", client.get, preview_url)
    assert response.status_code == 200 and "Không nhận" in response.content.decode()
    response, confirm_seconds = timed("  confirm (imports, then redirects)", client.post, preview_url, {})
    assert response.status_code == 302, response.content[:2000]
    return upload_seconds, preview_seconds, confirm_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=500, help="rows of the nomination list")
    parser.add_argument("--seed", type=int, default=2021, help="seed of the planned tree")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(Path(folder))
        from django.db import connection

        from enrollments.models import Enrollment
        from enrollments.nomination_import import import_nominations
        from organizations.models import Appointment, Member, Organization
        from organizations.tree_import import import_organizations

        print(f"database: {connection.vendor}")
        print("The full-scale tree")
        data, _ = timed("  plan the demo tree and write it as a workbook", full_tree, arguments.seed)
        print(f"  file: {len(data) / 1024 / 1024:.1f} MB")
        preview, _ = timed("  preview (dry run: read, match, plan)", import_organizations, data, by=None, dry_run=True)
        report, _ = timed("  import (one transaction)", import_organizations, data, by=None, file_name="cay.xlsx")
        kinds = Organization.Kind
        grassroots = Organization.objects.filter(kind__in=[kinds.GRASSROOTS_COMMITTEE, kinds.GRASSROOTS_CELL]).count()
        print(
            f"  imported: {report.imported}; rows {report.counts}; organizations {Organization.objects.count()} "
            f"(grassroots {grassroots}, cells {Organization.objects.filter(kind=kinds.CELL).count()}); "
            f"members {Member.objects.count()}; current posts {Appointment.objects.filter(is_current=True).count()}"
        )
        again, _ = timed("  the same file again (recognized by its SHA-256)", import_organizations, data, by=None)
        assert again.previous is not None

        print(f"A nomination list of {arguments.rows} rows")
        course = open_course(capacity=arguments.rows * 3)
        user = center_staff()
        data = nomination_list(arguments.rows)
        report, _ = timed(
            "  preview by the service (dry run)", import_nominations, data, course=course, by=user, dry_run=True
        )
        assert report.counts["created"] == arguments.rows, report.counts
        report, _ = timed(
            "  import by the service", import_nominations, data, course=course, by=user, file_name="a.xlsx"
        )
        assert report.imported and Enrollment.objects.filter(course=course).count() == arguments.rows
        Enrollment.history.all().delete()
        Enrollment.objects.filter(course=course).delete()
        print("  through the admin:")
        # The same rows in another file: the file imported above would be recognized and left alone.
        admin_import(user, course, nomination_list(arguments.rows, title="DANH SÁCH CỬ ĐI HỌC (gửi lại)"))
        print(f"  nominated: {Enrollment.objects.filter(course=course).count()}")


if __name__ == "__main__":
    main()
