"""Upload limits at the Django level: a body over MAX_REQUEST_BYTES is refused before it is read; the Excel
imports have IMPORT_MAX_UPLOAD_BYTES to check a file against."""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile


def test_the_import_limit_leaves_room_for_the_form_around_the_file():
    assert settings.IMPORT_MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    assert settings.MAX_REQUEST_BYTES > settings.IMPORT_MAX_UPLOAD_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.IMPORT_MAX_UPLOAD_BYTES


def test_a_request_body_over_the_limit_is_refused_with_a_vietnamese_page(client, settings):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    workbook = SimpleUploadedFile("danh-sach.xlsx", b"x" * (1024 * 1024 + 1))

    response = client.post("/accounts/login/", {"file": workbook})

    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in response.content.decode()
    assert "không được quá 1 MB" in response.content.decode()


def test_a_request_body_within_the_limit_goes_through(client, settings, db):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    workbook = SimpleUploadedFile("danh-sach.xlsx", b"x" * 1000)

    response = client.post("/accounts/login/", {"username": "ai", "password": "sai", "file": workbook})

    assert response.status_code == 200  # the login form, with its error
