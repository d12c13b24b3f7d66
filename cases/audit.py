"""Audit entries of the supervision loop (inspections, draws, orders, penalties): who did
what to which record, and when.

Stored as Wagtail log entries (``ModelLogEntry``), so each record's history view in the admin
lists them. A complaint's own timeline is ``CaseEvent``; these are the regulator's records.
Every state-changing function in ``cases.inspections``, ``cases.draws``,
``cases.rectification`` and ``cases.penalties`` calls ``record`` inside its transaction.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

ACTIONS = {
    "cases.inspection.planned": _("Inspection planned"),
    "cases.inspection.started": _("Inspection started"),
    "cases.inspection.scored": _("Checklist item scored"),
    "cases.inspection.photo_added": _("Inspection photo added"),
    "cases.inspection.completed": _("Inspection completed"),
    "cases.inspection.cancelled": _("Inspection cancelled"),
    "cases.checklist.versioned": _("Checklist version created"),
    "cases.draw.drawn": _("Random draw made"),
    "cases.draw.published": _("Random draw published"),
    "cases.order.issued": _("Rectification order issued"),
    "cases.order.acknowledged": _("Rectification order acknowledged"),
    "cases.order.submitted": _("Rectification submitted"),
    "cases.order.verified": _("Rectification verified"),
    "cases.order.failed": _("Rectification failed"),
    "cases.order.overdue": _("Rectification order overdue"),
    "cases.penalty.proposed": _("Penalty proposed"),
    "cases.penalty.approved": _("Penalty approved"),
    "cases.penalty.rejected": _("Penalty not approved"),
    "cases.penalty.served": _("Penalty served"),
    "cases.penalty.executed": _("Penalty executed"),
    "cases.penalty.published": _("Penalty published"),
}


def record(instance, action: str, *, actor=None, **data) -> None:
    """Write one audit entry; ``actor`` None means the system (a beat sweep)."""
    if action not in ACTIONS:
        raise ValueError(f"unregistered audit action {action!r}")
    user = actor if actor is not None and actor.is_authenticated else None
    log(instance=instance, action=action, user=user, data=data)
