"""Checklists (检查表): versioned lists of the items an inspection scores.

A version is frozen once an inspection uses it, so a score keeps meaning what it meant on the
day it was given: a change makes the next version (``new_version``), never an edit of the
used one. Only regulator officials write checklists; every version made is audited as
``cases.checklist.versioned``.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cases.models import ChecklistItem, ChecklistTemplate, Dimension, ScoringRule
from cases.permissions import is_official
from foundation import audit

ITEM_FIELDS = frozenset(
    {"number", "text", "dimension", "weight", "scoring_rule", "standard", "clause", "sort_order"}
)
MAX_WEIGHT = 100  # points; a single item worth more would drown the rest of the checklist


class ChecklistError(Exception):
    """A checklist change was refused; the message is shown to the user as is."""


def is_frozen(template: ChecklistTemplate) -> bool:
    """A version some inspection or company patrol uses may no longer change."""
    return template.inspections.exists() or template.patrols.exists()


def create_checklist(name: str, items: list[dict], *, actor) -> ChecklistTemplate:
    """A new checklist: version 1, or the next version when the name exists already."""
    _check_official(actor)
    name = (name or "").strip()
    if not name:
        raise ChecklistError(_("A checklist needs a name."))
    if len(name) > ChecklistTemplate._meta.get_field("name").max_length:
        raise ChecklistError(_("The checklist name “%(name)s” is too long.") % {"name": name})
    cleaned = _clean_items(items)
    return _save_version(name, cleaned, actor=actor, previous=None)


def new_version(
    template: ChecklistTemplate, *, actor, items: list[dict] | None = None
) -> ChecklistTemplate:
    """The next version of ``template``'s checklist with its items copied, or with ``items``
    instead. The old version stays as it is for the inspections that used it."""
    _check_official(actor)
    if items is None:
        items = [
            {field: getattr(item, field) for field in ITEM_FIELDS}
            for item in template.items.select_related("standard").order_by("sort_order", "id")
        ]
    cleaned = _clean_items(items)
    return _save_version(template.name, cleaned, actor=actor, previous=template)


def add_item(template: ChecklistTemplate, *, actor, **fields) -> ChecklistItem:
    """One more item on a version no inspection has used yet (a draft)."""
    _check_official(actor)
    with transaction.atomic():
        # FOR UPDATE conflicts with the key-share lock an inspection's insert takes on the
        # template: an inspection planned at the same moment is seen by the check below.
        locked = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        if is_frozen(locked):
            raise ChecklistError(
                _(
                    "Checklist “%(checklist)s” is used by an inspection and can no longer "
                    "change; make a new version instead."
                )
                % {"checklist": locked}
            )
        existing = list(locked.items.values_list("number", flat=True))
        fields.setdefault("sort_order", len(existing))
        (cleaned,) = _clean_items([fields], taken=existing)
        return ChecklistItem.objects.create(template=locked, **cleaned)


# The machinery ------------------------------------------------------------------------------


def _check_official(actor) -> None:
    if not is_official(actor):
        raise PermissionDenied(_("Only regulator officials may write checklists."))


def _save_version(
    name: str, items: list[dict], *, actor, previous: ChecklistTemplate | None
) -> ChecklistTemplate:
    try:
        with transaction.atomic():
            latest = ChecklistTemplate.objects.filter(name=name).aggregate(v=Max("version"))["v"]
            template = ChecklistTemplate.objects.create(name=name, version=(latest or 0) + 1)
            ChecklistItem.objects.bulk_create(
                ChecklistItem(template=template, **item) for item in items
            )
            audit.record(
                template,
                "cases.checklist.versioned",
                actor=actor,
                name=name,
                version=template.version,
                previous_version=previous.version if previous else None,
                previous_id=previous.pk if previous else None,
                items=[item["number"] for item in items],
            )
    except IntegrityError as exc:
        # Two officials versioning the same checklist at once: the unique index picks one.
        raise ChecklistError(
            _("Another version of “%(name)s” was saved at the same moment; try again.")
            % {"name": name}
        ) from exc
    return template


def _clean_items(items: Iterable[dict], *, taken: Iterable[str] = ()) -> list[dict]:
    items = list(items)
    if not items:
        raise ChecklistError(_("A checklist needs at least one item."))
    seen = set(taken)
    cleaned = []
    for position, raw in enumerate(items):
        item = _clean_item(raw, position)
        if item["number"] in seen:
            raise ChecklistError(
                _("Item number “%(number)s” appears twice in the checklist.")
                % {"number": item["number"]}
            )
        seen.add(item["number"])
        cleaned.append(item)
    return cleaned


def _clean_item(raw: dict, position: int) -> dict:
    unknown = set(raw) - ITEM_FIELDS
    if unknown:
        raise ChecklistError(
            _("Unknown checklist item fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    number = str(raw.get("number") or "").strip()
    text = str(raw.get("text") or "").strip()
    if not number or len(number) > ChecklistItem._meta.get_field("number").max_length:
        raise ChecklistError(_("Each item needs a number of at most 16 characters."))
    if not text or len(text) > ChecklistItem._meta.get_field("text").max_length:
        raise ChecklistError(
            _("Item %(number)s needs a requirement of at most 300 characters.") % {"number": number}
        )
    dimension = raw.get("dimension")
    if dimension not in Dimension.values:
        raise ChecklistError(
            _("Item %(number)s needs one of the six evaluation dimensions.") % {"number": number}
        )
    rule = raw.get("scoring_rule") or ScoringRule.PASS_FAIL
    if rule not in ScoringRule.values:
        raise ChecklistError(
            _("Item %(number)s has an unknown scoring rule “%(rule)s”.")
            % {"number": number, "rule": rule}
        )
    weight = raw.get("weight", ChecklistItem._meta.get_field("weight").default)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
        raise ChecklistError(
            _("Item %(number)s needs a weight of 1 to %(max)d points.")
            % {"number": number, "max": MAX_WEIGHT}
        )
    standard = raw.get("standard")
    clause = str(raw.get("clause") or "").strip()
    _check_clause(number, standard, clause)
    sort_order = raw.get("sort_order", position)
    return {
        "number": number,
        "text": text,
        "dimension": dimension,
        "weight": weight,
        "scoring_rule": rule,
        "standard": standard,
        "clause": clause,
        "sort_order": sort_order if isinstance(sort_order, int) and sort_order >= 0 else position,
    }


def _check_clause(number: str, standard, clause: str) -> None:
    """An item citing a standard names the clause it checks, and that clause exists there."""
    if standard is None:
        if clause:
            raise ChecklistError(
                _("Item %(number)s cites clause %(clause)s but no standard.")
                % {"number": number, "clause": clause}
            )
        return
    if not clause:
        raise ChecklistError(
            _("Item %(number)s cites standard “%(standard)s”: give the clause it checks.")
            % {"number": number, "standard": standard.title}
        )
    clauses = {block.value["number"] for block in standard.clauses if block.block_type == "clause"}
    if clauses and clause not in clauses:
        raise ChecklistError(
            _("Standard “%(standard)s” has no clause %(clause)s.")
            % {"standard": standard.title, "clause": clause}
        )
