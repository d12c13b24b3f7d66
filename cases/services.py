"""Intake: a citizen's complaint becomes a case.

``submit_complaint`` commits the complaint, its photos, its documents and its first timeline
event in one transaction before anything else happens, so a complaint is never lost (and a
refused document leaves nothing behind): indexing is queued only on commit and a missed
indexing is caught up by the search outbox sweep.
"""

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import sla, tiers
from cases.access_codes import digest_access_code, new_access_code, new_tracking_number
from cases.attachments import store_attachment
from cases.models import (
    AttachmentKind,
    CaseEvent,
    CaseStatus,
    Channel,
    Complaint,
    ComplaintPhoto,
    PartnerApiKey,
    Tier,
)
from cases.models.personal_data import normalise_id_number
from cases.phones import phone_digest
from cases.signals import complaints_changed
from enterprises.models import Estate

TRACKING_NUMBER_ATTEMPTS = 5


@dataclass(frozen=True)
class Receipt:
    """What the citizen is shown once: the access code is not stored in clear anywhere."""

    complaint: Complaint
    tracking_number: str
    access_code: str


def submit_complaint(
    *,
    actor,
    category: str,
    description: str,
    contact_phone: str,
    estate: Estate | None = None,
    estate_name: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_id_number: str = "",
    photos: Sequence[ContentFile] = (),
    documents: Sequence = (),
    address: str = "",
    anonymous_to_company: bool = False,
    consent_to_publish: bool = False,
    tier: str = Tier.GENERAL,
    channel: str = Channel.WEB,
    channel_reference: str = "",
    partner: PartnerApiKey | None = None,
    registered_by=None,
    language: str = "",
) -> Receipt:
    """File a complaint. ``photos`` are already re-encoded; ``documents`` are uploaded PDFs,
    checked again and stored as the citizen's attachments (ValidationError: nothing stored).

    Every channel comes through here: the web form, a partner's API request (``partner``) and
    staff registering a call, a letter or a visit for the caller (``registered_by``, with the
    channel's own ``channel_reference``), which also writes an internal timeline entry."""
    access_code = new_access_code()
    due = sla.due_dates(timezone.now(), tier, category)  # triage may change the tier later
    with _photo_files_removed_on_failure() as stored_photos, transaction.atomic():
        complaint = _create_with_fresh_tracking_number(
            access_code,
            status=CaseStatus.SUBMITTED,
            accept_due_at=due.accept_by,
            respond_due_at=due.respond_by,
            resolve_due_at=due.resolve_by,
            category=category,
            description=description,
            contact_phone=contact_phone,
            contact_name=contact_name,
            contact_email=contact_email.strip(),
            contact_id_number=normalise_id_number(contact_id_number),
            estate=estate,
            estate_name=estate_name or (estate.name if estate else ""),
            district_id=estate.district_id if estate else None,
            company_id=estate.managing_company_id if estate else None,
            address=address.strip(),
            anonymous_to_company=anonymous_to_company,
            consent_to_publish=consent_to_publish,
            phone_digest=phone_digest(contact_phone),
            tier=tier,
            channel=channel,
            channel_reference=channel_reference.strip(),
            partner=partner,
            registered_by=registered_by,
            language=language or settings.LANGUAGE_CODE,
        )
        for content in photos:
            photo = ComplaintPhoto(complaint=complaint, image=content)
            stored_photos.append(photo)
            photo.save()
        for document in documents:
            store_attachment(complaint, document, kind=AttachmentKind.CITIZEN, actor=actor)
        CaseEvent.objects.log_action(
            complaint,
            "cases.complaint.submitted",
            user=actor if actor is not None and actor.is_authenticated else None,
            to_status=CaseStatus.SUBMITTED,
            is_public=True,
        )
        if registered_by is not None:
            CaseEvent.objects.log_action(
                complaint,
                "cases.complaint.registered",
                user=registered_by,
                data={"channel": channel, "reference": complaint.channel_reference},
                is_public=False,
            )
        complaints_changed([complaint.pk])
        tiers.alert_if_urgent(complaint)  # an urgent case: on-duty official and company now
    return Receipt(
        complaint=complaint, tracking_number=complaint.tracking_number, access_code=access_code
    )


@contextmanager
def _photo_files_removed_on_failure():
    """A photo file is written before its row: when the transaction rolls back (or the
    database never answers), the file goes too, or it would outlive its row."""
    photos: list[ComplaintPhoto] = []
    try:
        yield photos
    except BaseException:
        for photo in photos:
            if photo.image and photo.image._committed:  # written to storage already
                photo.image.storage.delete(photo.image.name)
        raise


def _create_with_fresh_tracking_number(access_code: str, **fields) -> Complaint:
    """31^6 suffixes a day make a clash rare but possible, also between two concurrent
    submissions: the unique index decides, and a clash just draws another number."""
    for attempt in range(TRACKING_NUMBER_ATTEMPTS):
        number = new_tracking_number()
        try:
            with transaction.atomic():  # a savepoint: a clash must not spoil the outer one
                return Complaint.objects.create(
                    tracking_number=number,
                    access_code_digest=digest_access_code(number, access_code),
                    **fields,
                )
        except IntegrityError:
            if attempt == TRACKING_NUMBER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
