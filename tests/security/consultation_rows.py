"""Rows of the permission table for consultations answered at once (issue 18, 即问即答): the
answer screen opens, and answers, for an official within scope (and for the intake clerk who
registered the question, tested in tests/portal/test_consultation_screens.py, as the matrix's
cast has no clerk); everyone else gets a 404 and changes nothing. The knowledge base's public
pages are Wagtail pages anyone reads; its suggestion endpoint holds no record of a side.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds one consultation per side.
"""

from tests.security.permission_table import (
    CHANGE,
    COMMITTEE_X,
    OFFICIALS,
    REGULATORS,
    SIDES,
    TRANSITION,
    Row,
    _complaint_status,
    sees,
)


def build(world, district, estates) -> None:
    """A web consultation on each side, submitted, its tracking number as the marker."""
    from cases.models import Category, Tier
    from cases.services import submit_complaint

    world.objects["consultation"] = {
        side: submit_complaint(
            actor=None,
            category=Category.FEES,
            tier=Tier.CONSULTATION,
            description="请问物业费涨价需要业主大会同意吗？",
            contact_phone="13755556666",
            estate=estates[side],
            estate_name=estates[side].name,
        ).complaint
        for side in SIDES
    }
    world.markers["consultation"] = {
        side: complaint.tracking_number for side, complaint in world.objects["consultation"].items()
    }


ANSWERERS = sees(OFFICIALS)

ROWS = [
    Row("consultation", CHANGE, "intake:answer_consultation", ANSWERERS),
    Row(
        "consultation",
        TRANSITION,
        "intake:answer_consultation",
        ANSWERERS,
        method="post",
        data={},  # an answerer gets the form back with its errors: nothing is resolved
        state=_complaint_status,
        shows_marker=False,
    ),
]

VIEWERS = {"consultation": sees(REGULATORS, COMMITTEE_X)}

NOT_OBJECT_SCOPED = {
    "faq_suggestions": (
        "public suggestions of published questions and answers for typed text, no record of "
        "a side (tests/portal/test_faq.py)"
    ),
}

NOT_YET_COVERED: dict[str, str] = {}
