"""Small real image files made in memory for upload tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_with_gps(name: str = "photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (30.0, 15.0, 20.0), 3: "E", 4: (120.0, 9.0, 5.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", (32, 32), (0, 128, 0, 255)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def lying_jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A script that claims to be a JPEG by name and by declared type."""
    return SimpleUploadedFile(name, b"<script>alert(1)</script>" * 20, content_type="image/jpeg")
