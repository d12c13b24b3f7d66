"""Random draws (双随机一公开): random targets, random inspectors, results made public.

A draw stores everything it was drawn from (the seed, the target pool with its weights, the
inspector pool, and per drawn target the inspectors excluded for it), so ``rerun_draw``
recomputes the result from the row alone, without reading current data, and anyone can check
a published draw with ``verify_draw``.

Algorithm "weighted-v1", on ``random.Random(seed)`` with the seed as a string (only
``random()`` is called, in this order):
  1. targets: for each pool entry ``[id, weight, label]`` in pool order, a key
     ``u ** (1 / weight)`` with ``u = random()``; the ``count`` largest keys are drawn, largest
     first, ties in pool order (Efraimidis–Spirakis weighted sampling without replacement);
  2. inspectors: for each drawn target in draw order, the same sampling with weight 1 over the
     inspector pool in pool order, minus the target's ``excluded`` ids.

Risk weights (``weighted_by_risk``), integers so the stored pool is exact: 5 × the company's
grade factor (C 4, B 3, A 2, AA and AAA 1, ungraded 2) plus its substantiated complaints of
the last 365 days, at most 10 (for an estate: the complaints about that estate). So a grade-C
company is four times as likely to be drawn as an AA one with the same record, and ten
complaints weigh as much as two grades. Without risk weighting every target weighs 1.

Plus the self-inspection gap (``cases.quality_gap``, over the same last 365 days): when a
company's own patrol scores exceed the mean of the regulator's inspection scores and the owners'
score by more than ``GAP_THRESHOLD`` (10) points, one more per full ``GAP_STEP`` (5) points
beyond it, at most ``GAP_CAP`` (5): a gap of 15 adds 1, 25 adds 3, 35 or more adds 5 (as much
as five substantiated complaints). A company without patrols, or without another score to
compare with, adds nothing. For a company the gap is the mean of its estates' gaps.
"""

import datetime
import random
import secrets
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions, quality_gap
from cases.inspections import MIN_INSPECTORS, plan_inspection
from cases.models import (
    Campaign,
    CaseEvent,
    CaseStatus,
    ChecklistTemplate,
    Complaint,
    DrawTarget,
    Inspection,
    InspectionKind,
    InspectionStatus,
    RandomDraw,
    Tier,
)
from enterprises.models import Company, CreditRecord, CreditRecordKind, Estate
from enterprises.models.register import CompanyStatus, CreditGrade
from foundation import audit
from foundation.models import District
from foundation.names import display_name
from foundation.roles import Role

ALGORITHM = "weighted-v1"
GRADE_FACTOR = {
    CreditGrade.C: 4,
    CreditGrade.B: 3,
    CreditGrade.A: 2,
    CreditGrade.AA: 1,
    CreditGrade.AAA: 1,
}
UNGRADED_FACTOR = 2
GRADE_SCALE = 5
COMPLAINT_CAP = 10
GAP_THRESHOLD = 10  # points of self-rating above the others tolerated as noise
GAP_STEP = 5
GAP_CAP = 5
RISK_DAYS = 365
FILTER_KEYS = frozenset({"credit_grades", "min_households"})


class DrawError(Exception):
    """A draw was refused or cannot be re-run; the message is shown to the user as is."""


def risk_weight(grade: str, complaints: int, gap=None) -> int:
    """The weight of a target whose company has ``grade``, ``complaints`` substantiated
    complaints in the last year and a self-inspection ``gap`` in points (see the module
    docstring)."""
    weight = GRADE_SCALE * GRADE_FACTOR.get(grade, UNGRADED_FACTOR) + min(complaints, COMPLAINT_CAP)
    return weight + gap_term(gap)


def gap_term(gap) -> int:
    """Points of weight for self-scores above the others': 0 up to ``GAP_THRESHOLD``, then
    one per full ``GAP_STEP`` beyond it, at most ``GAP_CAP``."""
    if gap is None or gap <= GAP_THRESHOLD:
        return 0
    return min(int((gap - GAP_THRESHOLD) // GAP_STEP), GAP_CAP)


# Drawing ------------------------------------------------------------------------------------


def make_draw(
    *,
    actor,
    target_kind: str,
    count: int,
    district: District | None = None,
    inspectors_per_target: int = MIN_INSPECTORS,
    weighted_by_risk: bool = False,
    campaign: Campaign | None = None,
    pool_filter: dict | None = None,
    seed: str | int | None = None,
) -> RandomDraw:
    """Draw ``count`` targets of ``district`` (None: city-wide) and inspectors for each."""
    district_id = district.pk if district else None
    if not permissions.can_draw(actor, district_id):
        raise PermissionDenied(_("You may not make random draws for this area."))
    if target_kind not in DrawTarget.values:
        raise DrawError(_("Draw estates or companies."))
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise DrawError(_("Draw at least one target."))
    if not isinstance(inspectors_per_target, int) or inspectors_per_target < MIN_INSPECTORS:
        raise DrawError(
            _("Each target needs at least %(count)d inspectors.") % {"count": MIN_INSPECTORS}
        )
    if campaign is not None and campaign.district_id not in (None, district_id):
        raise DrawError(
            _("Campaign “%(campaign)s” is run in another district.") % {"campaign": campaign}
        )
    filters = _clean_filter(pool_filter, target_kind)
    seed = secrets.token_hex(16) if seed is None else str(seed)
    if not seed or len(seed) > RandomDraw._meta.get_field("seed").max_length:
        raise DrawError(_("A seed has 1 to 64 characters."))

    target_pool = _target_pool(target_kind, district_id, filters, weighted_by_risk)
    if len(target_pool) < count:
        raise DrawError(
            _("The pool holds %(size)d targets; %(count)d cannot be drawn from it.")
            % {"size": len(target_pool), "count": count}
        )
    inspector_pool, inspector_districts = _inspector_pool(district_id)

    def excluded_for(target_id: int) -> list[int]:
        excluded = _conflicts(target_kind, target_id)
        if district_id is None:
            # City-wide: an inspector acts only in their own district.
            home = _target_district(target_kind, target_id)
            excluded |= {pk for pk, d in inspector_districts.items() if d != home}
        return sorted(excluded)

    result = run_algorithm(
        seed=seed,
        target_pool=target_pool,
        inspector_pool=inspector_pool,
        count=count,
        per_target=inspectors_per_target,
        excluded_for=excluded_for,
    )
    with transaction.atomic():
        draw = RandomDraw.objects.create(
            target_kind=target_kind,
            district_id=district_id,
            campaign=campaign,
            seed=seed,
            algorithm=ALGORITHM,
            pool_filter=filters,
            target_pool=target_pool,
            inspector_pool=inspector_pool,
            target_count=count,
            inspectors_per_target=inspectors_per_target,
            weighted_by_risk=weighted_by_risk,
            result=result,
            drawn_by=actor,
        )
        audit.record(
            draw,
            "cases.draw.drawn",
            actor=actor,
            seed=seed,
            algorithm=ALGORITHM,
            target_kind=target_kind,
            district=district_id,
            pool_size=len(target_pool),
            inspector_pool_size=len(inspector_pool),
            targets=[row["target"] for row in result],
        )
    return draw


def run_algorithm(
    *,
    seed: str,
    target_pool: list,
    inspector_pool: list,
    count: int,
    per_target: int,
    excluded_for: Callable[[int], Iterable[int]],
) -> list[dict]:
    """The "weighted-v1" result; ``excluded_for`` gives a drawn target's excluded inspectors
    (looked up when drawing, read from the stored result when re-running)."""
    rng = random.Random(seed)
    result = []
    for target_id, _weight, label in sample_weighted(rng, target_pool, count):
        excluded = sorted(set(excluded_for(target_id)))
        barred = set(excluded)
        available = [[pk, 1, name] for pk, name in inspector_pool if pk not in barred]
        if len(available) < per_target:
            raise DrawError(
                _(
                    "Only %(available)d inspectors may inspect “%(target)s” after excluding "
                    "those of its last inspection; %(needed)d are needed."
                )
                % {"available": len(available), "target": label, "needed": per_target}
            )
        chosen = [pk for pk, _one, _name in sample_weighted(rng, available, per_target)]
        result.append(
            {"target": target_id, "label": label, "inspectors": chosen, "excluded": excluded}
        )
    return result


def sample_weighted(rng: random.Random, pool: list, count: int) -> list:
    """``count`` entries of ``[id, weight, label]`` without replacement, largest key first."""
    keys = []
    for position, (_id, weight, _label) in enumerate(pool):
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise DrawError(_("Every weight in the pool must be a positive number."))
        keys.append((-(rng.random() ** (1.0 / weight)), position))
    return [pool[position] for _key, position in sorted(keys)[:count]]


# Checking and publishing --------------------------------------------------------------------


def rerun_draw(draw: RandomDraw) -> list[dict]:
    """The result recomputed from the row's seed, pools and excluded lists alone."""
    if draw.algorithm != ALGORITHM:
        raise DrawError(
            _("Draws made with “%(algorithm)s” cannot be re-run here.")
            % {"algorithm": draw.algorithm}
        )
    stored = {
        row.get("target"): row.get("excluded") or [] for row in draw.result if isinstance(row, dict)
    }
    return run_algorithm(
        seed=draw.seed,
        target_pool=draw.target_pool,
        inspector_pool=draw.inspector_pool,
        count=draw.target_count,
        per_target=draw.inspectors_per_target,
        excluded_for=lambda target_id: stored.get(target_id, []),
    )


def verify_draw(draw: RandomDraw) -> bool:
    """Does re-running the draw give exactly its stored result?"""
    try:
        return rerun_draw(draw) == draw.result
    except (DrawError, TypeError, ValueError, KeyError):
        return False  # a stored pool that cannot even be drawn from was altered


def publish_draw(draw: RandomDraw, *, actor) -> RandomDraw:
    """Publication (公开) of a draw that re-runs to its stored result."""
    with transaction.atomic():
        locked = _lock(draw, actor)
        if locked.published_at is None:
            if not verify_draw(locked):
                raise DrawError(_("This draw does not re-run to its stored result."))
            locked.published_at = timezone.now()
            locked.save(update_fields=["published_at"])
            audit.record(
                locked,
                "cases.draw.published",
                actor=actor,
                seed=locked.seed,
                targets=[row["target"] for row in locked.result],
            )
    draw.refresh_from_db()
    return locked


def plan_drawn_inspections(
    draw: RandomDraw, *, actor, checklist: ChecklistTemplate, planned_on: datetime.date
) -> list[Inspection]:
    """One random spot check per drawn target, by its drawn inspectors; a company is inspected
    at its first estate (by id, in the draw's district). Planned once: a repeat returns them."""
    with transaction.atomic():
        locked = _lock(draw, actor)
        existing = list(locked.inspections.order_by("id"))
        if existing:
            return existing
        if not verify_draw(locked):
            raise DrawError(_("This draw does not re-run to its stored result."))
        users = get_user_model().objects.in_bulk(
            {pk for row in locked.result for pk in row["inspectors"]}
        )
        inspections = []
        for row in locked.result:
            estate = _inspected_estate(locked.target_kind, row["target"], locked.district_id)
            if estate is None:
                raise DrawError(
                    _("“%(target)s” has no estate to inspect.") % {"target": row["label"]}
                )
            inspections.append(
                plan_inspection(
                    actor=actor,
                    estate=estate,
                    kind=InspectionKind.RANDOM,
                    checklist=checklist,
                    inspectors=[users[pk] for pk in row["inspectors"]],
                    planned_on=planned_on,
                    campaign=locked.campaign,
                    draw=locked,
                )
            )
    return inspections


# The pools ----------------------------------------------------------------------------------


def _lock(draw: RandomDraw, actor) -> RandomDraw:
    locked = RandomDraw.objects.select_for_update().get(pk=draw.pk)
    if not permissions.can_draw(actor, locked.district_id):
        raise PermissionDenied(_("You may not act on random draws for this area."))
    return locked


def _clean_filter(raw: dict | None, target_kind: str) -> dict:
    raw = dict(raw or {})
    unknown = set(raw) - FILTER_KEYS
    if unknown:
        raise DrawError(
            _("Unknown pool filters: %(keys)s.") % {"keys": ", ".join(sorted(map(str, unknown)))}
        )
    cleaned = {}
    if "credit_grades" in raw:
        grades = raw["credit_grades"]
        if isinstance(grades, str) or not set(grades) <= set(CreditGrade.values):
            raise DrawError(_("Filter on credit grades among AAA, AA, A, B and C."))
        cleaned["credit_grades"] = sorted(set(grades))
    if "min_households" in raw:
        households = raw["min_households"]
        if target_kind != DrawTarget.ESTATE:
            raise DrawError(_("A minimum number of households filters estates only."))
        if isinstance(households, bool) or not isinstance(households, int) or households < 0:
            raise DrawError(_("The minimum number of households is a whole number."))
        cleaned["min_households"] = households
    return cleaned


def _target_pool(
    target_kind: str, district_id: int | None, filters: dict, weighted: bool
) -> list[list]:
    """``[[id, weight, label], ...]`` by id: estates with a managing company, or companies
    running an estate (in the district), of companies not deregistered."""
    grades = filters.get("credit_grades")
    if target_kind == DrawTarget.ESTATE:
        rows = Estate.objects.filter(managing_company__isnull=False).exclude(
            managing_company__status=CompanyStatus.DEREGISTERED
        )
        if district_id:
            rows = rows.filter(district_id=district_id)
        if grades is not None:
            rows = rows.filter(managing_company__credit_grade__in=grades)
        if "min_households" in filters:
            rows = rows.filter(households__gte=filters["min_households"])
        rows = rows.values_list("id", "name", "managing_company__credit_grade")
    else:
        estates = Estate.objects.filter(managing_company=OuterRef("pk"))
        rows = Company.objects.exclude(status=CompanyStatus.DEREGISTERED)
        if district_id:
            estates = estates.filter(district_id=district_id)
            rows = rows.filter(district_id=district_id)
        if grades is not None:
            rows = rows.filter(credit_grade__in=grades)
        rows = rows.filter(Exists(estates)).values_list("id", "name", "credit_grade")
    rows = list(rows.order_by("id"))
    complaints, gaps = {}, {}
    if weighted:
        field = "estate_id" if target_kind == DrawTarget.ESTATE else "company_id"
        ids = [pk for pk, _name, _grade in rows]
        complaints = _substantiated_complaints(field, ids)
        today = timezone.localdate()
        gaps = quality_gap.gap_by_target(
            target_kind,
            ids,
            today - datetime.timedelta(days=RISK_DAYS),
            today + datetime.timedelta(days=1),
        )
    return [
        [pk, risk_weight(grade, complaints.get(pk, 0), gaps.get(pk)) if weighted else 1, name]
        for pk, name, grade in rows
    ]


def _substantiated_complaints(field: str, ids: list[int]) -> dict[int, int]:
    """Per id, the complaints substantiated in the last ``RISK_DAYS``: those with a credit
    record of that period not withdrawn on appeal, and those resolved in that period without
    one (a complaint about an estate that no company manages has none); an answered
    consultation is a question, not a substantiated complaint."""
    since = timezone.localdate() - datetime.timedelta(days=RISK_DAYS)
    since_at = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    records = CreditRecord.objects.filter(
        kind=CreditRecordKind.SUBSTANTIATED_COMPLAINT,
        source_key=Concat(Value("complaint:"), Cast(OuterRef("pk"), CharField())),
    )
    resolved = CaseEvent.objects.filter(
        complaint=OuterRef("pk"), to_status=CaseStatus.RESOLVED, timestamp__gte=since_at
    )
    counted = Complaint.objects.filter(**{f"{field}__in": ids}).filter(
        Exists(records.filter(withdrawn=False, occurred_on__gte=since))
        | (
            ~Exists(records)
            & Q(status__in=CaseStatus.SUBSTANTIATED_STATES)
            & ~Q(tier=Tier.CONSULTATION)
            & Exists(resolved)
        )
    )
    return dict(counted.values(field).annotate(n=Count("pk")).values_list(field, "n"))


def _inspector_pool(district_id: int | None) -> tuple[list[list], dict[int, int | None]]:
    """``[[id, name], ...]`` by id, and each inspector's district."""
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.INSPECTOR)
    if district_id:
        users = users.filter(staff_profile__district_id=district_id)
    rows = users.order_by("id").distinct().select_related("staff_profile")
    pool, districts = [], {}
    for user in rows:
        pool.append([user.pk, display_name(user)])
        profile = getattr(user, "staff_profile", None)
        districts[user.pk] = profile.district_id if profile else None
    return pool, districts


def _conflicts(target_kind: str, target_id: int) -> set[int]:
    """The inspectors of the target's most recent completed inspection (a company: of any of
    its estates): they do not inspect it again straight away."""
    completed = Inspection.objects.filter(status=InspectionStatus.COMPLETED)
    if target_kind == DrawTarget.ESTATE:
        completed = completed.filter(estate_id=target_id)
    else:
        completed = completed.filter(
            Q(company_id=target_id) | Q(estate__managing_company_id=target_id)
        )
    last = completed.order_by("-completed_at", "-id").first()
    return set(last.inspectors.values_list("pk", flat=True)) if last else set()


def _inspected_estate(target_kind: str, target_id: int, district_id: int | None) -> Estate | None:
    if target_kind == DrawTarget.ESTATE:
        return Estate.objects.filter(pk=target_id).first()
    estates = Estate.objects.filter(managing_company_id=target_id)
    if district_id:
        estates = estates.filter(district_id=district_id)
    return estates.order_by("id").first()


def _target_district(target_kind: str, target_id: int) -> int | None:
    estate = _inspected_estate(target_kind, target_id, None)
    return estate.district_id if estate else None
