"""Rows of the permission table for re-triage and transfer (issue 18, part 1): the case
page's three buttons on the world's case of each side (in progress, assigned to that side's
inspector), and the agencies register an administrator keeps.

Re-triage is for officials of the district (official_d1 on side 1, the administrator on both)
and for the inspector the case is assigned to; transfer and the agency's outcome for
officials only. An allowed empty POST comes back with the form's errors, a refused one with
"you may not" (or a 404 outside the scope), and nothing changes. The agencies register has no
side: one row proves only the administrator opens it; its other views are in
``NOT_OBJECT_SCOPED``.

Listed in ``all_rows.ROW_MODULES``; the world already holds the cases.
"""

from tests.security.permission_table import (
    OFFICIALS,
    REFUSED_MESSAGE,
    TRANSITION,
    VIEW,
    Row,
    _complaint_status,
    opens,
    sees,
)

ASSIGNED_INSPECTORS = {"inspector_d1": {1}, "inspector_d2": {2}}


def _button(name: str, who) -> Row:
    return Row(
        "complaint", TRANSITION, f"cases_admin:case_{name}", who, method="post", data={},
        denial=REFUSED_MESSAGE, state=_complaint_status,
    )  # fmt: skip


ROWS = [
    _button("retriage", sees(OFFICIALS, ASSIGNED_INSPECTORS)),
    _button("transfer", sees(OFFICIALS)),
    _button("transfer_outcome", sees(OFFICIALS)),
    Row(None, VIEW, "agencies:index", opens("admin"), args=lambda o: ()),
]

VIEWERS: dict = {}

NOT_OBJECT_SCOPED = {
    f"agencies:{view}": "administrator's register of agencies for transfers, no side"
    for view in ("index_results", "add", "edit", "delete", "history", "history_results", "usage")
}

NOT_YET_COVERED: dict[str, str] = {}


def build(world, district, estates) -> None:
    """Nothing to add: the rows act on the world's cases."""
