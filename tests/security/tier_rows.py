"""Rows of the permission table for issue 18's tiers and first response: the tier rules and
the duty roster (administrator's settings), the case page's "log a contact" (regulator staff
in scope) and the official's decision on a resolution proposed for sign-off (officials of
the case's district; never its proposer, who is an inspector here).

Listed in ``all_rows.ROW_MODULES``; ``build`` proposes one resolution per side.
"""

from tests.security.permission_table import (
    CHANGE,
    LIST,
    OFFICIALS,
    REFUSED_MESSAGE,
    REGULATORS,
    SIDES,
    TRANSITION,
    Row,
    _complaint_status,
    _status,
    opens,
    sees,
)

ADMIN_ONLY = opens("admin")


def build(world, district, estates) -> None:
    """A serious case per side with a resolution its district's inspector proposed."""
    from cases.models import SignOff
    from tests.factories import make_complaint

    world.objects["sign_off"] = {
        side: SignOff.objects.create(
            complaint=make_complaint(estate=estates[side], phone="13700009999").complaint,
            reply=f"已修复 MK-SIGNOFF-{side}",
            requested_by=world.users[f"inspector_d{side}"],
        )
        for side in SIDES
    }


ROWS = [
    *[
        Row(None, LIST, f"{ns}:index", ADMIN_ONLY, args=lambda o: (), label=f"{ns}-index")
        for ns in ("tier_rules", "duty_roster")
    ],
    *[
        Row(None, CHANGE, f"{ns}:add", ADMIN_ONLY, args=lambda o: (), label=f"{ns}-add")
        for ns in ("tier_rules", "duty_roster")
    ],
    Row(
        "complaint",
        TRANSITION,
        "cases_admin:case_contact",
        sees(REGULATORS),
        method="post",
        data={},
        denial=REFUSED_MESSAGE,
        state=_complaint_status,
    ),
    Row(
        "sign_off",
        TRANSITION,
        "cases_admin:case_decide_sign_off",
        sees(OFFICIALS),
        args=lambda s: (s.complaint_id, s.pk),
        method="post",
        data={},
        denial=REFUSED_MESSAGE,
        state=_status,
    ),
]

VIEWERS = {"sign_off": sees(REGULATORS)}

NOT_OBJECT_SCOPED = {
    f"{ns}:{view}": "administrator's settings (tier rules, duty roster), no side"
    for ns in ("tier_rules", "duty_roster")
    for view in ("index_results", "edit", "delete", "history", "history_results", "usage")
}
NOT_YET_COVERED: dict = {}
