"""The demo company's own quality loop (企业自查), for ``manage.py seed_demo``: a year's plan
of routine patrols of its estate on the demo checklist, two completed patrols (one with a
finding rectified and re-checked by a colleague, one with a finding still open) and one
planned for next week. Its own scores sit well above the regulator's inspection of the same
estate, so the company page and the dashboard show a gap. Everything goes through
``cases.self_inspection``; idempotent (a second run finds the patrols and adds nothing).
"""

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import self_inspection
from cases.models import ChecklistTemplate, Patrol
from enterprises import access
from portal.demo.supervision import CHECKLIST, _photo

COLLEAGUE = ("company_quality", "赵", "品质")


def _colleague(company):
    """A quality staff member of the demo company (who cannot sign in)."""
    username, last, first = COLLEAGUE
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"last_name": last, "first_name": first}
    )
    if created:
        user.set_unusable_password()
        user.save()
    access.grant_company_staff(user, company)
    return user


def _patrol(estate, checklist, staff, *, failures: dict[str, str], owner, deadline):
    patrol = self_inspection.schedule_patrol(
        actor=staff, estate=estate, kind="routine", checklist=checklist, quality_staff=staff,
        planned_on=timezone.localdate(),
    )  # fmt: skip
    self_inspection.start_patrol(patrol, actor=staff)
    self_inspection.add_patrol_photo(patrol, _photo("patrol.jpg"), actor=staff, caption="楼道")
    tasks = []
    for item in checklist.items.all():
        note = failures.get(item.number, "")
        score = self_inspection.score_patrol_item(
            patrol, item, actor=staff, passed=not note, note=note
        )
        if note:
            tasks.append(
                self_inspection.raise_task(score, actor=staff, owner=owner, deadline=deadline)
            )
    self_inspection.complete_patrol(patrol, actor=staff, summary="例行巡查")
    return tasks


def seed_self_inspection(users: dict, estates: list, write: Callable[[str], object]) -> None:
    company_user = users["company"]
    company = company_user.staff_profile.company
    estate = next((e for e in estates if e.managing_company_id == company.pk), None)
    checklist = ChecklistTemplate.objects.filter(name=CHECKLIST).order_by("-version").first()
    if estate is None or checklist is None or Patrol.objects.filter(estate=estate).exists():
        write("self-inspection: already there (or nothing to patrol), none added")
        return
    colleague = _colleague(company)
    today = timezone.localdate()
    self_inspection.plan_patrols(
        actor=company_user, estate=estate, period=str(today.year), kind="routine",
        planned_count=12,
    )  # fmt: skip
    _patrol(estate, checklist, colleague, failures={}, owner=company_user, deadline=today)
    [fixed] = _patrol(
        estate, checklist, colleague, failures={"2": "5号楼楼道有杂物"}, owner=company_user,
        deadline=today + dt.timedelta(days=3),
    )  # fmt: skip
    self_inspection.rectify_task(
        fixed, actor=company_user, rectification="已清理并张贴提示", files=[_photo("fixed.jpg")]
    )
    self_inspection.recheck_task(fixed, actor=colleague, passed=True, note="复查合格")
    _patrol(
        estate, checklist, colleague, failures={"3": "中心绿地有斑秃"}, owner=company_user,
        deadline=today + dt.timedelta(days=10),
    )  # fmt: skip
    self_inspection.schedule_patrol(
        actor=company_user, estate=estate, kind="special", checklist=checklist,
        quality_staff=colleague, planned_on=today + dt.timedelta(days=7),
    )  # fmt: skip
    write(f"self-inspection: 3 patrols of {estate} completed, 1 planned, 2 tasks (1 closed)")
