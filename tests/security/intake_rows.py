"""The staff intake screens' rows of the permission table (issue 17): who may open the intake
form and the estate type-ahead (regulator staff; the intake clerk too, tested in
tests/portal/test_intake_screens.py, as the matrix's cast has no clerk), and the phone
look-up, which shows a district's person only their district's complaints of a caller who
complained on both sides (the world holds one complaint of that phone per side).

Listed in ``all_rows.ROW_MODULES``; ``build`` adds the caller's complaints.
"""

from tests.security.permission_table import (
    CHANGE,
    LIST,
    REGULATOR_ROLES,
    REGULATORS,
    SEARCH,
    SIDES,
    VIEW,
    Row,
    opens,
    sees,
)

# Not one of the world's contacts: the look-up's own caller, on both sides.
CALLER_PHONE = "13766667777"


def build(world, district, estates) -> None:
    """One complaint of the same caller on each side, its tracking number as the marker."""
    from cases.models import Category
    from cases.services import submit_complaint

    world.objects["caller"] = {
        side: submit_complaint(
            actor=None,
            category=Category.CLEANING,
            description="楼道垃圾三天无人清理，多次反映无果。",
            contact_phone=CALLER_PHONE,
            estate=estates[side],
            estate_name=estates[side].name,
        ).complaint
        for side in SIDES
    }
    world.markers["caller"] = {
        side: complaint.tracking_number for side, complaint in world.objects["caller"].items()
    }


INTAKE_STAFF = opens(*REGULATOR_ROLES)

ROWS = [
    Row(None, CHANGE, "intake:register", INTAKE_STAFF, args=lambda o: ()),
    Row(None, SEARCH, "intake:estates", INTAKE_STAFF, args=lambda o: (), query="q=MKX"),
    Row(None, VIEW, "intake:look_up", INTAKE_STAFF, args=lambda o: ()),
    Row(
        "caller",
        LIST,
        "intake:look_up",
        sees(REGULATORS),
        args=lambda o: (),
        method="post",
        data={"phone": CALLER_PHONE},
        listing=True,
    ),
]

VIEWERS = {"caller": sees(REGULATORS)}

NOT_OBJECT_SCOPED = {
    "intake:registered": (
        "the one-time result of the signed-in user's own registration, from their session "
        "(tests/portal/test_intake_screens.py)"
    ),
}

NOT_YET_COVERED: dict[str, str] = {}
