"""Shared pieces of the penalty due-process tests (issue 21): a proposal helper, readers of the
audit trail, and the eve of National Day 2026 (1–7 October off, Saturday 10 October worked),
so every period counted from it crosses the holiday. The fixtures are in ``conftest``."""

import datetime
from decimal import Decimal

from wagtail.models import ModelLogEntry

from cases import penalties
from cases.calendar import TIMEZONE
from cases.models import Penalty, PenaltyKind

# Wednesday 30 September 2026, 10:00 in Qinglan: the last working day before the holiday.
EVE = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=TIMEZONE)


def propose(actor, company, kind=PenaltyKind.FINE, amount="80000", **kwargs) -> Penalty:
    return penalties.propose_penalty(
        actor=actor,
        company=company,
        kind=kind,
        fine_amount=Decimal(amount) if kind == PenaltyKind.FINE else None,
        violation=kwargs.pop("violation", "二次供水设施未按规定清洗消毒。"),
        legal_basis="《青岚市物业管理条例》第五十八条",
        **kwargs,
    )


def local(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


def actions(obj) -> list[str]:
    return list(
        ModelLogEntry.objects.for_instance(obj)
        .order_by("timestamp", "id")
        .values_list("action", flat=True)
    )


def snapshot(penalty) -> dict:
    """What a refusal must leave as it was."""
    row = Penalty.objects.get(pk=penalty.pk)
    fields = (
        "status", "kind", "fine_amount", "notice_number", "statement", "hearing_officer_id",
        "hearing_at", "hearing_record", "decision_number", "decision_due_on", "review_outcome",
    )  # fmt: skip
    return {name: getattr(row, name) for name in fields} | {"audit": len(actions(row))}
