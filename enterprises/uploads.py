"""PDF uploads (contract documents, evaluation reports, disclosure attachments): judged by
their content and bounded in size.

The file name and the browser's declared type are the uploader's claims; the first bytes are
the file's. A renamed executable or web page must never be stored and served as a document.
"""

import os

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Used when settings do not define CONTRACT_DOCUMENT_MAX_BYTES: a scanned 30-page contract.
# The name is historical: the limit applies to every PDF upload of the register.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
PDF_MIME = "application/pdf"
PDF_MAGIC = b"%PDF-"
_HEAD_BYTES = 262  # as much as filetype looks at


def max_document_bytes() -> int:
    return getattr(settings, "CONTRACT_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def validate_pdf(uploaded) -> None:
    """Raise ValidationError naming the file unless it is a PDF within the size limit."""
    name = os.path.basename(getattr(uploaded, "name", "") or "") or _("the document")
    limit = max_document_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            _(
                "“%(name)s” is %(size)s, larger than %(limit)d MB: "
                "a document may be at most %(limit)d MB."
            )
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": limit // 1_048_576},
            code="too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(_HEAD_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(head) if head else None
    # filetype also accepts a byte-order mark before "%PDF"; a real PDF starts with "%PDF-".
    if kind is None or kind.mime != PDF_MIME or not head.startswith(PDF_MAGIC):
        raise ValidationError(
            _("“%(name)s” is not a PDF document; upload it as a PDF.") % {"name": name},
            code="not_pdf",
        )
