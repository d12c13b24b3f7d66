"""Hostile files made in the test: lying extensions, bombs, corrupt and polyglot images.

The bombs are a few kilobytes that declare (or inflate to) gigabytes; nothing here allocates
the pixels or the zeros they declare.
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from portal.demo.files import pdf_bytes

GIB = 1024**3


def real_png(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 128, 0)).save(out, format="PNG")
    return out.getvalue()


def real_jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format="JPEG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG whose header declares width × height one-bit pixels; the IDAT holds a few rows."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + width // 8) * 16, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def zeros_png(side: int) -> bytes:
    """A real, complete one-bit PNG of side × side black pixels: kilobytes that decode to
    side² pixels (three bytes each once converted to RGB)."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def gif_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A GIF whose screen and image descriptor declare width × height."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00" * 2
    image = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x44\x01\x00"
    return screen + image + b";"


def jpeg_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A real small JPEG with its frame header (SOF0) rewritten to declare width × height."""
    data = bytearray(real_jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def zip_bomb(path: Path, expanded: int = GIB) -> bytes:
    """A ZIP of one member that inflates to ``expanded`` zero bytes, written once to ``path``."""
    if not path.exists():
        chunk = b"\x00" * (1024 * 1024)
        archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9)
        with archive, archive.open("zeros.bin", "w", force_zip64=True) as member:
            for _ in range(expanded // len(chunk)):
                member.write(chunk)
    return path.read_bytes()


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(document.domain)</script></svg>"
    )


def pe_executable() -> bytes:
    """The start of a Windows executable: 'MZ', the DOS stub, a 'PE' header."""
    return b"MZ\x90\x00\x03" + b"\x00" * 55 + struct.pack("<I", 64) + b"PE\x00\x00" + b"\x00" * 400


def pdf_with_javascript() -> bytes:
    return pdf_bytes().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>", 1
    )


def truncated_jpeg() -> bytes:
    data = real_jpeg((400, 300))
    return data[: len(data) // 2]


def polyglot_jpeg_html() -> bytes:
    """A valid JPEG with a web page after its end marker: browsers sniffing it may run it."""
    return real_jpeg() + html_page()


# What each refused file is, by name as the uploader would call it.
NOT_IMAGES: dict[str, Callable[[], bytes]] = {
    "page.jpg": html_page,
    "drawing.jpg": svg_with_script,
    "drawing.svg": svg_with_script,
    "setup.jpg": pe_executable,
    "setup.pdf": pe_executable,
}
IMAGE_BOMBS: dict[str, Callable[[], bytes]] = {
    "bomb.png": png_bomb,
    "bomb.gif": gif_bomb,
    "bomb.jpg": jpeg_bomb,
    "just-too-many.png": lambda: png_bomb(8_000, 8_000),  # 64 Mpx: under Pillow's guard, over ours
}
