"""Retention of complainants' personal data (个人信息保存期限): a case closed longer than
``PERSONAL_DATA_RETENTION_DAYS`` ago keeps its facts, not who complained.

Closed means a final state of ``cases.workflow``: closed (办结后回访完毕), rejected (不予受理)
or merged into another case, and for a merged one its primary case must be closed or
rejected too, as its complainant follows the primary's timeline. The closing time is the
timeline event that brought the case into that state (a closed case can be reopened: then it
is no longer closed, and a new closing starts the period again).

Anonymising blanks the name, phone, e-mail and ID number, removes phone numbers, e-mail and
ID numbers, the complainant's name and the like (``cases.deidentify.public_text``) from the
texts that carry the exchange with the complainant (description, public reply, questions and
answers, the companies' answers, the timeline's texts and the queued messages), and sets
``anonymised_at``. Photos and documents stay: they are evidence. It runs in batches, each in
its own transaction under the rows' locks, re-checking each case under its lock, so a case
reopened meanwhile is left alone and a second run finds nothing to do.

The timeline event (``cases.complaint.anonymised``) is the per-case record; one audit log
event per run carries the count, so a daily sweep that finds nothing writes nothing.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from cases.deidentify import public_text
from cases.models import CaseEvent, CaseStatus, CompanyAnswer, Complaint, InfoRequest
from cases.signals import complaints_changed
from foundation.audit import PERSONAL_DATA_ANONYMISED, record_event
from foundation.models import Notification

# Final states: a merged case is final only with its primary (see the module's docstring).
PRIMARY_CLOSED_STATES = (CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.TRANSFERRED)
ANONYMISED = "cases.complaint.anonymised"
BATCH_SIZE = 200
# The texts of timeline events (CaseEvent.data) written by or about the complainant.
EVENT_TEXT_KEYS = ("note", "text", "reason", "reply", "question", "answer", "comment")


def retention_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def _closed_at(path: str) -> Coalesce:
    """When the case (``path`` "") or its primary (``path`` "merged_into__") entered its
    current status; without such an event (a row imported without its timeline), its last
    change."""
    event = CaseEvent.objects.filter(
        complaint_id=OuterRef(f"{path}id"), to_status=OuterRef(f"{path}status")
    ).order_by("-timestamp")
    return Coalesce(
        Subquery(event.values("timestamp")[:1]),
        F(f"{path}updated_at"),
        output_field=DateTimeField(),
    )


def complaints_due(now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """Complaints whose personal data is due for removal at ``now``."""
    cutoff = retention_cutoff(now or timezone.now())
    return (
        Complaint.objects.filter(anonymised_at__isnull=True, status__in=CaseStatus.FINAL_STATES)
        .annotate(
            closed_at=_closed_at(""),
            primary_closed_at=_closed_at("merged_into__"),
        )
        .filter(closed_at__lt=cutoff)
        .filter(
            Q(merged_into__isnull=True)
            | Q(merged_into__status__in=PRIMARY_CLOSED_STATES, primary_closed_at__lt=cutoff)
        )
    )


def anonymise_closed_complaints(
    *,
    now: dt.datetime | None = None,
    actor=None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Anonymise every complaint due at ``now``; returns how many were anonymised.
    ``on_batch`` is told the size of each batch done (a progress bar)."""
    now = now or timezone.now()
    done = 0
    after = 0
    while True:
        ids = list(
            complaints_due(now)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        after = ids[-1]
        count = _anonymise_batch(ids, now=now, actor=actor)
        done += count
        if on_batch is not None:
            on_batch(len(ids))
    if done:
        record_event(
            actor=actor,
            action=PERSONAL_DATA_ANONYMISED,
            label="complaints",
            filters={"retention_days": settings.PERSONAL_DATA_RETENTION_DAYS},
            row_count=done,
            format="",
        )
    return done


def _anonymise_batch(ids: list[int], *, now: dt.datetime, actor) -> int:
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        # Lock first, then ask again: a case reopened since the ids were read is skipped.
        locked = list(Complaint.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        still_due = set(complaints_due(now).filter(pk__in=ids).values_list("pk", flat=True))
        reindex = []
        for complaint in locked:
            if complaint.pk not in still_due:
                continue
            if _anonymise(complaint, now=now, actor=actor):
                reindex.append(complaint.pk)
        if reindex:
            complaints_changed(reindex)
    return len(still_due)


def _anonymise(complaint: Complaint, *, now: dt.datetime, actor) -> bool:
    """Anonymise one locked complaint; True if its indexed text changed."""
    names = [complaint.contact_name] if complaint.contact_name else []
    contacts = [v for v in (complaint.contact_phone, complaint.contact_email) if v]

    def scrub(text: str) -> str:
        return public_text(text, names=names) if text else text

    description = scrub(complaint.description)
    reindexed = description != complaint.description
    complaint.description = description
    complaint.public_reply = scrub(complaint.public_reply)
    complaint.contact_name = complaint.contact_phone = complaint.phone_digest = ""
    complaint.contact_email = complaint.contact_id_number = ""
    complaint.address = ""  # building and room: with the estate they name the household
    complaint.anonymised_at = now
    complaint.save(
        update_fields=[
            "description",
            "public_reply",
            "contact_name",
            "contact_phone",
            "phone_digest",
            "contact_email",
            "contact_id_number",
            "address",
            "anonymised_at",
            "updated_at",
        ]
    )
    for request in InfoRequest.objects.filter(complaint=complaint):
        question, answer = scrub(request.question), scrub(request.answer)
        if (question, answer) != (request.question, request.answer):
            InfoRequest.objects.filter(pk=request.pk).update(question=question, answer=answer)
    for answer in CompanyAnswer.objects.filter(complaint=complaint):
        text, note = scrub(answer.text), scrub(answer.review_note)
        if (text, note) != (answer.text, answer.review_note):
            CompanyAnswer.objects.filter(pk=answer.pk).update(text=text, review_note=note)
    _scrub_timeline(complaint, scrub)
    _forget_messages(complaint, contacts, scrub)
    CaseEvent.objects.log_action(
        complaint,
        ANONYMISED,
        user=actor if actor is not None and actor.is_authenticated else None,
        is_public=False,
        data={"retention_days": settings.PERSONAL_DATA_RETENTION_DAYS},
    )
    return reindexed


def _scrub_timeline(complaint: Complaint, scrub: Callable[[str], str]) -> None:
    """The timeline is immutable to every workflow; the retention rule is its one exception,
    and it changes only the personal details inside texts, never who, when or what."""
    for event in CaseEvent.objects.filter(complaint=complaint).only("pk", "data"):
        data = event.data or {}
        cleaned = {
            key: scrub(value) if key in EVENT_TEXT_KEYS and isinstance(value, str) else value
            for key, value in data.items()
        }
        if cleaned != data:
            CaseEvent.objects.filter(pk=event.pk).update(data=cleaned)


def _forget_messages(
    complaint: Complaint, contacts: list[str], scrub: Callable[[str], str]
) -> None:
    """The complainant's messages: sent ones keep no address and a scrubbed text; unsent ones
    (a gateway down for two years) are dropped, there is nobody left to send them to."""
    mine = Notification.objects.filter(dedup_key__startswith=f"complaint:{complaint.pk}:").filter(
        Q(recipient__in=contacts) | Q(dedup_key__contains=":receipt:")
    )
    mine.filter(sent_at__isnull=True).delete()
    for message in mine.filter(sent_at__isnull=False):
        Notification.objects.filter(pk=message.pk).update(
            recipient="", subject=scrub(message.subject), body=scrub(message.body)
        )
