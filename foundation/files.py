"""Stored uploads as HTTP responses, for the views that have decided the user may have them.

Content types come from a short list of safe ones, decided by our own extension (uploads are
typed by content and renamed when stored); anything else, and every PDF, goes out as a
download, so an uploaded file is never rendered by the browser as a page of ours.
"""

import os

from django.http import FileResponse, Http404

SAFE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def serve(field_file) -> FileResponse:
    if not field_file:
        raise Http404
    extension = os.path.splitext(field_file.name)[1].lower()
    content_type = SAFE_TYPES.get(extension, "application/octet-stream")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=os.path.basename(field_file.name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
