"""Uploads: the one check of what a file is (by its first bytes) and how large it may be.

The file name and the browser's declared type are the uploader's claims; the first bytes are
the file's. A renamed executable or web page must never be stored and served as a document.
PDFs are stored as they are; photos are re-encoded, which drops EXIF (which may carry the
citizen's GPS position) and anything hidden after the image data, with the orientation
applied first so the photo still shows upright.
"""

import io
import os

import filetype
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# Used when settings do not define CONTRACT_DOCUMENT_MAX_BYTES: a scanned 30-page contract.
# The name is historical: the limit applies to every PDF upload of the register.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
PDF_MIME = "application/pdf"
PDF_MAGIC = b"%PDF-"
HEAD_BYTES = 262  # as much as filetype looks at
ACCEPTED_IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused before decoding
# Stored photos are at most this many pixels on their long side, plenty to see a broken
# railing or a pile of rubbish. A JPEG is decoded straight at a reduced scale (draft mode: 1/2,
# 1/4 or 1/8, never below half of MAX_SIDE), so a 12-megapixel phone photo costs a worker about
# a quarter of the time and memory of a full decode while the citizen waits.
MAX_SIDE = 2560


def display_name(uploaded, default: str = "") -> str:
    """The uploader's file name without any folder, for messages and titles."""
    return os.path.basename(getattr(uploaded, "name", "") or "") or default or _("the file")


def sniff(uploaded) -> str | None:
    """The MIME type the file's first bytes show, or None; the file is rewound."""
    uploaded.seek(0)
    head = uploaded.read(HEAD_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(head) if head else None
    if kind is None:
        return None
    # filetype also accepts a byte-order mark before "%PDF"; a real PDF starts with "%PDF-".
    if kind.mime == PDF_MIME and not head.startswith(PDF_MAGIC):
        return None
    return kind.mime


def check_size(uploaded, *, limit: int, name: str, message: str) -> None:
    """Raise ValidationError when the file is larger than ``limit`` bytes; ``message`` is the
    caller's translated sentence with ``%(name)s``, ``%(size)s`` and ``%(limit)d`` (MB)."""
    if uploaded.size > limit:
        raise ValidationError(
            message
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": limit // 1_048_576},
            code="too_large",
        )


def max_document_bytes() -> int:
    return getattr(settings, "CONTRACT_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def validate_pdf(uploaded) -> None:
    """Raise ValidationError naming the file unless it is a PDF within the size limit
    (contract documents, evaluation reports, disclosure attachments, evidence)."""
    name = display_name(uploaded, _("the document"))
    message = _(
        "“%(name)s” is %(size)s, larger than %(limit)d MB: a document may be at most %(limit)d MB."
    )
    check_size(uploaded, limit=max_document_bytes(), name=name, message=message)
    if sniff(uploaded) != PDF_MIME:
        raise ValidationError(
            _("“%(name)s” is not a PDF document; upload it as a PDF.") % {"name": name},
            code="not_pdf",
        )


def validate_evidence(uploaded) -> str:
    """Evidence is a photo or a PDF, told by its content, within the document size limit;
    returns the file's MIME type or raises ValidationError naming the file."""
    name = display_name(uploaded, _("the evidence"))
    message = _(
        "“%(name)s” is %(size)s, larger than %(limit)d MB: a document may be at most %(limit)d MB."
    )
    check_size(uploaded, limit=max_document_bytes(), name=name, message=message)
    kind = sniff(uploaded)
    if kind != PDF_MIME and kind not in ACCEPTED_IMAGE_TYPES:
        raise ValidationError(
            _("“%(name)s” is neither a photo nor a PDF document.") % {"name": name},
            code="not_evidence",
        )
    return kind


def reencode_photo(uploaded) -> ContentFile:
    """Return a clean JPEG of the uploaded photo, or raise ValidationError saying why not."""
    if uploaded.size > settings.COMPLAINT_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)d MB.")
            % {"name": uploaded.name, "limit": settings.COMPLAINT_PHOTO_MAX_BYTES // 1_048_576}
        )
    if sniff(uploaded) not in ACCEPTED_IMAGE_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a JPEG, PNG, WebP or GIF image.") % {"name": uploaded.name}
        )
    try:
        with Image.open(uploaded) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” has too many pixels.") % {"name": uploaded.name}
                )
            probe.verify()
        uploaded.seek(0)
        with Image.open(uploaded) as image:
            image.draft("RGB", (MAX_SIDE // 2, MAX_SIDE // 2))
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            image = ImageOps.exif_transpose(image).convert("RGB")
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)
    except ValidationError:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("“%(name)s” could not be read as an image.") % {"name": uploaded.name}
        ) from exc
    return ContentFile(out.getvalue(), name="photo.jpg")


class RequestSizeLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: a multipart body larger than UPLOAD_REQUEST_MAX_BYTES is
    refused (400) before a byte of it is read. Django caps form fields
    (DATA_UPLOAD_MAX_MEMORY_SIZE) but not files, which it would stream to disk however large."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.UPLOAD_REQUEST_MAX_BYTES:
            raise RequestDataTooBig(
                f"Upload of {content_length} bytes exceeds UPLOAD_REQUEST_MAX_BYTES."
            )

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
