import io
from pypdf import PdfReader

def test_smoke(certified):
    c = certified.certificate_a
    c.refresh_from_db()
    print(c.register_number, c.verification_code, c.pdf.name, c.pdf_sha256)
    data = c.pdf.read()
    open("/tmp/cert.pdf", "wb").write(data)
    r = PdfReader(io.BytesIO(data))
    print(len(r.pages), r.pages[0].mediabox)
    print(r.pages[0].extract_text())
