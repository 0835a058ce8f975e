"""PDF rendering shared by every app that prints (certificates, the account sheet): WeasyPrint with one
font configuration per process, and a URL fetcher that reads nothing but the project's own static files.

It is shared machinery, so that enrollments and certificates use the same rules without one importing the other.
"""

import base64
import binascii
import copy
import gc
import io
import mimetypes
import posixpath
import threading
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urljoin

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from PIL import Image
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

INLINE_PNG = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves the project's static files (the fonts) to WeasyPrint and refuses every other URL.

    Whatever a name or a field holds, rendering never makes the server read a local file or call
    another host. Any refused URL stops the rendering: the templates ask for nothing else, so a
    refusal is a fault to see, not a resource to do without. The one exception is a PNG carried in
    the page itself as a data: URI (the QR codes of qr_png_data_uri): its bytes are in the URL, so
    serving it reads no file and calls no host. `fetched` and `refused` keep the static files asked
    for and the URLs refused, for the tests; inline images are not kept, so the process-wide fetcher
    does not grow with every page.
    """

    def __init__(self):
        super().__init__(fail_on_errors=True, allowed_protocols=())
        self.fetched = []
        self.refused = []

    @staticmethod
    def static_prefix():
        return urljoin(settings.SITE_URL.rstrip("/") + "/", settings.STATIC_URL)

    def fetch(self, url, headers=None):
        if url.startswith(INLINE_PNG):
            return self._inline_png(url)
        prefix = self.static_prefix()
        relative = unquote(url.split("?")[0].split("#")[0].removeprefix(prefix)) if url.startswith(prefix) else None
        found = None
        if relative and not relative.startswith("/") and ".." not in relative.split("/"):
            found = finders.find(posixpath.normpath(relative))
            if not found and staticfiles_storage.exists(relative):
                found = staticfiles_storage.path(relative)
        if not found:
            self._refuse(url)
        self.fetched.append(url)
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        # WeasyPrint closes the file once it has read it.
        return URLFetcherResponse(url, body=open(found, "rb"), headers={"Content-Type": content_type})

    def _inline_png(self, url):
        try:
            body = base64.b64decode(url.removeprefix(INLINE_PNG), validate=True)
        except binascii.Error:
            body = b""
        if not body.startswith(PNG_SIGNATURE):
            self._refuse(url)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/png"})

    def _refuse(self, url):
        self.refused.append(url[:200])
        raise ValueError(f"not one of the project's static files: {url[:200]}")


def qr_png_data_uri(url: str) -> str:
    """The QR code of `url` as a PNG data URI, one pixel per module with a two-module quiet zone.

    Show it with `image-rendering: pixelated` so that viewers and printers draw each module as a sharp
    square. A bitmap this small costs WeasyPrint a fraction of what the same code as SVG path data does
    (the path's ~570 commands are parsed and written one by one on every page). The URI is plain
    base64: printed in a template it needs no escaping and no mark_safe.
    """
    code = segno.make(url, error="m")
    width, height = code.symbol_size(border=2)
    pixels = bytes(0 if dark else 255 for row in code.matrix_iter(border=2) for dark in row)
    buffer = io.BytesIO()
    Image.frombytes("L", (int(width), int(height)), pixels).save(buffer, format="PNG")
    return INLINE_PNG + base64.b64encode(buffer.getvalue()).decode("ascii")


# Fonts are loaded into a FontConfiguration once and reused by every later render: one per process keeps
# memory flat and spares each render the font loading. WeasyPrint (Pango, fontconfig) is not documented as
# safe to use from several threads at once, so renders in one process take turns.
_render_lock = threading.Lock()
_font_config = None
_fetcher = None


def shared() -> tuple[FontConfiguration, "StaticFilesOnlyFetcher"]:
    """The process's FontConfiguration and fetcher."""
    global _font_config, _fetcher
    if _font_config is None:
        _font_config = FontConfiguration()
        _fetcher = StaticFilesOnlyFetcher()
    return _font_config, _fetcher


@contextmanager
def _rendering():
    """One render at a time, without the cyclic garbage collector.

    A long document keeps tens of thousands of boxes alive while it is laid out and written, and every
    full collection walks them all again: with the collector running, each page of a 100-certificate
    batch took 30-50% longer to lay out than a page of a 10-certificate one (bench/certificates.py).
    Reference counting still frees what it can; cycles made during the render wait for the collector,
    which runs again as soon as the render ends (peak memory of such a batch is the same either way).
    """
    with _render_lock:
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if collecting:
                gc.enable()


def render_document(
    html: str, *, font_config: FontConfiguration | None = None, fetcher: URLFetcher | None = None
) -> Any:
    """Lay out the HTML as a WeasyPrint document (the shared fonts and fetcher unless given)."""
    shared_config, shared_fetcher = shared()
    with _rendering():
        return HTML(string=html, base_url=settings.SITE_URL, url_fetcher=fetcher or shared_fetcher).render(
            font_config=font_config or shared_config
        )


def write_pdf(document: Any, title: str | None = None) -> bytes:
    """The PDF bytes of a laid-out document (or of a few of its pages, from document.copy())."""
    if title:
        document.metadata = copy.copy(document.metadata)
        document.metadata.title = title
    with _rendering():
        return document.write_pdf()


def html_to_pdf(html: str) -> bytes:
    """The PDF bytes of an HTML page, rendered with the shared fonts and the safe fetcher."""
    return write_pdf(render_document(html))
