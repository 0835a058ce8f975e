"""Certificate PDFs: the page's wording, and WeasyPrint with the shipped fonts and a fetcher that reads
nothing but the project's own static files."""

import copy
import mimetypes
import posixpath
import threading
import unicodedata
from urllib.parse import unquote, urljoin

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from courses.wording import ordinal, roman
from organizations.models import Post

TEMPLATE = "certificates/pdf/certificates.html"
PARTY_NAME = "ĐẢNG CỘNG SẢN VIỆT NAM"


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves the project's static files (the fonts) to WeasyPrint and refuses every other URL.

    Whatever a name or a field holds, rendering never makes the server read a local file or call
    another host. Any refused URL stops the rendering: the templates ask for nothing else, so a
    refusal is a fault to see, not a resource to do without. `fetched` and `refused` keep what was
    asked, for the tests.
    """

    def __init__(self):
        super().__init__(fail_on_errors=True, allowed_protocols=())
        self.fetched = []
        self.refused = []

    @staticmethod
    def static_prefix():
        return urljoin(settings.SITE_URL.rstrip("/") + "/", settings.STATIC_URL)

    def fetch(self, url, headers=None):
        prefix = self.static_prefix()
        relative = unquote(url.split("?")[0].split("#")[0].removeprefix(prefix)) if url.startswith(prefix) else None
        found = None
        if relative and not relative.startswith("/") and ".." not in relative.split("/"):
            found = finders.find(posixpath.normpath(relative))
            if not found and staticfiles_storage.exists(relative):
                found = staticfiles_storage.path(relative)
        if not found:
            self.refused.append(url)
            raise ValueError(f"not one of the project's static files: {url}")
        self.fetched.append(url)
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        # WeasyPrint closes the file once it has read it.
        return URLFetcherResponse(url, body=open(found, "rb"), headers={"Content-Type": content_type})


# Fonts are loaded into a FontConfiguration once and reused by every later render: one per process keeps
# memory flat and spares each render the font loading. WeasyPrint (Pango, fontconfig) is not documented as
# safe to use from several threads at once, so renders in one process take turns.
_render_lock = threading.Lock()
_font_config = None
_fetcher = None


def _shared():
    global _font_config, _fetcher
    if _font_config is None:
        _font_config = FontConfiguration()
        _fetcher = StaticFilesOnlyFetcher()
    return _font_config, _fetcher


def render_document(html, *, font_config=None, fetcher=None):
    """Lay out the HTML as a WeasyPrint document (the shared fonts and fetcher unless given)."""
    shared_config, shared_fetcher = _shared()
    with _render_lock:
        return HTML(string=html, base_url=settings.SITE_URL, url_fetcher=fetcher or shared_fetcher).render(
            font_config=font_config or shared_config
        )


def write_pdf(document, title=None):
    """The PDF bytes of a laid-out document (or of a few of its pages, from document.copy())."""
    if title:
        document.metadata = copy.copy(document.metadata)
        document.metadata.title = title
    with _render_lock:
        return document.write_pdf()


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


def qr_svg(url):
    # segno's SVG is path data only: nothing typed by anyone ends up in it, so it can go in unescaped.
    return mark_safe(segno.make(url, error="m").svg_inline(border=2, omitsize=True))


def page_context(certificate):
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
    return {**{key: nfc(value) for key, value in text.items()}, "qr": qr_svg(certificate.verification_url)}


def certificates_html(certificates, title):
    """One HTML document with a page per certificate. The wording of a certificate is fixed Vietnamese,
    the same whatever language the staff member who prints it has chosen."""
    with translation.override("vi"):
        return render_to_string(
            TEMPLATE, {"title": nfc(title), "pages": [page_context(certificate) for certificate in certificates]}
        )


def certificate_title(certificate):
    return f"Giấy chứng nhận {certificate.register_number}"


def render_certificate(certificate):
    """The PDF of one certificate."""
    return write_pdf(render_document(certificates_html([certificate], certificate_title(certificate))))


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
