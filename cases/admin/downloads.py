"""Files of a case, served only to those who may have them.

A file the user may not have answers 404, exactly like one that does not exist, so a guessed
id confirms nothing. Files go out as downloads with a content type from a short list of safe
ones: an uploaded file is never rendered by the browser as a page of ours.
"""

import os

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from cases import permissions
from cases.admin.case_actions import get_case
from cases.models import AttachmentKind, CaseAttachment, ComplaintPhoto
from foundation.files import serve

SAFE_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
}


def may_download(user, attachment: CaseAttachment) -> bool:
    """Regulator staff who see the case: any file; company staff: the evidence of their own
    company's answers; nobody else."""
    if not permissions.visible_complaints(user).filter(pk=attachment.complaint_id).exists():
        return False
    if permissions.is_regulator(user):
        return True
    company_id = permissions.company_of(user)
    return (
        company_id is not None
        and attachment.kind == AttachmentKind.EVIDENCE
        and attachment.answer is not None
        and attachment.answer.company_id == company_id
    )


def attachment(request, attachment_id: int) -> FileResponse:
    found = get_object_or_404(CaseAttachment.objects.select_related("answer"), pk=attachment_id)
    if not may_download(request.user, found):
        raise Http404
    content_type = found.content_type if found.content_type in SAFE_TYPES else None
    # The uploader's file name, without any path or control characters; our own extension.
    title = "".join(ch for ch in os.path.basename(found.title) if ch.isprintable())
    stem = os.path.splitext(title)[0].strip() or "attachment"
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=stem + SAFE_TYPES.get(content_type, ".bin"),
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def photo(request, pk: int, photo_id: int) -> FileResponse:
    """A citizen's photo (re-encoded on upload), for whoever may see the case."""
    complaint = get_case(request.user, pk)
    return serve(get_object_or_404(ComplaintPhoto, pk=photo_id, complaint=complaint).image)
