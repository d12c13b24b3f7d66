"""The tally of an owners' vote (业主共同决定): a pure function over the estate's units and
the ballots that count, returning every figure and why the matter passed or failed.

The rule (Civil Code art. 278; 法释〔2009〕7号 arts. 8–9, ``enterprises.units.owner_key``):
- Participation: owners holding at least two thirds of the total exclusive area AND at least
  two thirds of the owners took part (a ballot of yes, no or abstain counts as taking part).
- Approval, matters (6)–(8): at least three quarters of the participating area AND of the
  participating owners agree; every other matter: more than half of each.
- Owners are heads: one per unit, except that all units of one buyer are one head (their
  areas summed) and all the developer's unsold or undelivered units are one head.
- A head holding several units: each unit's ballot counts that unit's area for its own choice
  (so a buyer may agree with one flat's area and not another's); the head takes part if any
  of its units voted, and counts as agreeing only if every ballot it cast says yes (a split
  head has not agreed, and is counted among the participating owners only).
All comparisons are exact (``Fraction``); percentages are shown rounded, never compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from enterprises.models import QUALIFIED_MATTERS, BallotChoice, Unit
from enterprises.units import owner_key

TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)
HALF = Fraction(1, 2)


@dataclass(frozen=True)
class Check:
    """One condition of the rule: the share reached, the share needed, whether it is met."""

    rule: str  # participation_area, participation_owners, approval_area, approval_owners
    part: Decimal | int
    whole: Decimal | int
    needed: Fraction
    strictly_more: bool
    met: bool

    @property
    def share(self) -> Fraction:
        return Fraction(self.part) / Fraction(self.whole) if self.whole else Fraction(0)


@dataclass(frozen=True)
class Tally:
    total_area: Decimal
    total_owners: int
    participating_area: Decimal
    participating_owners: int
    area: dict[str, Decimal]  # by choice
    owners: dict[str, int]  # heads by their choice; "split" for a head of mixed ballots
    qualified: bool
    checks: list[Check] = field(default_factory=list)

    @property
    def participation_met(self) -> bool:
        return all(c.met for c in self.checks if c.rule.startswith("participation"))

    @property
    def passed(self) -> bool:
        return all(c.met for c in self.checks)

    def as_record(self) -> dict:
        """What the vote row keeps: JSON, exact figures as strings."""
        return {
            "total_area": str(self.total_area),
            "total_owners": self.total_owners,
            "participating_area": str(self.participating_area),
            "participating_owners": self.participating_owners,
            "area": {k: str(v) for k, v in self.area.items()},
            "owners": dict(self.owners),
            "qualified": self.qualified,
            "passed": self.passed,
            "checks": [
                {
                    "rule": c.rule,
                    "part": str(c.part),
                    "whole": str(c.whole),
                    "needed": str(c.needed),
                    "strictly_more": c.strictly_more,
                    "met": c.met,
                }
                for c in self.checks
            ],
        }


def _check(rule, part, whole, needed: Fraction, *, strictly_more=False) -> Check:
    if not whole:
        met = False
    else:
        share = Fraction(part) / Fraction(whole)
        met = share > needed if strictly_more else share >= needed
    return Check(rule, part, whole, needed, strictly_more, met)


def tally(units: Iterable[Unit], choices: Mapping[int, str], *, matter: str) -> Tally:
    """``choices``: unit pk -> yes/no/abstain for the ballots that count (confirmed)."""
    zero = Decimal("0")
    total_area = zero
    heads: dict[str, set[str]] = {}
    area = {choice: zero for choice in BallotChoice.values}
    participating_area = zero
    all_heads: set[str] = set()
    for unit in units:
        key = owner_key(unit)
        all_heads.add(key)
        total_area += unit.exclusive_area
        choice = choices.get(unit.pk)
        if choice:
            participating_area += unit.exclusive_area
            area[choice] += unit.exclusive_area
            heads.setdefault(key, set()).add(choice)
    owners = {choice: 0 for choice in BallotChoice.values} | {"split": 0}
    for cast in heads.values():
        owners[next(iter(cast)) if len(cast) == 1 else "split"] += 1
    qualified = matter in QUALIFIED_MATTERS
    needed = THREE_QUARTERS if qualified else HALF
    more = not qualified
    yes = BallotChoice.YES
    checks = [
        _check("participation_area", participating_area, total_area, TWO_THIRDS),
        _check("participation_owners", len(heads), len(all_heads), TWO_THIRDS),
        _check("approval_area", area[yes], participating_area, needed, strictly_more=more),
        _check("approval_owners", owners[yes], len(heads), needed, strictly_more=more),
    ]
    return Tally(
        total_area=total_area,
        total_owners=len(all_heads),
        participating_area=participating_area,
        participating_owners=len(heads),
        area=area,
        owners=owners,
        qualified=qualified,
        checks=checks,
    )


def _percent(part: str, whole: str) -> str:
    if Decimal(whole) == 0:
        return "0"
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return str(share).rstrip("0").rstrip(".")


def _needed_text(check: dict) -> str:
    names = {"2/3": _("at least two thirds"), "3/4": _("at least three quarters")}
    if check["strictly_more"]:
        return _("more than half")
    return names.get(check["needed"], check["needed"])


def explain(record: dict) -> list[tuple[bool, str]]:
    """Each condition of a stored tally as a sentence with its figures, and whether met."""
    labels = {
        "participation_area": _("Participating area %(part)s of %(whole)s m² (%(pct)s%%)"),
        "participation_owners": _("Participating owners %(part)s of %(whole)s (%(pct)s%%)"),
        "approval_area": _("Area voting yes %(part)s of %(whole)s m² participating (%(pct)s%%)"),
        "approval_owners": _("Owners voting yes %(part)s of %(whole)s participating (%(pct)s%%)"),
    }
    lines = []
    for check in record.get("checks", []):
        figures = {
            "part": check["part"],
            "whole": check["whole"],
            "pct": _percent(check["part"], check["whole"]),
        }
        sentence = labels[check["rule"]] % figures
        template = (
            _("%(figures)s: needs %(needed)s, met.")
            if check["met"]
            else _("%(figures)s: needs %(needed)s, not met.")
        )
        figures = {"figures": sentence, "needed": _needed_text(check)}
        lines.append((check["met"], template % figures))
    return lines
