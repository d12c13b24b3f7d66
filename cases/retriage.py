"""Re-triage (重新分类定级): correct the category, the tier or the estate of an open case.

Intake fixes all three from what the citizen typed or said; a wrong one sends the case the
wrong way, and a mistyped estate leaves it without a district or a company. An official of
the case's district or the inspector it is assigned to corrects them here, with a reason:

- the due dates are computed again from the original submission time (``cases.sla``), on
  the working calendar; time the case already gained (an approved extension, a wait on the
  complainant) is carried over in working hours;
- a newly linked estate brings its district and its responsible company; a dispatch still
  open to a company no longer responsible is withdrawn, and a case left with no unit goes
  back to "accepted" for the official to dispatch again; the assigned inspector keeps the
  case (a guardian grant) when it moves out of their district;
- the timeline keeps before and after (internal), and the citizen is told once, after
  commit, when a due date they see moved (a public event).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import calendar, permissions, sla, tiers
from cases.dispatch import ACTIVE, grant_case, responsible_company
from cases.models import CaseStatus, Category, Complaint, Dispatch, DispatchStatus, Tier
from cases.signals import complaints_changed
from cases.workflow import TransitionNotAllowed, lock, log_event, transition
from enterprises.models import Estate

RETRIAGED = "cases.complaint.retriaged"
DUE_CHANGED = "cases.complaint.due_changed"
DUE_FIELDS = ("accept_due_at", "respond_due_at", "resolve_due_at")
# Less than this many working hours gained is rounding, not an extension.
_NO_TIME = 0.01


class RetriageRefused(TransitionNotAllowed):
    """A refused re-triage; ``field`` names the form field the message is about."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _check_input(category: str, tier: str, estate, reason: str) -> None:
    if category not in Category.values:
        raise RetriageRefused(_("Category: choose one from the list."), "category")
    if tier not in Tier.values:
        raise RetriageRefused(_("Severity tier: choose one from the list."), "tier")
    if estate is not None and not (isinstance(estate, Estate) and estate.pk):
        raise RetriageRefused(_("Estate: choose an estate of the register."), "estate")
    if not reason:
        raise RetriageRefused(_("Reason: say why the case is re-triaged."), "reason")


def retriage_case(
    complaint: Complaint, *, actor, category: str, tier: str, estate: Estate | None, reason: str
) -> Complaint:
    """Give an open case a new category, tier and/or estate (``estate`` None keeps a case
    without one unlinked; a linked case cannot be unlinked). Refused, with nothing changed,
    for a case no longer open, for no change at all and for an actor who may not."""
    reason = (reason or "").strip()
    _check_input(category, tier, estate, reason)
    with transaction.atomic():
        locked = lock(complaint)
        if not permissions.can_retriage(actor, locked):
            raise RetriageRefused(
                _(
                    "Only an official of the case's district or its assigned inspector may "
                    "re-triage it."
                )
            )
        if locked.status not in CaseStatus.OPEN_STATES:
            raise RetriageRefused(
                _("The case is “%(status)s”: only an open case can be re-triaged.")
                % {"status": locked.get_status_display()}
            )
        if estate is None and locked.estate_id is not None:
            raise RetriageRefused(
                _("Estate: a case linked to the register cannot be unlinked; choose its estate."),
                "estate",
            )
        new_estate = estate if estate is not None and estate.pk != locked.estate_id else None
        if category == locked.category and tier == locked.tier and new_estate is None:
            raise RetriageRefused(
                _("Nothing would change: choose another category, severity tier or estate."),
                "category",
            )
        before = _facts(locked)
        changes: dict = {"category": category, "tier": tier}
        if category != locked.category or tier != locked.tier:
            changes.update(_due_dates(locked, tier=tier, category=category))
        withdrawn: list[int] = []
        if new_estate is not None:
            changes.update(_routing(locked, new_estate))
            company = changes["company"]
            withdrawn = _withdraw_other_companies(locked, company)
            if locked.dispatched_company_id and locked.dispatched_company_id != getattr(
                company, "pk", None
            ):
                changes["dispatched_company"] = None
        data = {"reason": reason, **_before_after(before, locked, changes)}
        if "resolve_due_at" in changes:
            data["due"] = changes["resolve_due_at"].isoformat()
        if withdrawn:
            data["withdrawn"] = withdrawn
        no_unit_left = not locked.dispatches.filter(status__in=ACTIVE).exists()
        if no_unit_left and locked.status in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
            locked, _event = transition(
                locked,
                actor=actor,
                to=CaseStatus.ACCEPTED,
                action=RETRIAGED,
                public=False,
                data=data,
                permitted=True,
                **changes,
            )
        else:
            for name, value in changes.items():
                setattr(locked, name, value)
            locked.save()
            log_event(locked, RETRIAGED, actor=actor, public=False, data=data)
            complaints_changed([locked.pk])
        if locked.assigned_inspector_id and locked.district_id != before["district_id"]:
            grant_case(locked.assigned_inspector, locked)
        _tell_if_due_moved(locked, before, actor)
        if (locked.tier, locked.estate_id) != (before["tier"], before["estate_id"]):
            tiers.alert_if_urgent(locked)  # made urgent, or urgent at another company's estate
    complaint.refresh_from_db()
    permissions.forget_visibility(complaint)
    return complaint


def _facts(locked: Complaint) -> dict:
    return {
        "category": locked.category,
        "tier": locked.tier,
        "estate": locked.estate_name,
        "estate_id": locked.estate_id,
        "district_id": locked.district_id,
        "company": locked.company.name if locked.company_id else "",
        **{name: getattr(locked, name) for name in DUE_FIELDS},
    }


def _due_dates(locked: Complaint, *, tier: str, category: str) -> dict:
    """The due dates of the new tier and category from the submission time, each moved on by
    the working hours the case had gained on the old ones (extensions, waits)."""
    old = sla.due_dates(locked.created_at, locked.tier, locked.category)
    new = sla.due_dates(locked.created_at, tier, category)
    overrides = calendar.load_overrides(locked.created_at.astimezone(calendar.TIMEZONE).date())
    changes = {}
    for name, old_base, new_base in zip(DUE_FIELDS, old, new, strict=True):
        current = getattr(locked, name)
        gained = 0.0
        if current is not None:
            gained = calendar.working_hours_between(old_base, current, overrides=overrides)
        due = new_base
        if gained > _NO_TIME:
            due = calendar.add_working_hours(new_base, gained, overrides=overrides)
        if due != current:
            changes[name] = due
    resolve = changes.get("resolve_due_at")
    if resolve is not None and resolve > timezone.now():
        # The supervision ladder starts again from the new due date (as for an extension).
        changes.update(overdue_since=None, sla_warned_at=None, escalation_level=0)
    return changes


def _routing(locked: Complaint, estate: Estate) -> dict:
    """The estate of the register, its district and the company responsible for it now."""
    probe = Complaint(estate=estate)
    return {
        "estate": estate,
        "estate_name": estate.name,
        "district_id": estate.district_id,
        "company": responsible_company(probe),
    }


def _withdraw_other_companies(locked: Complaint, company) -> list[int]:
    """Withdraw the open dispatches to a company that is no longer responsible."""
    stale = locked.dispatches.filter(status__in=ACTIVE, company__isnull=False)
    if company is not None:
        stale = stale.exclude(company=company)
    ids = list(stale.values_list("pk", flat=True))
    Dispatch.objects.filter(pk__in=ids).update(status=DispatchStatus.WITHDRAWN)
    return ids


def _before_after(before: dict, locked: Complaint, changes: dict) -> dict:
    """What changed, as words the timeline shows (labels are looked up when shown)."""
    data = {}
    for name in ("category", "tier"):
        if changes.get(name, before[name]) != before[name]:
            data[f"{name}_before"], data[f"{name}_after"] = before[name], changes[name]
    if "estate" in changes:
        data["estate_before"], data["estate_after"] = before["estate"], changes["estate_name"]
        company = changes["company"].name if changes["company"] is not None else ""
        if company != before["company"]:
            data["company_before"], data["company_after"] = before["company"], company
    return data


def _tell_if_due_moved(locked: Complaint, before: dict, actor) -> None:
    """A public event (and so one message, after commit) when a date the citizen sees on the
    tracking page moved: the date to resolve by, and the date to accept by before intake."""
    data = {}
    if locked.resolve_due_at != before["resolve_due_at"]:
        data["due"] = locked.resolve_due_at.isoformat()
    if locked.status == CaseStatus.SUBMITTED and locked.accept_due_at != before["accept_due_at"]:
        data["accept_due"] = locked.accept_due_at.isoformat()
    if data:
        log_event(locked, DUE_CHANGED, actor=actor, public=True, data=data)
