"""Photo uploads: type decided by content, size and pixel count bounded, metadata stripped.

Re-encoding drops EXIF (which may carry the citizen's GPS position) and anything hidden after
the image data; the orientation is applied first so the photo still shows upright.
"""

import io

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

ACCEPTED_IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused before decoding


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
            image = ImageOps.exif_transpose(image).convert("RGB")
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("“%(name)s” could not be read as an image.") % {"name": uploaded.name}
        ) from exc
    return ContentFile(out.getvalue(), name="photo.jpg")
