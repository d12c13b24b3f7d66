"""The inspection state machine (监督检查): every status change of an ``Inspection`` happens here.

``planned → in_progress → completed``, and ``planned | in_progress → cancelled`` with a reason.
Two inspectors or more of the estate's district carry an inspection out and score it item by
item on a frozen checklist version; the failed items are what rectification orders
(整改通知书, ``cases.rectification``) are issued from.

Each verb locks the row, checks the actor (``PermissionDenied``) and the transition table
(``InspectionError``), writes the audit entry in the same transaction, and returns quietly when
the target state is already reached.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.models import (
    Campaign,
    ChecklistItem,
    ChecklistTemplate,
    Complaint,
    Dimension,
    DrawTarget,
    Inspection,
    InspectionKind,
    InspectionPhoto,
    InspectionScore,
    InspectionStatus,
    RandomDraw,
    RectificationOrder,
    ScoringRule,
)
from enterprises.models import Estate
from foundation import audit
from foundation.names import display_name
from foundation.state_machine import StateMachine
from foundation.uploads import reencode_photo

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    InspectionStatus.PLANNED: {InspectionStatus.IN_PROGRESS, InspectionStatus.CANCELLED},
    InspectionStatus.IN_PROGRESS: {InspectionStatus.COMPLETED, InspectionStatus.CANCELLED},
    InspectionStatus.COMPLETED: set(),
    InspectionStatus.CANCELLED: set(),
}

MIN_INSPECTORS = 2  # law enforcement on site is done by two officers at least
PASS_SHARE = Decimal("0.6")  # a scale item passes with 60 % of its weight
ONE_DECIMAL = Decimal("0.1")


class InspectionError(Exception):
    """An inspection action was refused; the message is shown to the user as is."""


INSPECTION_MACHINE = StateMachine(
    Inspection,
    transitions=ALLOWED_TRANSITIONS,
    error=InspectionError,
    refusal=gettext_lazy("An inspection that is “%(current)s” cannot become “%(target)s”."),
)


# Planning -----------------------------------------------------------------------------------


def plan_inspection(
    *,
    actor,
    estate: Estate,
    kind: str,
    checklist: ChecklistTemplate,
    inspectors,
    planned_on: datetime.date,
    campaign: Campaign | None = None,
    complaint: Complaint | None = None,
    draw: RandomDraw | None = None,
    order: RectificationOrder | None = None,
) -> Inspection:
    """Plan an inspection of ``estate`` (and of the company running it) by ``inspectors``."""
    if not permissions.can_plan_inspection(actor, estate.district_id):
        raise PermissionDenied(_("You may not plan inspections in this district."))
    if kind not in InspectionKind.values:
        raise InspectionError(_("Unknown inspection kind “%(kind)s”.") % {"kind": kind})
    if estate.managing_company_id is None:
        raise InspectionError(
            _("Estate “%(estate)s” has no managing company to inspect.") % {"estate": estate}
        )
    if not checklist.items.exists():
        raise InspectionError(
            _("Checklist “%(checklist)s” has no items to score.") % {"checklist": checklist}
        )
    team = _check_inspectors(list(inspectors), estate)
    _check_links(
        kind, estate, planned_on, campaign=campaign, complaint=complaint, draw=draw, order=order
    )
    if draw is not None:
        _check_drawn(draw, estate, team)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            kind=kind,
            estate=estate,
            company_id=estate.managing_company_id,
            district_id=estate.district_id,
            checklist=checklist,
            campaign=campaign,
            complaint=complaint,
            draw=draw,
            order=order,
            planned_on=planned_on,
            planned_by=actor,
        )
        inspection.inspectors.set(team)
        audit.record(
            inspection,
            "cases.inspection.planned",
            actor=actor,
            to_status=InspectionStatus.PLANNED,
            kind=kind,
            estate=estate.pk,
            company=estate.managing_company_id,
            checklist=checklist.pk,
            inspectors=sorted(user.pk for user in team),
            planned_on=planned_on.isoformat(),
            campaign=campaign.pk if campaign else None,
            complaint=complaint.pk if complaint else None,
            draw=draw.pk if draw else None,
            order=order.pk if order else None,
        )
    return inspection


def _check_inspectors(inspectors: list, estate: Estate) -> list:
    team = list({user.pk: user for user in inspectors}.values())
    if len(team) < MIN_INSPECTORS:
        raise InspectionError(
            _("An inspection needs at least %(count)d different inspectors.")
            % {"count": MIN_INSPECTORS}
        )
    for user in team:
        if not permissions.is_inspector(user) or not permissions.covers_district(
            user, estate.district_id
        ):
            raise InspectionError(
                _("%(user)s is not an inspector of the district of “%(estate)s”.")
                % {"user": display_name(user), "estate": estate}
            )
    return team


def _check_links(
    kind: str,
    estate: Estate,
    planned_on: datetime.date,
    *,
    campaign: Campaign | None,
    complaint: Complaint | None,
    draw: RandomDraw | None,
    order: RectificationOrder | None,
) -> None:
    """Each kind names why it happens: the campaign, complaint, draw or order behind it."""
    if campaign is not None and campaign.district_id not in (None, estate.district_id):
        raise InspectionError(
            _("Campaign “%(campaign)s” is not run in the district of “%(estate)s”.")
            % {"campaign": campaign, "estate": estate}
        )
    if kind == InspectionKind.CAMPAIGN:
        if campaign is None:
            raise InspectionError(_("A campaign inspection needs its campaign."))
        if not campaign.starts_on <= planned_on <= campaign.ends_on:
            raise InspectionError(
                _("Campaign “%(campaign)s” runs from %(start)s to %(end)s; plan within it.")
                % {
                    "campaign": campaign,
                    "start": campaign.starts_on.isoformat(),
                    "end": campaign.ends_on.isoformat(),
                }
            )
    if complaint is not None and complaint.estate_id != estate.pk:
        raise InspectionError(
            _("Complaint %(number)s is not about “%(estate)s”.")
            % {"number": complaint.tracking_number, "estate": estate}
        )
    if kind == InspectionKind.COMPLAINT and complaint is None:
        raise InspectionError(_("A complaint-triggered inspection needs its complaint."))
    if order is not None and order.estate_id not in (None, estate.pk):
        raise InspectionError(
            _("Rectification order %(number)s is not about “%(estate)s”.")
            % {"number": order.number, "estate": estate}
        )
    if kind == InspectionKind.REINSPECTION and order is None:
        raise InspectionError(_("A re-inspection needs the rectification order it checks."))
    if kind == InspectionKind.RANDOM and draw is None:
        raise InspectionError(_("A random spot check needs the random draw that picked it."))


def _check_drawn(draw: RandomDraw, estate: Estate, team: list) -> None:
    """A drawn inspection inspects what was drawn, with whom was drawn (双随机)."""
    target = estate.pk if draw.target_kind == DrawTarget.ESTATE else estate.managing_company_id
    entry = next((row for row in draw.result if row["target"] == target), None)
    if entry is None:
        raise InspectionError(
            _("“%(estate)s” was not drawn in this random draw.") % {"estate": estate}
        )
    if sorted(entry["inspectors"]) != sorted(user.pk for user in team):
        raise InspectionError(_("A drawn inspection is carried out by the inspectors drawn."))


# Carrying it out ----------------------------------------------------------------------------


def start_inspection(inspection: Inspection, *, actor) -> Inspection:
    """The inspectors arrive on site (进场)."""
    return INSPECTION_MACHINE.transition(
        inspection,
        InspectionStatus.IN_PROGRESS,
        actor=actor,
        action="cases.inspection.started",
        authorise=_require_worker,
        started_at=timezone.now(),
    )


def score_item(
    inspection: Inspection,
    item: ChecklistItem,
    *,
    actor,
    points=None,
    passed: bool | None = None,
    note: str = "",
) -> InspectionScore:
    """Score one checklist item; scoring it again replaces the earlier score.

    Pass-or-fail items take ``passed`` (points follow: the weight or nothing); scale items take
    ``points`` from 0 to the weight (passed from 60 % of it). A failed item needs a note: it is
    the finding a rectification order is written from.
    """
    note = (note or "").strip()
    with transaction.atomic():
        locked = _lock(inspection, actor)
        if locked.status != InspectionStatus.IN_PROGRESS:
            raise InspectionError(
                _("Items are scored while the inspection is in progress; it is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        if item.template_id != locked.checklist_id:
            raise InspectionError(
                _("Item %(number)s is not on this inspection's checklist.")
                % {"number": item.number}
            )
        points, passed = points_and_result(item, points, passed)
        if not passed and not note:
            raise InspectionError(
                _("Item %(number)s failed: describe the finding in a note.")
                % {"number": item.number}
            )
        if len(note) > InspectionScore._meta.get_field("note").max_length:
            raise InspectionError(_("The note is longer than 500 characters."))
        score, created = InspectionScore.objects.get_or_create(
            inspection=locked,
            item=item,
            defaults={"points": points, "passed": passed, "note": note},
        )
        unchanged = not created and (score.points, score.passed, score.note) == (
            points,
            passed,
            note,
        )
        if unchanged:
            return score
        score.points, score.passed, score.note = points, passed, note
        score.save()
        audit.record(
            locked,
            "cases.inspection.scored",
            actor=actor,
            item=item.number,
            points=str(points),
            passed=passed,
            note=note,
            replaced=not created,
        )
    return score


def points_and_result(item: ChecklistItem, points, passed: bool | None) -> tuple[Decimal, bool]:
    """The points and result of one item by its scoring rule (shared with company patrols,
    ``cases.self_inspection``); refused with ``InspectionError``."""
    weight = Decimal(item.weight)
    if item.scoring_rule == ScoringRule.PASS_FAIL:
        if not isinstance(passed, bool):
            raise InspectionError(
                _("Item %(number)s is pass or fail: say whether it passed.")
                % {"number": item.number}
            )
        computed = (weight if passed else Decimal(0)).quantize(ONE_DECIMAL)
        if points is not None and _decimal(points, item) != computed:
            raise InspectionError(
                _("Item %(number)s is pass or fail: it is worth %(weight)d points or none.")
                % {"number": item.number, "weight": item.weight}
            )
        return computed, passed
    if points is None:
        raise InspectionError(
            _("Item %(number)s is scored on a scale: give its points.") % {"number": item.number}
        )
    value = _decimal(points, item)
    if not Decimal(0) <= value <= weight:
        raise InspectionError(
            _("Item %(number)s takes 0 to %(weight)d points, not %(points)s.")
            % {"number": item.number, "weight": item.weight, "points": value}
        )
    computed_pass = value >= weight * PASS_SHARE
    if passed is not None and passed != computed_pass:
        raise InspectionError(
            _("Item %(number)s passes from %(threshold)s points; %(points)s does not match.")
            % {"number": item.number, "threshold": weight * PASS_SHARE, "points": value}
        )
    return value, computed_pass


def _decimal(points, item: ChecklistItem) -> Decimal:
    try:
        value = Decimal(str(points))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.quantize(ONE_DECIMAL):
        raise InspectionError(
            _("Points for item %(number)s are a number with at most one decimal.")
            % {"number": item.number}
        )
    return value.quantize(ONE_DECIMAL)


def add_photo(
    inspection: Inspection, uploaded_file, *, actor, caption: str = ""
) -> InspectionPhoto:
    """A photo taken on site, re-encoded without its metadata. A file that is not an image
    raises ``ValidationError`` (from ``reencode_photo``) and nothing is stored."""
    caption = (caption or "").strip()
    if len(caption) > InspectionPhoto._meta.get_field("caption").max_length:
        raise InspectionError(_("The caption is longer than 200 characters."))
    if not permissions.can_work_inspection(actor, inspection):
        raise PermissionDenied(_("You may not work on this inspection."))
    # Decoded before the row is locked: re-encoding a large photo takes a moment.
    clean = reencode_photo(uploaded_file)
    with transaction.atomic():
        locked = _lock(inspection, actor)
        if locked.status != InspectionStatus.IN_PROGRESS:
            raise InspectionError(
                _("Photos are added while the inspection is in progress; it is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        photo = InspectionPhoto(inspection=locked, caption=caption, uploaded_by=actor)
        photo.image.save(clean.name, clean, save=False)
        try:
            photo.save()
            audit.record(
                locked, "cases.inspection.photo_added", actor=actor, photo=photo.pk, caption=caption
            )
        except Exception:
            # The row is rolled back; the file written to storage must go with it.
            photo.image.delete(save=False)
            raise
    return photo


def complete_inspection(inspection: Inspection, *, actor, findings: str = "") -> Inspection:
    """Completion: every item scored; the score is 100 × points ÷ weights, to one decimal."""
    findings = (findings or "").strip()
    with transaction.atomic():
        locked = _lock(inspection, actor)
        if locked.status == InspectionStatus.COMPLETED:
            return locked
        INSPECTION_MACHINE.check(locked, InspectionStatus.COMPLETED)
        items = list(locked.checklist.items.order_by("sort_order", "id"))
        scores = {score.item_id: score for score in locked.scores.all()}
        missing = [item.number for item in items if item.pk not in scores]
        if missing:
            raise InspectionError(
                _("Score every item before completing; not scored yet: %(items)s.")
                % {"items": ", ".join(missing)}
            )
        total = _percent(
            sum(scores[item.pk].points for item in items), sum(item.weight for item in items)
        )
        INSPECTION_MACHINE.move(
            locked,
            InspectionStatus.COMPLETED,
            actor=actor,
            action="cases.inspection.completed",
            data={
                "score": str(total),
                "failed_items": [i.number for i in items if not scores[i.pk].passed],
            },
            completed_at=timezone.now(),
            findings=findings,
            score=total,
        )
    inspection.refresh_from_db()
    return locked


def cancel_inspection(inspection: Inspection, *, actor, reason: str) -> Inspection:
    """Cancellation, with the reason kept in the audit entry."""
    reason = (reason or "").strip()
    if not reason:
        raise InspectionError(_("Cancelling an inspection needs a reason."))
    return INSPECTION_MACHINE.transition(
        inspection,
        InspectionStatus.CANCELLED,
        actor=actor,
        action="cases.inspection.cancelled",
        authorise=_require_worker,
        data={"reason": reason},
    )


# Reading the result -------------------------------------------------------------------------


def failed_items(inspection: Inspection) -> list[InspectionScore]:
    """The failed items with their findings, in checklist order: what orders are issued from."""
    return list(inspection.scores.filter(passed=False).select_related("item"))


def dimension_scores(inspection: Inspection) -> dict[str, Decimal | None]:
    """Per evaluation dimension, 100 × points ÷ weights of its items (an unscored item counts
    no points), to one decimal; None for a dimension the checklist has no item in."""
    points = dict(inspection.scores.values_list("item_id", "points"))
    sums = {dimension: [Decimal(0), 0] for dimension in Dimension}
    for item_id, dimension, weight in inspection.checklist.items.values_list(
        "id", "dimension", "weight"
    ):
        sums[dimension][0] += points.get(item_id, Decimal(0))
        sums[dimension][1] += weight
    return {
        dimension: _percent(got, out_of) if out_of else None
        for dimension, (got, out_of) in sums.items()
    }


# The machinery ------------------------------------------------------------------------------


def _percent(points: Decimal, weights: int) -> Decimal:
    return (Decimal(100) * Decimal(points) / Decimal(weights)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def _lock(inspection: Inspection, actor) -> Inspection:
    locked = INSPECTION_MACHINE.lock(inspection)
    _require_worker(locked, actor)
    return locked


def _require_worker(locked: Inspection, actor) -> None:
    if not permissions.can_work_inspection(actor, locked):
        raise PermissionDenied(_("You may not work on this inspection."))
