"""Photo uploads: type decided by content, size and pixel count bounded, metadata stripped.

Re-encoding drops EXIF (which may carry the citizen's GPS position) and anything hidden after
the image data; the orientation is applied first so the photo still shows upright.
"""

import io

import filetype
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

ACCEPTED_IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused before decoding
# Stored photos are at most this many pixels on their long side, plenty to see a broken
# railing or a pile of rubbish. A JPEG is decoded straight at a reduced scale (draft mode: 1/2,
# 1/4 or 1/8, never below half of MAX_SIDE), so a 12-megapixel phone photo costs a worker about
# a quarter of the time and memory of a full decode while the citizen waits.
MAX_SIDE = 2560


def reencode_photo(uploaded) -> ContentFile:
    """Return a clean JPEG of the uploaded photo, or raise ValidationError saying why not."""
    if uploaded.size > settings.COMPLAINT_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)d MB.")
            % {"name": uploaded.name, "limit": settings.COMPLAINT_PHOTO_MAX_BYTES // 1_048_576}
        )
    head = uploaded.read(262)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED_IMAGE_TYPES:
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
