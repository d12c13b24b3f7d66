"""Small real PDF files made in memory for contract upload tests."""

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.demo.files import pdf_bytes

__all__ = ["bom_pdf", "contract_pdf", "html_named_pdf", "pdf_bytes"]


def contract_pdf(name: str = "contract.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def html_named_pdf(name: str = "contract.pdf") -> SimpleUploadedFile:
    """A web page that claims to be a PDF by its name and its declared type."""
    body = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def bom_pdf(name: str = "contract.pdf") -> SimpleUploadedFile:
    """'%PDF' behind a UTF-8 byte-order mark: filetype accepts it, a PDF reader should not."""
    return SimpleUploadedFile(name, b"\xef\xbb\xbf" + pdf_bytes(), content_type="application/pdf")
