"""Audit entries of the register: who did what to which record, and when.

Stored as Wagtail log entries (``ModelLogEntry``), so each record's history view in the
admin lists them. Every state-changing function in ``enterprises`` calls ``record`` inside its
transaction.
"""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

ACTIONS = {
    "enterprises.company.imported": _("Imported"),
    "enterprises.licence.applied": _("Licence applied for"),
    "enterprises.licence.approved": _("Licence approved"),
    "enterprises.licence.rejected": _("Licence rejected"),
    "enterprises.licence.suspended": _("Licence suspended"),
    "enterprises.licence.revoked": _("Licence revoked"),
    "enterprises.licence.reinstated": _("Licence reinstated"),
    "enterprises.licence.expired": _("Licence expired"),
    "enterprises.licence.expiry_warned": _("Licence expiry warned"),
    "enterprises.contract.submitted": _("Contract submitted for filing"),
    "enterprises.contract.filed": _("Contract filed"),
    "enterprises.contract.returned": _("Contract returned"),
    "enterprises.contract.terminated": _("Contract terminated"),
    "enterprises.contract.expired": _("Contract expired"),
    "enterprises.disclosure.published": _("Disclosure published"),
    "enterprises.evaluation.submitted": _("Evaluation submitted"),
    "enterprises.credit.recomputed": _("Credit recomputed"),
    "enterprises.credit.appealed": _("Credit record appealed"),
    "enterprises.credit.appeal_upheld": _("Credit appeal upheld"),
    "enterprises.credit.appeal_dismissed": _("Credit appeal dismissed"),
}


def record(instance, action: str, *, actor=None, **data) -> None:
    """Write one audit entry; ``actor`` None means the system (a beat sweep)."""
    if action not in ACTIONS:
        raise ValueError(f"unregistered audit action {action!r}")
    user = actor if actor is not None and actor.is_authenticated else None
    log(instance=instance, action=action, user=user, data=data)


def record_many(entries: list[tuple[object, dict]], action: str, *, actor=None) -> None:
    """One audit entry per instance, written in one bulk insert and sharing one uuid (so the
    history shows them as one user action). For bulk work such as an import, where one
    ``record`` per row cost more than the import itself."""
    if action not in ACTIONS:
        raise ValueError(f"unregistered audit action {action!r}")
    if not entries:
        return
    user = actor if actor is not None and actor.is_authenticated else None
    content_type = ContentType.objects.get_for_model(type(entries[0][0]))
    now, batch = timezone.now(), uuid.uuid4()
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=content_type,
                object_id=str(instance.pk),
                label=str(instance),
                action=action,
                data=data,
                timestamp=now,
                uuid=batch,
                user=user,
            )
            for instance, data in entries
        ],
        batch_size=1000,
    )


def register_actions(actions) -> None:
    for code, label in ACTIONS.items():
        actions.register_action(code, label, label)
