"""The certificate PDF itself, read back: text with diacritics, the shipped fonts, a QR code that decodes to
the verification address, A4 landscape; names that try to make WeasyPrint fetch something print as text;
stored PDFs with their SHA-256, served without rendering again; batches in roster order."""

import datetime
import hashlib
import io
import logging
import re
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from weasyprint.text.fonts import FontConfiguration

from certificates import pdf, printing
from certificates.models import Certificate, PrintJob
from certificates.printing import print_now
from certificates.services import StoredPDFMismatch, issue_certificates, pdf_for_staff, revoke_certificate, stored_pdf
from common.pdf import PNG_SIGNATURE, StaticFilesOnlyFetcher, qr_png_data_uri
from enrollments.models import Enrollment
from organizations.models import Member
from tests import factories
from tests.certificates.world import close_with_results
from tests.pdf_reading import decoded_qr_codes

SHIPPED_FONTS = {"NotoSerif-Regular", "NotoSerif-Bold", "NotoSerif-Italic", "NotoSerif-BoldItalic"}
# The template's @font-face family: no system font has it, so a font of that name came from static/fonts.
SHIPPED_FAMILY = {
    "Shipped-Noto-Serif",
    "Shipped-Noto-Serif-Bold",
    "Shipped-Noto-Serif-Italic",
    "Shipped-Noto-Serif-Bold-Italic",
}


def text_of(content):
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def squeezed(text):
    return re.sub(r"\s+", "", text)


def embedded_fonts(content):
    """{/BaseFont name without the subset prefix: (PostScript name, revision) of the embedded font program}."""
    fonts = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            base_font = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
            fonts[base_font] = (program["name"].getDebugName(6), program["head"].fontRevision)
    return fonts


def shipped_fonts():
    """(PostScript name, revision) of each font file in static/fonts."""
    fonts = set()
    for path in Path(finders.find("fonts/NotoSerif-Regular.ttf")).parent.glob("*.ttf"):
        program = TTFont(path)
        fonts.add((program["name"].getDebugName(6), program["head"].fontRevision))
    return fonts


def assert_shipped_fonts_only(content):
    fonts = embedded_fonts(content)
    assert set(fonts) <= SHIPPED_FAMILY
    assert set(fonts.values()) <= shipped_fonts()
    assert {name for name, _revision in fonts.values()} >= {"NotoSerif-Regular", "NotoSerif-Bold", "NotoSerif-Italic"}


def loaded(certificate):
    return Certificate.objects.select_related("issuer", "enrollment__course").get(pk=certificate.pk)


@pytest.fixture
def stored(world):
    """trainee_x's certificate of course_a and its PDF, rendered and stored on first asking."""
    certificate = loaded(world.certificate_a)
    content = stored_pdf(certificate)
    return loaded(certificate), content


def test_the_pdf_says_who_what_and_where_to_check_it(stored, world):
    certificate, content = stored
    text = text_of(content)
    # Lines wrap where the words fall (the class's number is written out in words), so lines are joined.
    flowing = " ".join(text.split())

    for expected in [
        "GIẤY CHỨNG NHẬN",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG ỦY BỘ NGOẠI GIAO",
        "ĐẢNG BỘ VỤ TỔNG HỢP",
        "Cấp cho đồng chí: Nguyễn Thị Hà",
        f"Sinh ngày: {world.member_x.birth_date:%d/%m/%Y}",
        "Chức vụ: Bí thư",
        "Chi bộ Phòng Hành chính Bộ Ngoại giao",
        "khóa I, lớp thứ",
        "từ ngày 01/03/2021 đến ngày 05/03/2021",
        "Xếp loại: Giỏi",
        "Hà Nội, ngày 15 tháng 3 năm 2021",
        "GIÁM ĐỐC",
        "Nguyễn Văn Thành",
        "Số vào sổ: 0001/2021/CC-DBVTH",
        certificate.verification_url,
        certificate.printed_code,
    ]:
        assert expected in flowing, expected
    assert "Hoàn thành chương trình bồi dưỡng nghiệp vụ công tác đảng" in text
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert (round(page.mediabox.width), round(page.mediabox.height)) == (842, 595)  # A4 landscape, in points


def test_the_fonts_are_the_shipped_noto_serif(stored):
    _certificate, content = stored
    assert_shipped_fonts_only(content)


def test_a_fresh_render_reads_the_four_shipped_font_files_and_nothing_else(world):
    fetcher = StaticFilesOnlyFetcher()
    html = pdf.certificates_html([loaded(world.certificate_a)], "Giấy chứng nhận")
    content = pdf.write_pdf(pdf.render_document(html, font_config=FontConfiguration(), fetcher=fetcher))

    # The QR code is the one image, carried in the page itself.
    assert html.count("<img ") == html.count('<img class="qr" src="data:image/png;base64,') == 1
    assert sorted(url.rsplit("/", 1)[-1] for url in fetcher.fetched) == sorted(f"{name}.ttf" for name in SHIPPED_FONTS)
    assert all(url.startswith(fetcher.static_prefix() + "fonts/") for url in fetcher.fetched)
    assert fetcher.refused == []
    assert_shipped_fonts_only(content)


def test_the_qr_code_decodes_to_the_verification_address_which_opens_its_page(stored, client):
    certificate, content = stored
    (decoded,) = decoded_qr_codes(content)
    assert decoded == certificate.verification_url
    # One pixel per module, which viewers and printers must not smooth: each module prints as a sharp square.
    (image,) = [
        xobject.get_object()
        for xobject in PdfReader(io.BytesIO(content)).pages[0]["/Resources"]["/XObject"].values()
        if xobject.get_object()["/Subtype"] == "/Image"
    ]
    assert image["/Interpolate"].value is False

    response = client.get(decoded.removeprefix(settings.SITE_URL.rstrip("/")))
    assert response.status_code == 200
    assert "Nguyễn Thị Hà" in response.content.decode()


def test_names_typed_with_combining_accents_print_composed(world):
    certificate = loaded(world.certificate_a)
    decomposed = unicodedata.normalize("NFD", "Phạm Anh Thiện")
    Certificate.objects.filter(pk=certificate.pk).update(holder_name=decomposed)
    certificate.holder_name = decomposed

    context = pdf.page_context(certificate)
    assert context["holder_name"] == "Phạm Anh Thiện" and unicodedata.is_normalized("NFC", context["holder_name"])
    assert "Phạm Anh Thiện" in text_of(pdf.render_certificate(certificate))


HOSTILE = {
    "holder_name": '<img src="file:///etc/passwd">',
    "holder_organization": "<style>@import url(http://169.254.169.254/latest/meta-data/);</style>",
    "program_name": 'Bồi dưỡng <svg><image href="file:///etc/passwd"/></svg>',
    "course_title": "<link rel=stylesheet href=http://169.254.169.254/x.css>",
    "signer_name": '<iframe src="http://169.254.169.254/">',
}


def test_markup_in_names_prints_as_text_and_fetches_nothing(world):
    certificate = loaded(world.certificate_a)
    for field, value in HOSTILE.items():
        setattr(certificate, field, value)
    certificate.issuer.header_line_2 = "url(file:///etc/shadow)"
    fetcher = StaticFilesOnlyFetcher()
    html = pdf.certificates_html([certificate], "Giấy chứng nhận")
    assert "<img src" not in html and "<svg><image" not in html and "<style>@import" not in html

    content = pdf.write_pdf(pdf.render_document(html, font_config=FontConfiguration(), fetcher=fetcher))

    assert fetcher.refused == []
    assert all(url.startswith(fetcher.static_prefix() + "fonts/") for url in fetcher.fetched)
    text = squeezed(text_of(content))
    for value in [
        HOSTILE["holder_name"],
        HOSTILE["holder_organization"],
        "<svg><imagehref=",
        "URL(FILE:///ETC/SHADOW)",
    ]:
        assert squeezed(value) in text, value


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/static/fonts/NotoSerif-Regular.ttf",
        "data:text/css,body{}",
        "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><image href='file:///etc/passwd'/></svg>",
        "data:image/png,%89PNG",
        "data:image/png;base64,PHN2Zz4=",  # "<svg>", not a PNG
        "data:image/png;base64,not base64!",
        "{prefix}../config/settings.py",
        "{prefix}fonts/%2e%2e/%2e%2e/config/settings.py",
        "{prefix}khong-co-tep-nay.ttf",
    ],
)
def test_the_fetcher_refuses_anything_but_the_projects_static_files(url):
    fetcher = StaticFilesOnlyFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url.replace("{prefix}", fetcher.static_prefix()))
    assert fetcher.fetched == [] and len(fetcher.refused) == 1


def test_the_fetcher_serves_a_shipped_font():
    fetcher = StaticFilesOnlyFetcher()
    response = fetcher.fetch(fetcher.static_prefix() + "fonts/NotoSerif-Bold.ttf")
    try:
        assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    finally:
        response.close()


def test_the_fetcher_serves_the_pages_own_qr_image_without_keeping_it():
    fetcher = StaticFilesOnlyFetcher()
    response = fetcher.fetch(qr_png_data_uri("https://daotao.example.vn/verify/ABCD2345EFGH6789/"))
    try:
        assert response.read(8) == PNG_SIGNATURE
    finally:
        response.close()
    # The process-wide fetcher serves one per page: keeping them would grow without end.
    assert fetcher.fetched == [] and fetcher.refused == []


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (datetime.date(2021, 3, 15), "Hà Nội, ngày 15 tháng 3 năm 2021"),
        (datetime.date(2021, 2, 5), "Hà Nội, ngày 05 tháng 02 năm 2021"),
        (datetime.date(2021, 12, 1), "Hà Nội, ngày 01 tháng 12 năm 2021"),
    ],
)
def test_the_date_is_written_the_vietnamese_way(day, written):
    assert pdf.vietnamese_date("Hà Nội", day) == written


def test_the_stored_pdf_has_its_sha256_and_is_served_without_rendering_again(stored, monkeypatch):
    certificate, content = stored
    assert certificate.pdf_sha256 == hashlib.sha256(content).hexdigest()
    assert certificate.pdf.name.startswith("certificates/2021/")

    def no_rendering(*args, **kwargs):
        raise AssertionError("a stored PDF must not be rendered again")

    monkeypatch.setattr(pdf, "render_document", no_rendering)
    assert stored_pdf(certificate) == content


def test_a_stored_pdf_that_changed_is_not_served(stored):
    certificate, _content = stored
    certificate.pdf.storage.delete(certificate.pdf.name)
    certificate.pdf.storage.save(certificate.pdf.name, ContentFile(b"%PDF-1.7 altered"))
    with pytest.raises(StoredPDFMismatch):
        stored_pdf(certificate)


def test_each_stored_pdf_is_one_certificate(world):
    course = factories.CourseFactory(code="2021-K2-L1", program=world.program, organizer=world.root)
    for name in ["Trần Văn Đức", "Lê Thị Ánh"]:
        member = factories.MemberFactory(full_name=name, organization=world.cell_a)
        close_with_results(factories.EnrollmentFactory(course=course, member=member))
    for certificate in issue_certificates(course, by=None, notify=False).issued:
        certificate.refresh_from_db()
        with certificate.pdf.open("rb") as file:
            content = file.read()
        assert len(PdfReader(io.BytesIO(content)).pages) == 1
        text = text_of(content)
        assert certificate.holder_name in text and certificate.register_number in text
        assert decoded_qr_codes(content) == [certificate.verification_url]


def test_the_batch_is_one_pdf_in_roster_order_without_revoked_certificates(world):
    course = factories.CourseFactory(code="2021-K2-L2", program=world.program, organizer=world.root)
    names = ["Trương Thị Ánh Tuyết", "Hoàng Đức Ân", "Nguyễn Thị Ánh", "Vũ Văn Bình"]
    for name in names:
        member = factories.MemberFactory(full_name=name, organization=world.cell_a)
        close_with_results(factories.EnrollmentFactory(course=course, member=member))
    issue_certificates(course, by=None, notify=False)
    revoked = Certificate.objects.get(holder_name="Vũ Văn Bình")
    Certificate.objects.filter(pk=revoked.pk).update(
        status=Certificate.Status.REVOKED,
        revoke_reason="Sai",
        revoked_at=datetime.datetime(2021, 4, 1, tzinfo=datetime.UTC),
    )

    with print_now(course, kind=PrintJob.Kind.PDF, by=None).output.open("rb") as printed:
        content = printed.read()

    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 3
    first_lines = [
        next(line for line in page.extract_text().splitlines() if "Cấp cho" in line) for page in reader.pages
    ]
    assert first_lines == [
        "Cấp cho đồng chí: Nguyễn Thị Ánh",
        "Cấp cho đồng chí: Hoàng Đức Ân",
        "Cấp cho đồng chí: Trương Thị Ánh Tuyết",
    ]


def test_a_long_name_and_organization_stay_on_one_page(world):
    member = Member.objects.get(pk=world.member_x.pk)
    Member.objects.filter(pk=member.pk).update(full_name="Tôn Nữ Hoàng Thị Phương Thảo Nguyên Ngọc Bích Trâm")
    member.organization.__class__.objects.filter(pk=member.organization_id).update(name="Chi bộ " + "Vụ Hợp tác " * 20)
    course = factories.CourseFactory(code="2021-K2-L3", program=world.program, organizer=world.root)
    enrollment = factories.EnrollmentFactory(course=course, member=member)
    close_with_results(enrollment)
    (certificate,) = issue_certificates(course, by=None, notify=False).issued
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as file:
        assert len(PdfReader(file).pages) == 1
    assert Enrollment.objects.get(pk=enrollment.pk).certificates.count() == 1


def test_the_print_command_writes_the_courses_batch(world, tmp_path):
    output = tmp_path / "in.pdf"
    out = io.StringIO()

    call_command("print_certificates", "--course", world.course_b.code, "-o", str(output), stdout=out)

    assert "Đã in 1 giấy chứng nhận của lớp 2021-B-L1" in out.getvalue()
    text = text_of(output.read_bytes())
    assert world.certificate_b.register_number in text and world.secretary_b.full_name in text
    with pytest.raises(CommandError, match="chưa có giấy chứng nhận"):
        call_command("print_certificates", "--course", world.root_course.code, "-o", str(output))


def test_a_print_job_counts_its_pages_without_narrating_them_to_the_log(world, caplog):
    job = PrintJob.objects.create(
        course=world.course_b, kind=PrintJob.Kind.PDF, requested_by=world.center_staff, total=1
    )

    with caplog.at_level(logging.INFO):
        printing.run_print_job(job)

    job.refresh_from_db()
    assert job.status == PrintJob.Status.DONE and job.done == 1
    assert [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")] == []


# -- A revoked certificate, as staff open it -------------------------------------------------------------

# 20:30 in UTC on 31/03 is already 01/04 in Hà Nội: the mark must say the day the center revoked it.
REVOKED_AT = datetime.datetime(2026, 3, 31, 20, 30, tzinfo=datetime.UTC)


def test_a_revoked_certificate_opened_by_staff_carries_the_mark_and_its_stored_pdf_stays(
    stored, world, client_for, center_staff
):
    certificate, content = stored
    url = reverse("admin:certificates_certificate_pdf", args=[certificate.pk])
    assert "ĐÃ THU HỒI" not in text_of(client_for(center_staff).get(url).content)
    revoke_certificate(certificate, by=center_staff, reason="Sai ngày sinh của học viên")
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=REVOKED_AT)

    response = client_for(center_staff).get(url)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "da-thu-hoi" in response["Content-Disposition"]
    flowing = " ".join(text_of(response.content).split())
    for expected in ["ĐÃ THU HỒI", "Ngày thu hồi: 01/04/2026", "Lý do: Sai ngày sinh của học viên", "Nguyễn Thị Hà"]:
        assert expected in flowing, expected
    assert "31/03/2026" not in flowing
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    certificate = loaded(certificate)
    with certificate.pdf.open("rb") as kept:
        assert kept.read() == content, "the stored PDF is never changed"
    assert certificate.pdf_sha256 == hashlib.sha256(content).hexdigest()
    assert "ĐÃ THU HỒI" not in text_of(content)


def test_a_long_reason_keeps_the_marked_copy_on_one_page(stored, center_staff):
    certificate, _content = stored
    revoke_certificate(certificate, by=center_staff, reason="Sai thông tin. " * 200)
    copy = pdf_for_staff(loaded(certificate))
    assert len(PdfReader(io.BytesIO(copy)).pages) == 1
    assert "ĐÃ THU HỒI" in text_of(copy)


def test_a_certificate_never_stored_is_not_stored_with_the_mark(world, center_staff):
    """A revoked certificate whose PDF was never rendered (demo data) is marked on the fly; nothing is stored."""
    certificate = world.certificate_b
    revoke_certificate(certificate, by=center_staff, reason="Sai họ tên")
    assert "ĐÃ THU HỒI" in text_of(pdf_for_staff(loaded(certificate)))
    assert not loaded(certificate).pdf
