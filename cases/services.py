"""Intake: a citizen's complaint becomes a case.

``submit_complaint`` commits the complaint, its photos and its first timeline event in one
transaction before anything else happens, so a complaint is never lost: indexing is queued
only on commit and a missed indexing is caught up by the search outbox sweep.
"""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from cases.access_codes import digest_access_code, new_access_code, new_tracking_number
from cases.models import CaseEvent, CaseStatus, Complaint, ComplaintPhoto
from enterprises.models import Estate


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
    photos: list[ContentFile] = (),
) -> Receipt:
    from search.indexing import queue_for_indexing

    access_code = new_access_code()
    with transaction.atomic():
        tracking_number = _unused_tracking_number()
        complaint = Complaint.objects.create(
            tracking_number=tracking_number,
            access_code_digest=digest_access_code(tracking_number, access_code),
            status=CaseStatus.SUBMITTED,
            category=category,
            description=description,
            contact_phone=contact_phone,
            contact_name=contact_name,
            estate=estate,
            estate_name=estate_name or (estate.name if estate else ""),
            district_id=estate.district_id if estate else None,
            company_id=estate.managing_company_id if estate else None,
        )
        for photo in photos:
            ComplaintPhoto.objects.create(complaint=complaint, image=photo)
        CaseEvent.objects.log_action(
            complaint,
            "cases.complaint.submitted",
            user=actor if actor is not None and actor.is_authenticated else None,
            to_status=CaseStatus.SUBMITTED,
            is_public=True,
        )
        queue_for_indexing([complaint.pk])
    return Receipt(complaint=complaint, tracking_number=tracking_number, access_code=access_code)


def _unused_tracking_number() -> str:
    # 31^6 suffixes a day: a clash is rare, but a unique index would turn one into a 500.
    while True:
        number = new_tracking_number()
        if not Complaint.objects.filter(tracking_number=number).exists():
            return number
