"""Reading rendered PDFs back in tests: the QR codes a printer would print, decoded from the rendered pages."""

import pypdfium2
import zxingcpp


def decoded_qr_codes(content, scale=4):
    """The text of every QR code on every page, in page order."""
    return [
        result.text
        for page in pypdfium2.PdfDocument(content)
        for result in zxingcpp.read_barcodes(page.render(scale=scale).to_pil())
    ]
