"""The handover row of the permission table (issue 16): who may give an inspector's open
work to a colleague (``cases_admin:hand_over``). The world holds, per side, an inspector
holding one dispatched case of that side. The POST names no colleague, so an allowed role is
answered on the person's page with the form's error and nothing moves for anyone; the
handover itself is tested in tests/cases/test_handover.py.

Listed in ``all_rows.ROW_MODULES``.
"""

from tests.security.permission_table import OFFICIALS, SIDES, TRANSITION, Row, sees

SUPERVISORS = sees(OFFICIALS)


def build(world, district, estates) -> None:
    from cases import dispatch, workflow
    from foundation.roles import Role
    from tests.factories import make_complaint, make_user

    holders = {}
    for side in SIDES:
        holder = make_user(f"mx_holder_{side}", Role.INSPECTOR, district=district[side])
        holder.first_name = f"MK-HOLDER-{side}"
        holder.save(update_fields=["first_name"])
        complaint = make_complaint(estate=estates[side], description="楼道灯坏了一个月").complaint
        workflow.accept_case(complaint, actor=world.users["admin"])
        dispatch.dispatch_case(complaint, actor=world.users["admin"], inspector=holder)
        holders[side] = holder
    world.objects["holder"] = holders
    world.markers["holder"] = {side: f"MK-HOLDER-{side}" for side in SIDES}


def _held(holder) -> tuple:
    from cases.models import Complaint

    return tuple(Complaint.objects.filter(assigned_inspector_id=holder.pk).values_list("pk"))


ROWS = [
    Row(
        "holder",
        TRANSITION,
        "cases_admin:hand_over",
        SUPERVISORS,
        method="post",
        data={},
        state=_held,
    ),
]
VIEWERS = {"holder": SUPERVISORS}
NOT_OBJECT_SCOPED: dict[str, str] = {}
NOT_YET_COVERED: dict[str, str] = {}
