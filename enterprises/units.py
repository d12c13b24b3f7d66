"""Counting owners of an estate's units: the one place the counting rule is written.

The Supreme People's Court's interpretation on building distinctive ownership (法释〔2009〕7号,
art. 9): owners are counted by exclusive unit; the units of one buyer count as one owner, and all
the developer's unsold or undelivered units together count as one owner. Units whose owner the
committee has not recorded count one each.
"""

from __future__ import annotations

from decimal import Decimal

from enterprises.models import Unit

DEVELOPER = "developer"


def owner_key(unit: Unit) -> str:
    """Units with the same key are one owner in a head count."""
    if unit.developer_held:
        return DEVELOPER
    if unit.owner_id:
        return f"owner:{unit.owner_id}"
    return f"unit:{unit.pk}"


def estate_totals(estate_id: int) -> tuple[Decimal, int]:
    """The estate's total exclusive area and its number of owners, by the rule above."""
    units = list(
        Unit.objects.filter(estate_id=estate_id).only(
            "pk", "exclusive_area", "developer_held", "owner_id"
        )
    )
    area = sum((unit.exclusive_area for unit in units), Decimal("0"))
    return area, len({owner_key(unit) for unit in units})
