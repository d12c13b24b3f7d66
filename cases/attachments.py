"""Files on a case: a company's evidence (佐证材料) and internal notes' attachments.

A file is judged by its first bytes, never by its name or the browser's declared type: a PDF
is stored as is (after ``foundation.uploads.validate_pdf``), a photo is re-encoded to JPEG
(which drops EXIF and its GPS position), anything else is refused. The stored name is
generated: the uploader's file name may carry personal data and only survives, shortened, as
the title shown to staff.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext as _

from cases.models import AttachmentKind, CaseAttachment, CompanyAnswer, Complaint
from foundation import uploads

TITLE_MAX_LENGTH = CaseAttachment._meta.get_field("title").max_length


@dataclass(frozen=True)
class _Prepared:
    content: File
    content_type: str
    extension: str


def _prepare(uploaded) -> _Prepared:
    """Check the upload and return what would be stored, or raise ValidationError."""
    name = uploads.display_name(uploaded)
    message = _(
        "“%(name)s” is %(size)s, larger than %(limit)d MB: "
        "an attachment may be at most %(limit)d MB."
    )
    uploads.check_size(
        uploaded, limit=settings.CASE_ATTACHMENT_MAX_BYTES, name=name, message=message
    )
    mime = uploads.sniff(uploaded)
    if mime == uploads.PDF_MIME:
        uploads.validate_pdf(uploaded)
        uploaded.seek(0)
        return _Prepared(content=File(uploaded), content_type=uploads.PDF_MIME, extension="pdf")
    if mime in uploads.ACCEPTED_IMAGE_TYPES:
        clean: ContentFile = uploads.reencode_photo(uploaded)
        return _Prepared(content=clean, content_type="image/jpeg", extension="jpg")
    raise ValidationError(
        _(
            "“%(name)s” is neither a PDF document nor a JPEG, PNG, WebP or GIF image; "
            "only those can be attached."
        )
        % {"name": name},
        code="bad_type",
    )


def validate_attachment(uploaded) -> None:
    """For forms: raise ValidationError naming the file unless it may be attached.

    Call it on every file before writing anything, so one bad file refuses the whole form.
    """
    _prepare(uploaded)


def store_attachment(
    complaint: Complaint,
    uploaded,
    *,
    kind: str,
    actor,
    answer: CompanyAnswer | None = None,
) -> CaseAttachment:
    """Validate and store one file on the case; raise ValidationError (nothing stored) if not.

    The caller checks the actor's permission and writes the timeline event, in the same
    transaction.
    """
    if kind not in AttachmentKind.values:
        raise ValueError(f"Unknown attachment kind {kind!r}")
    if answer is not None and answer.complaint_id != complaint.pk:
        raise ValueError("The answer belongs to another case")
    prepared = _prepare(uploaded)
    title = uploads.display_name(uploaded)[:TITLE_MAX_LENGTH]
    attachment = CaseAttachment(
        complaint=complaint,
        kind=kind,
        answer=answer,
        title=title,
        content_type=prepared.content_type,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{prepared.extension}", prepared.content, save=False)
    attachment.size = attachment.file.size
    attachment.save()
    return attachment
