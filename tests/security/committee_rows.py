"""The owners' committees screens' rows of the permission table (issue 16): who may list,
open, file and renew committee filings and change their members. The world holds one
committee per side (estate 1 in district 1, estate 2 in district 2), filed through
``enterprises.committees`` by the world's administrator: administrators reach both,
official_d1 side 1 only (side 2's committee is a 404 to them, as is a guessed id); everyone
else is refused the screens (403, Wagtail's sign-in for anonymous visitors), committee
members included: they see their estate, not the filing.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds its records to the world.
"""

from tests.security.permission_table import (
    CHANGE,
    LIST,
    OFFICIALS,
    SIDES,
    TRANSITION,
    VIEW,
    Row,
    opens,
    sees,
)

FILERS = sees(OFFICIALS)


def build(world, district, estates) -> None:
    """One committee per side, with its chair (the marker) and a member, invited."""
    import datetime

    from django.utils import timezone

    from enterprises import committees

    today = timezone.localdate()
    world.objects["committee"] = {
        side: committees.file_committee(
            actor=world.users["admin"],
            estate=estates[side],
            term_starts_on=today,
            term_ends_on=today + datetime.timedelta(days=5 * 365),
            filing_number=f"MK-FILING-{side}",
            members=[
                {
                    "name": f"MK-CHAIR-{side}",
                    "email": f"mk-chair-{side}@owners.test",
                    "position": "chair",
                },
                {
                    "name": f"MK-MEMBER-{side}",
                    "email": f"mk-member-{side}@owners.test",
                    "position": "member",
                },
            ],
        )
        for side in SIDES
    }
    world.markers["committee"] = {side: f"MK-CHAIR-{side}" for side in SIDES}


def _committee_state(committee) -> tuple:
    """What a refused POST must leave as it was: the term, the end of access, the seats and
    who holds which position."""
    from enterprises.models import CommitteeMember, Invitation, OwnersCommittee

    seats = CommitteeMember.objects.filter(committee_id=committee.pk)
    term = OwnersCommittee.objects.filter(pk=committee.pk).values_list("term_ends_on", "ended_at")
    positions = sorted(seats.values_list("pk", "position"))
    invitations = Invitation.objects.filter(user__in=seats.values("user")).count()
    return (
        term.first(),
        seats.count(),
        seats.filter(removed_at__isnull=True).count(),
        positions,
        invitations,
    )


def _seated_member(world, committee) -> dict:
    """The plain member of the committee (for a guessed committee, side 1's member)."""
    real = world.obj("committee", 2 if committee.pk == world.obj("committee", 2).pk else 1)
    return {"member": real.members.get(position="member").pk}


ROWS = [
    Row("committee", LIST, "committees:index", FILERS, args=lambda o: (), listing=True),
    Row("committee", VIEW, "committees:committee", FILERS),
    Row(None, CHANGE, "committees:file", opens("official_d1", "admin"), args=lambda o: ()),
    Row(
        "committee",
        TRANSITION,
        "committees:renew",
        FILERS,
        method="post",
        data={"term_ends_on": "2099-12-31"},
        state=_committee_state,
    ),
    Row(
        "committee",
        CHANGE,
        "committees:add_member",
        FILERS,
        method="post",
        data={"new-name": "MK-NEW", "new-email": "mk-new@owners.test", "new-position": "member"},
        state=_committee_state,
    ),
    Row(
        "committee",
        CHANGE,
        "committees:remove_member",
        FILERS,
        method="post",
        data=_seated_member,
        state=_committee_state,
    ),
    Row(
        "committee",
        CHANGE,
        "committees:resend_invitation",
        FILERS,
        method="post",
        data=_seated_member,
        state=_committee_state,
    ),
    Row(
        "committee",
        CHANGE,
        "committees:make_chair",
        FILERS,
        method="post",
        data=_seated_member,
        state=_committee_state,
    ),
]

# What a refusal may show: the committee's chair only to those who see the filing.
VIEWERS = {"committee": FILERS}

NOT_OBJECT_SCOPED: dict[str, str] = {}

NOT_YET_COVERED: dict[str, str] = {}
