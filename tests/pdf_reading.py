"""Reading rendered PDFs back in tests: the QR codes a printer would print, decoded from the rendered pages; the
text of each page; and a workbook printed to PDF by LibreOffice."""

import io
import subprocess
from pathlib import Path

import pypdf
import pypdfium2
import zxingcpp


def decoded_qr_codes(content, scale=4):
    """The text of every QR code on every page, in page order."""
    return [
        result.text
        for page in pypdfium2.PdfDocument(content)
        for result in zxingcpp.read_barcodes(page.render(scale=scale).to_pil())
    ]


def workbook_as_pdf(workbook: Path, directory: Path) -> bytes:
    """The PDF LibreOffice prints of an .xlsx file (every sheet, as its page setup says), converted headless with
    a profile of its own in directory, so runs side by side do not share (and lock) one."""
    profile = directory / "libreoffice-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(directory),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (directory / workbook.with_suffix(".pdf").name).read_bytes()


def page_texts(content: bytes) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def smallest_text_size(content: bytes) -> float:
    """The smallest font size (points, as printed: scaling included) of any letter or digit on any page."""
    sizes = []
    for page in pypdfium2.PdfDocument(content):
        text = page.get_textpage()
        sizes += [
            pypdfium2.raw.FPDFText_GetFontSize(text, index)
            for index in range(text.count_chars())
            if chr(pypdfium2.raw.FPDFText_GetUnicode(text, index)).isalnum()
        ]
    return min(sizes)
