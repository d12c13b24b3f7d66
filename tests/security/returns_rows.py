"""Return arbitration and reply templates' rows of the permission table (issue 18): the
official's ruling on a returned dispatch (a POST on the case page, like the other dispatch
actions) and the reply templates' screen.

Each side holds a case its district's helper inspector returned, awaiting a ruling: only an
official who sees the case (official_d1 on side 1, the administrator on both) may rule; the
others are refused with the case page's "You may not use …" and nothing changes. With no
data the ruling form is invalid, so an allowed POST is a redirect back with the form's error.
The templates are city-wide (no side): officials and administrators open the screen.

Listed in ``all_rows.ROW_MODULES``.
"""

from tests.security.permission_table import (
    LIST,
    OFFICIALS,
    REFUSED_MESSAGE,
    SIDES,
    TRANSITION,
    Row,
    opens,
    sees,
)


def _ruling(dispatch) -> tuple:
    """What a refused POST must leave as it was."""
    from cases.models import Complaint, ReturnRuling

    return (
        ReturnRuling.objects.filter(dispatch_id=dispatch.pk).values_list("status", "ruled_by_id")[
            0
        ],
        Complaint.objects.filter(pk=dispatch.complaint_id).values_list("status", flat=True)[0],
    )


ROWS = [
    Row(
        "returned_dispatch",
        TRANSITION,
        "cases_admin:case_rule_return",
        sees(OFFICIALS),
        args=lambda d: (d.complaint_id, d.pk),
        method="post",
        data={},
        denial=REFUSED_MESSAGE,
        state=_ruling,
    ),
    Row(None, LIST, "reply_templates:index", opens("official_d1", "admin")),
]

VIEWERS: dict = {}

NOT_OBJECT_SCOPED = {
    f"reply_templates:{view}": "reply templates are city-wide, no side (index has a row)"
    for view in ("index_results", "add", "edit", "delete", "history", "history_results", "usage")
}

NOT_YET_COVERED: dict[str, str] = {}


def build(world, district, estates) -> None:
    """One case per side, returned by a helper inspector of its district, awaiting a ruling."""
    from cases import dispatch, workflow
    from foundation.roles import Role
    from tests.factories import make_complaint, make_user

    returned = {}
    for side in SIDES:
        returner = make_user(f"mx_returner_{side}", Role.INSPECTOR, district=district[side])
        complaint = make_complaint(estate=estates[side], description="门禁坏了").complaint
        workflow.accept_case(complaint, actor=world.users["admin"])
        dispatch.dispatch_case(complaint, actor=world.users["admin"], inspector=returner)
        row = complaint.dispatches.get()
        dispatch.return_dispatch(row, actor=returner, reason_code="other", reason="不在本人片区")
        returned[side] = row
    world.objects["returned_dispatch"] = returned
