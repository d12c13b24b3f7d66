"""Shared records for the inspection, checklist and draw tests: a checklist with one item or
two in each of the six dimensions, and small helpers. Plain functions, imported explicitly."""

import datetime

from wagtail.models import ModelLogEntry

from cases import checklists, inspections
from cases.models import ChecklistTemplate, Inspection, InspectionKind
from foundation.roles import Role
from tests.factories import make_user

PLANNED_ON = datetime.date(2026, 5, 6)

# Weights add up to 60: the score of an inspection is 100 × points ÷ 60.
ITEMS = [
    {
        "number": "1.1",
        "text": "物业服务合同在小区公示",
        "dimension": "basic_management",
        "weight": 10,
    },
    {
        "number": "2.1",
        "text": "公共区域地面无垃圾",
        "dimension": "cleaning",
        "weight": 10,
        "scoring_rule": "scale",
    },
    {"number": "3.1", "text": "绿地无黄土裸露", "dimension": "greening", "weight": 5},
    {
        "number": "4.1",
        "text": "门岗24小时值守",
        "dimension": "public_order",
        "weight": 5,
        "scoring_rule": "scale",
    },
    {"number": "5.1", "text": "电梯年检合格", "dimension": "facility_maintenance", "weight": 15},
    {
        "number": "5.2",
        "text": "消防通道畅通",
        "dimension": "facility_maintenance",
        "weight": 5,
        "scoring_rule": "scale",
    },
    {"number": "6.1", "text": "报修30分钟内响应", "dimension": "customer_service", "weight": 10},
]


def make_checklist(actor, name: str = "住宅小区物业服务检查表", items=None) -> ChecklistTemplate:
    return checklists.create_checklist(name, items if items is not None else ITEMS, actor=actor)


def make_inspector(username: str, district):
    return make_user(username, Role.INSPECTOR, district=district)


def plan(actor, estate, team, checklist, **links) -> Inspection:
    links.setdefault("kind", InspectionKind.ROUTINE)
    links.setdefault("planned_on", PLANNED_ON)
    return inspections.plan_inspection(
        actor=actor, estate=estate, checklist=checklist, inspectors=team, **links
    )


def item(checklist: ChecklistTemplate, number: str):
    return checklist.items.get(number=number)


def audit_actions(instance) -> list[tuple[str, int | None]]:
    """The audit trail of ``instance``: (action code, user id), oldest first."""
    return list(
        ModelLogEntry.objects.for_instance(instance)
        .order_by("timestamp", "id")
        .values_list("action", "user_id")
    )


# Every item at full marks.
KNOWN_PASSES = {
    i["number"]: {"points": i["weight"]} if i.get("scoring_rule") == "scale" else {"passed": True}
    for i in ITEMS
}
