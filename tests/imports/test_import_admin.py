"""The admin's import pages: upload, preview row by row, confirm; the error report and the templates; bad
files answered with a message on the form (never a 500); an upload seen only by whoever uploaded it."""

import io
import re

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.imports.spreadsheets import OLE_SIGNATURE, read_tables
from enrollments.models import Enrollment
from enrollments.nomination_import import SPECS as NOMINATION_SPECS
from organizations.models import Member
from organizations.tree_import import SPECS as ORGANIZATION_SPECS
from tests.imports.workbooks import with_entries, xlsx
from tests.imports.world import new_uploads

NOMINATION_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Chi bộ / Đảng bộ"]
UPLOAD_URL = reverse("admin:enrollments_enrollment_import")


def upload(data, name="danh-sach.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def nomination_file(world, *extra_rows):
    rows = [[1, "LÊ MINH CHÂU", world.secretary_a.birth_date, "Bí thư", "DU-A-CS1-CB1"], *extra_rows]
    return xlsx(("DS", [["DANH SÁCH CỬ ĐI HỌC"], [], NOMINATION_HEADER, *rows]))


def post_upload(client, course, data, name="danh-sach.xlsx", **fields):
    return client.post(UPLOAD_URL, {"course": course.pk, "file": upload(data, name), **fields})


def preview_url(response):
    assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
    return response["Location"]


# -- Upload, preview, confirm ----------------------------------------------------------------------------------


def test_an_officer_uploads_previews_and_confirms_a_nomination_list(world, course, client_for):
    client = client_for(world.officer_a)

    url = preview_url(post_upload(client, course, nomination_file(world)))
    preview = client.get(url)
    previewed = Enrollment.objects.filter(course=course).exists()
    confirmed = client.post(url, {})

    assert preview.status_code == 200
    content = preview.content.decode()
    assert "Lê Minh Châu" in content and "cử đi học (Bí thư)" in content
    assert preview.context["counts"]["created"] == 1
    assert not previewed
    assert confirmed["Location"] == reverse("admin:courses_course_nominations", args=[course.pk])
    assert Enrollment.objects.get(course=course).member == world.secretary_a
    followed = client.get(confirmed["Location"])
    assert "Đã nhập tệp danh-sach.xlsx: thêm mới 1" in followed.content.decode()


def test_a_second_click_on_confirm_imports_nothing_more(world, course, client_for):
    client = client_for(world.officer_a)
    url = preview_url(post_upload(client, course, nomination_file(world)))
    client.post(url, {})

    again = client.post(url, {}, follow=True)

    assert "nhập lại không thay đổi gì" in again.content.decode()
    assert Enrollment.objects.filter(course=course).count() == 1


def test_a_list_with_refused_rows_is_imported_only_when_the_valid_rows_are_chosen(world, course, client_for):
    client = client_for(world.officer_a)
    bad = [2, "Trần Văn Đức", "31/02/1980", "", "DU-A-CS1-CB1"]
    url = preview_url(post_upload(client, course, nomination_file(world, bad)))

    preview = client.get(url)
    refused = client.post(url, {})
    accepted = client.post(url, {"valid_only": "on"})

    content = preview.content.decode()
    assert "Dòng 5, cột Ngày sinh: &#x27;31/02/1980&#x27; không phải ngày hợp lệ" in content
    assert reverse("admin:enrollments_enrollment_import_report", args=[url.rstrip("/").rsplit("/", 1)[1]]) in content
    assert refused.status_code == 200
    assert "Chưa nhập" in refused.content.decode()
    assert accepted.status_code == 302
    assert Enrollment.objects.filter(course=course).count() == 1


def test_the_error_report_is_the_file_with_a_column_of_messages(world, course, client_for):
    client = client_for(world.officer_a)
    bad = [2, "Trần Văn Đức", "31/02/1980", "", "DU-A-CS1-CB1"]
    url = preview_url(post_upload(client, course, nomination_file(world, bad)))

    response = client.get(url + "report/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "loi-danh-sach.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "DANH SÁCH CỬ ĐI HỌC"
    assert rows[2] == (*NOMINATION_HEADER, "Lỗi")
    assert rows[3][1] == "LÊ MINH CHÂU" and rows[3][5] is None
    assert rows[4][:3] == (2, "Trần Văn Đức", "31/02/1980")
    assert rows[4][5] == "Dòng 5, cột Ngày sinh: '31/02/1980' không phải ngày hợp lệ"


def test_the_file_is_kept_on_the_server_under_its_sha256(world, course, client_for):
    client = client_for(world.officer_a)
    data = nomination_file(world)

    preview_url(post_upload(client, course, data))
    preview_url(post_upload(client, course, data, name="ban-sao.xlsx"))

    stored = set(new_uploads().values_list("stored_name", flat=True))
    assert len(stored) == 1
    assert re.fullmatch(r"imports/[0-9a-f]{64}\.xlsx", stored.pop())


def test_an_upload_is_shown_only_to_whoever_uploaded_it(world, course, client_for):
    url = preview_url(post_upload(client_for(world.officer_a), course, nomination_file(world)))

    for user in (world.officer_b, world.center_staff):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {}).status_code == 404
        assert client_for(user).get(url + "report/").status_code == 404
    assert not Enrollment.objects.filter(course=course).exists()


def test_an_officer_may_only_choose_the_courses_open_to_it(world, course, client_for):
    response = post_upload(client_for(world.officer_a), world.course_b, nomination_file(world))

    assert response.status_code == 200
    assert "course" in response.context["form"].errors


def test_the_course_page_links_to_the_import_with_the_course_chosen(world, course, client_for):
    response = client_for(world.officer_a).get(reverse("admin:courses_course_change", args=[course.pk]))
    form = client_for(world.officer_a).get(f"{UPLOAD_URL}?course={course.pk}").context["form"]

    assert f"{UPLOAD_URL}?course={course.pk}" in response.content.decode()
    assert form["course"].value() == str(course.pk)


# -- Bad files: a message on the form, never a 500 ---------------------------------------------------------------


BAD_FILES = {
    "xls": (OLE_SIGNATURE + b"\x00" * 600, "danh-sach.xls", "định dạng Excel cũ (.xls)"),
    "csv": ("STT,Họ và tên\n1,Lê Minh Châu\n".encode(), "danh-sach.csv", "CSV"),
    "corrupt": (b"PK\x03\x04" + b"\x00" * 300, "danh-sach.xlsx", "bị hỏng"),
    "encrypted": (OLE_SIGNATURE + "EncryptedPackage".encode("utf-16-le"), "danh-sach.xlsx", "mật khẩu"),
    "no headers": (xlsx(("DS", [["Họ và tên", "Quê quán"]])), "danh-sach.xlsx", "Không tìm thấy dòng tiêu đề"),
    "empty": (b"", "danh-sach.xlsx", "rỗng"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_gets_a_message_and_the_form_keeps_what_was_chosen(world, course, client_for, case):
    data, name, message = BAD_FILES[case]

    response = post_upload(client_for(world.officer_a), course, data, name, create_members="on", reason="Bổ sung")

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert f'<option value="{course.pk}" selected>' in content
    assert response.context["form"]["create_members"].value() is True
    assert "Bổ sung</textarea>" in content
    assert not new_uploads().exists()


def test_a_zip_bomb_upload_gets_a_message(world, course, client_for):
    def zeros(stream):
        for _ in range(50):
            stream.write(b"\x00" * (1024 * 1024))

    bomb = with_entries(xlsx(("DS", [NOMINATION_HEADER])), {"xl/media/image1.bin": zeros})

    response = post_upload(client_for(world.officer_a), course, bomb)

    assert response.status_code == 200
    assert "không đọc tệp này" in response.content.decode()


def test_a_file_over_the_upload_limit_is_refused_with_the_limit_named(world, course, client_for, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    data = xlsx(("DS", [NOMINATION_HEADER])) + b"\x00" * (3 * 1024 * 1024)

    response = post_upload(client_for(world.officer_a), course, data)

    assert response.status_code == 200
    assert "Tệp lớn quá: 3,0 MB, tối đa 2 MB." in response.content.decode()
    assert "tối đa 2 MB" in response.context["form"]["file"].help_text
    assert not new_uploads().exists()


def test_posting_without_a_file_asks_for_one(world, course, client_for):
    response = client_for(world.officer_a).post(UPLOAD_URL, {"course": course.pk})

    assert response.status_code == 200
    assert "file" in response.context["form"].errors


# -- The tree's import and the templates ---------------------------------------------------------------------------


def test_an_officer_imports_its_members_and_posts_through_the_admin(world, client_for):
    client = client_for(world.officer_a)
    header = ["Họ và tên", "Ngày sinh", "Mã tổ chức", "Chức vụ", "Nhiệm kỳ", "Từ ngày"]
    data = xlsx(
        ("Đảng viên", [header, ["Trịnh Thu Hà", "5/3/1985", "DU-A-CS1-CB1", "Phó Bí thư", "2020-2025", "1/7/2020"]])
    )

    response = client.post(reverse("admin:organizations_organization_import"), {"file": upload(data)})
    confirmed = client.post(preview_url(response), {})

    assert confirmed["Location"] == reverse("admin:organizations_member_changelist")
    assert Member.objects.get(full_name="Trịnh Thu Hà").organization == world.cell_a


def test_the_member_list_links_to_the_import_for_staff_who_may_use_it(world, client_for):
    response = client_for(world.officer_a).get(reverse("admin:organizations_member_changelist"))

    assert reverse("admin:organizations_organization_import") in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "specs", "tables"),
    [
        ("admin:organizations_organization_import_template", ORGANIZATION_SPECS, ["organizations", "people"]),
        ("admin:enrollments_enrollment_import_template", NOMINATION_SPECS, ["nominations"]),
    ],
)
def test_each_template_downloads_and_reads_back_as_an_empty_import(world, client_for, url_name, specs, tables):
    response = client_for(world.officer_a).get(reverse(url_name))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    found = read_tables(response.content, specs)
    assert [name for name, table in found.items() if table is not None] == tables
    assert all(table.rows == [] for table in found.values())


def test_an_upload_whose_stored_copy_is_gone_is_not_found(world, course, client_for):
    client = client_for(world.officer_a)
    url = preview_url(post_upload(client, course, nomination_file(world)))
    default_storage.delete(new_uploads().get().stored_name)

    assert client.get(url).status_code == 404
