"""The import commands: dry runs, imports, refusals with their messages, the error report, a second run."""

from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from enrollments.models import Enrollment
from organizations.models import Member, Organization
from tests.imports.workbooks import xlsx

ORGANIZATIONS = [
    ["Mã tổ chức", "Tên tổ chức", "Loại", "Mã tổ chức cấp trên"],
    ["DU-A-CS2", "Đảng bộ Cục Lãnh sự", "Đảng bộ cơ sở", "DU-A"],
]
PEOPLE = [
    ["Họ và tên", "Ngày sinh", "Mã tổ chức", "Chức vụ", "Nhiệm kỳ", "Từ ngày"],
    ["Hoàng Văn Minh", "12/09/1978", "DU-A-CS2", "Bí thư", "2020-2025", "15/06/2020"],
]


@pytest.fixture
def tree_file(tmp_path):
    path = tmp_path / "cap-nhat.xlsx"
    path.write_bytes(xlsx(("Tổ chức", ORGANIZATIONS), ("Người", PEOPLE)))
    return path


def command(name, *args):
    out = StringIO()
    call_command(name, *map(str, args), stdout=out)
    return out.getvalue()


def test_a_dry_run_prints_what_would_change_and_writes_nothing(world, tree_file):
    out = command("import_organizations", tree_file, "--dry-run")

    assert "Thêm mới: 2, cập nhật: 0, không đổi: 0, không nhận: 0" in out
    assert "Chạy thử: không có gì được ghi." in out
    assert not Organization.objects.filter(code="DU-A-CS2").exists()


def test_the_import_writes_and_a_second_run_of_the_same_file_changes_nothing(world, tree_file):
    first = command("import_organizations", tree_file)
    second = command("import_organizations", tree_file)

    assert "Đã nhập xong." in first
    assert "nhập lại không thay đổi gì" in second
    assert Member.objects.filter(full_name="Hoàng Văn Minh").count() == 1


def test_refused_rows_fail_the_command_unless_valid_rows_only_and_the_report_is_written(world, tmp_path):
    path = tmp_path / "loi.xlsx"
    path.write_bytes(xlsx(("Người", [*PEOPLE, ["Lê Văn Tư", "31/02/1980", "DU-A-CS1-CB1", "", "", ""]])))
    report = tmp_path / "bao-cao.xlsx"

    with pytest.raises(CommandError, match="Không có gì được nhập"):
        command("import_organizations", path, "--report", report)
    with pytest.raises(CommandError):  # DU-A-CS2 does not exist: that row is refused as well
        command("import_organizations", path)
    out = command("import_organizations", path, "--valid-only")

    assert "Dòng 3, cột Ngày sinh: '31/02/1980' không phải ngày hợp lệ" in out
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0][-1] == "Lỗi"
    assert rows[2][-1] == "Dòng 3, cột Ngày sinh: '31/02/1980' không phải ngày hợp lệ"


def test_an_unreadable_file_fails_with_the_readers_message(world, tmp_path):
    path = tmp_path / "danh-sach.csv"
    path.write_text("Họ và tên,Ngày sinh\n")

    with pytest.raises(CommandError, match="CSV"):
        command("import_organizations", path)


def test_import_nominations_creates_members_when_asked_and_nominates_them(world, course, tmp_path):
    path = tmp_path / "cu-di-hoc.xlsx"
    header = ["STT", "Họ và tên", "Ngày sinh", "Chi bộ / Đảng bộ"]
    path.write_bytes(xlsx(("DS", [header, [1, "Phạm Văn Mới", "1/2/1990", "DU-A-CS1-CB1"]])))

    with pytest.raises(CommandError):
        command("import_nominations", path, "--course", course.code)
    out = command("import_nominations", path, "--course", course.code, "--create-members", "--by", "canbo.a")

    assert "Thêm mới: 1" in out
    enrollment = Enrollment.objects.get(course=course)
    assert enrollment.member.full_name == "Phạm Văn Mới"
    assert enrollment.nominated_by == world.committee_a  # as the officer named by --by nominates


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(world, tree_file, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    tree_file.write_bytes(tree_file.read_bytes() + b"\x00" * (2 * 1024 * 1024))

    with pytest.raises(CommandError, match="Tệp lớn quá: 2,0 MB, tối đa 1 MB."):
        command("import_organizations", tree_file)

    assert not Organization.objects.filter(code="DU-A-CS2").exists()


def test_import_nominations_refuses_an_unknown_course(world, tmp_path):
    with pytest.raises(CommandError, match="Không có lớp nào mã KHONG-CO"):
        command("import_nominations", tmp_path / "x.xlsx", "--course", "KHONG-CO")
