"""Rows of the permission table for the companies' self-inspection (issue 20): patrols,
internal rectification tasks and patrol plans. A company plans, runs and works its own (and
never sees another's); the regulator of the estate's district reads them; the estate's owners'
committee reads its estate's only; evaluators and the association see none.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds per side a planned patrol, a task raised
from a started patrol and a plan. One row per kind of action: the other buttons of a screen
post to the same ``TransitionView`` on the same scope (their refusals are service tests in
``tests/cases/test_self_inspection.py``).
"""

from tests.security.permission_table import (
    CHANGE,
    COMMITTEE_X,
    COMPANIES,
    LIST,
    REGULATORS,
    SIDES,
    TRANSITION,
    VIEW,
    Row,
    _status,
    opens,
    sees,
)

READERS = sees(REGULATORS, COMPANIES, COMMITTEE_X)
WORKERS = sees(COMPANIES)
PATROLS, TASKS = "supervision_patrols", "supervision_patrol_tasks"
PLANS = "supervision_patrol_plans"


def build(world, district, estates) -> None:
    import datetime

    from django.utils import timezone

    from cases import checklists, self_inspection

    today = timezone.localdate()
    checklist = checklists.create_checklist(
        "MK-SI-CHECKLIST",
        [{"number": "1", "text": "楼道整洁", "dimension": "cleaning", "weight": 10}],
        actor=world.users["admin"],
    )
    patrols, tasks, plans = {}, {}, {}
    for side, staff in ((1, "company_a"), (2, "company_b")):
        actor = world.users[staff]

        def patrol(actor=actor, estate=estates[side]):
            return self_inspection.schedule_patrol(
                actor=actor, estate=estate, kind="routine", checklist=checklist,
                quality_staff=actor, planned_on=today,
            )  # fmt: skip

        patrols[side] = patrol()
        worked = patrol()
        self_inspection.start_patrol(worked, actor=actor)
        score = self_inspection.score_patrol_item(
            worked, checklist.items.get(), actor=actor, passed=False, note=f"MK-FINDING-{side}"
        )
        tasks[side] = self_inspection.raise_task(
            score, actor=actor, owner=actor, deadline=today + datetime.timedelta(days=7)
        )
        plans[side] = self_inspection.plan_patrols(
            actor=actor, estate=estates[side], period=str(today.year), kind="special",
            planned_count=4,
        )  # fmt: skip
    world.objects.update({"patrol": patrols, "patrol_task": tasks, "patrol_plan": plans})
    world.markers["patrol_task"] = {side: f"MK-FINDING-{side}" for side in SIDES}


ROWS = [
    Row("patrol", LIST, f"{PATROLS}:index", READERS, args=lambda o: (), listing=True),
    Row("patrol", VIEW, f"{PATROLS}:inspect", READERS),
    Row(None, CHANGE, f"{PATROLS}:add", opens("company_a", "company_b"), label="patrol-add"),
    Row("patrol", CHANGE, f"{PATROLS}:score", WORKERS, shows_marker=False),
    Row(
        "patrol",
        TRANSITION,
        f"{PATROLS}:start",
        WORKERS,
        method="post",
        data={},
        state=_status,
        shows_marker=False,
    ),  # fmt: skip
    Row("patrol_task", LIST, f"{TASKS}:index", READERS, args=lambda o: (), listing=True),
    Row("patrol_task", VIEW, f"{TASKS}:inspect", READERS),
    Row(
        "patrol_task",
        TRANSITION,
        f"{TASKS}:rectify",
        WORKERS,
        method="post",
        data={},
        state=_status,
        shows_marker=False,
    ),  # fmt: skip
    Row("patrol_plan", LIST, f"{PLANS}:index", READERS, args=lambda o: (), listing=True),
    Row(None, CHANGE, f"{PLANS}:add", opens("company_a", "company_b"), label="patrol-plan-add"),
]
VIEWERS = {"patrol": READERS, "patrol_task": READERS, "patrol_plan": READERS}
SAME_VIEW_AS = {f"{ns}:index_results": f"{ns}:index" for ns in (PATROLS, TASKS, PLANS)}
NOT_OBJECT_SCOPED: dict[str, str] = {}
# CI time: these are the register's scoped generic views (``RegisterViewSet``), whose rows
# the base table and good_conduct_rows already hold, on this screen's scope function; the
# scope itself is tried by each screen's list and inspect rows above.
_REGISTER_VIEW = "the register's scoped generic view, on a scope tried by the rows above"
NOT_YET_COVERED = {
    f"{PATROLS}:add_photo": "same TransitionView and scope as start (service-tested refusals)",
    f"{PATROLS}:complete": "same TransitionView and scope as start (service-tested refusals)",
    f"{TASKS}:close": "same TransitionView and scope as rectify (service-tested refusals)",
    f"{TASKS}:reopen": "same TransitionView and scope as rectify (service-tested refusals)",
    f"{PATROLS}:file": "related files (photos): the world holds none",
    f"{TASKS}:file": "related files (evidence): the world holds none",
    **{
        f"{ns}:{view}": _REGISTER_VIEW
        for ns in (PATROLS, TASKS, PLANS)
        for view in ("history", "history_results", "usage", "edit", "delete")
    },
    f"{PLANS}:inspect": _REGISTER_VIEW,
    f"{TASKS}:add": "not offered (the screen's actions are view only)",
}
