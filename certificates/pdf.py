"""Certificate PDFs: the page's wording, rendered by common.pdf (the shipped fonts, and a fetcher
that reads nothing but the project's own static files)."""

import unicodedata

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import Truncator

from common.localtime import local_date_text
from common.pdf import qr_png_data_uri, render_document, write_pdf
from courses.wording import ordinal, roman
from organizations.models import Post

TEMPLATE = "certificates/pdf/certificates.html"
PARTY_NAME = "ĐẢNG CỘNG SẢN VIỆT NAM"
REVOKED_MARK = "ĐÃ THU HỒI"
# The reason printed in the revocation mark is cut to fit its box; the whole of it is on the certificate's page.
REVOKED_REASON_CHARS = 300


def nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def vietnamese_date(place, day):
    """'Hà Nội, ngày 15 tháng 3 năm 2021'. Days below 10 and the months 1 and 2 take a leading zero,
    as administrative documents write them (Decree 30/2020/NĐ-CP), so nobody can add a digit."""
    day_text = f"{day.day:02d}"
    month_text = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day_text} tháng {month_text} năm {day.year}"


def lower_first(text):
    """'Bồi dưỡng …' as it reads after 'chương trình'; an acronym at the start stays as it is."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def page_context(certificate, *, mark_revoked=False):
    """What one certificate's page prints, all text in NFC so names typed with combining accents come
    out as single glyphs. Reads certificate.issuer and certificate.enrollment.course."""
    issuer = certificate.issuer
    course = certificate.enrollment.course
    posts = dict(Post.choices)
    text = {
        "header_line_1": issuer.header_line_1.upper(),
        "header_line_2": issuer.header_line_2.upper(),
        "party_name": PARTY_NAME,
        "program": lower_first(certificate.program_name),
        "holder_name": certificate.holder_name,
        "birth_date": certificate.holder_birth_date.strftime("%d/%m/%Y") if certificate.holder_birth_date else "",
        "post": str(posts.get(certificate.holder_post, certificate.holder_post)),
        "organization": certificate.holder_organization,
        "course_line": f"khóa {roman(course.intake)}, lớp {ordinal(course.number)}, năm {course.year}",
        "course_dates": f"từ ngày {course.start_date:%d/%m/%Y} đến ngày {course.end_date:%d/%m/%Y}",
        "grade": str(certificate.get_grade_display()) if certificate.grade else "",
        "date_line": vietnamese_date(issuer.place, certificate.issued_on),
        "signer_title": certificate.signer_title.upper(),
        "signer_name": certificate.signer_name,
        "register_number": certificate.register_number,
        "verification_url": certificate.verification_url,
        "code": certificate.printed_code,
    }
    context = {**{key: nfc(value) for key, value in text.items()}, "qr": qr_png_data_uri(certificate.verification_url)}
    if mark_revoked and not certificate.is_valid:
        context["revoked"] = revoked_mark(certificate)
    return context


def revoked_mark(certificate):
    """What the mark on a revoked certificate's copy says: the word, the revocation date in the center's timezone
    (dd/mm/yyyy), and the reason."""
    return {
        "mark": REVOKED_MARK,
        "date": local_date_text(certificate.revoked_at) if certificate.revoked_at else "",
        "reason": nfc(Truncator(certificate.revoke_reason).chars(REVOKED_REASON_CHARS)),
    }


def certificates_html(certificates, title, *, mark_revoked=False):
    """One HTML document with a page per certificate. The wording of a certificate is fixed Vietnamese,
    the same whatever language the staff member who prints it has chosen. With mark_revoked, a revoked
    certificate's page carries the revocation mark."""
    pages = [page_context(certificate, mark_revoked=mark_revoked) for certificate in certificates]
    with translation.override("vi"):
        return render_to_string(TEMPLATE, {"title": nfc(title), "pages": pages})


def certificate_title(certificate):
    return f"Giấy chứng nhận {certificate.register_number}"


def render_certificate(certificate):
    """The PDF of one certificate."""
    return write_pdf(render_document(certificates_html([certificate], certificate_title(certificate))))


def render_revoked_copy(certificate):
    """A revoked certificate's page laid out again with the "ĐÃ THU HỒI" mark over it, for staff who open it: the
    stored PDF, as issued and signed, is never changed."""
    title = f"{certificate_title(certificate)} — {REVOKED_MARK}"
    return write_pdf(render_document(certificates_html([certificate], title, mark_revoked=True)))


def render_batch(certificates, title):
    """All the certificates as one document, one page each, laid out in a single pass."""
    return write_pdf(render_document(certificates_html(certificates, title)))


def render_each(certificates):
    """One PDF per certificate, laid out together in one pass and then written page by page: the same
    pages a single render gives, for a fraction of the cost when a whole course is issued."""
    certificates = list(certificates)
    if not certificates:
        return []
    document = render_document(certificates_html(certificates, "Giấy chứng nhận"))
    if len(document.pages) != len(certificates):
        raise RuntimeError("a certificate did not fit on one page; the page layout must keep each on its own")
    return [
        (certificate, write_pdf(document.copy([page]), title=certificate_title(certificate)))
        for certificate, page in zip(certificates, document.pages, strict=True)
    ]
