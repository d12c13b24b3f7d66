"""The people screens' rows of the permission table (issue 16): who may list, open, invite
and act on whom. The world holds one invited (not yet accepted) inspector per district
(``world.objects["person"]``): administrators manage everyone on both sides; official_d1 the
inspectors of district 1 only (a person of district 2 is a 404 to them, as is a guessed id);
everyone else is refused the screens (403, Wagtail's sign-in for anonymous visitors).

Listed in ``all_rows.ROW_MODULES`` (it needs the table's vocabulary); ``build``
adds its records to the world.
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

MANAGERS = sees(OFFICIALS)


def build(world, district, estates) -> None:
    """One invited inspector per district, not yet accepted."""
    from enterprises import people
    from foundation.roles import Role

    world.objects["person"] = {
        side: people.invite_person(
            actor=world.users["admin"],
            email=f"mk-person-{side}@regulator.test",
            name=f"MK-PERSON-{side}",
            role=Role.INSPECTOR,
            district=district[side],
        ).user
        for side in SIDES
    }
    world.markers["person"] = {side: f"MK-PERSON-{side}" for side in SIDES}
    # A plain staff member of each side's company: given and refused the company
    # administration right (the cast's company users keep theirs unchanged).
    world.objects["staffer"] = {
        side: people.invite_person(
            actor=world.users["admin"],
            email=f"mk-staffer-{side}@company.test",
            name=f"MK-STAFFER-{side}",
            role=Role.COMPANY_STAFF,
            company=estates[side].managing_company,
        ).user
        for side in SIDES
    }
    world.markers["staffer"] = {side: f"MK-STAFFER-{side}" for side in SIDES}


def _person_state(person) -> tuple:
    """What a refused POST must leave as it was: activity, scope and the invitations."""
    from django.contrib.auth import get_user_model

    from enterprises.models import Invitation

    users = get_user_model().objects.filter(pk=person.pk)
    invitations = Invitation.objects.filter(user_id=person.pk)
    return (
        users.values_list("is_active", "staff_profile__district_id").first(),
        invitations.count(),
        invitations.filter(revoked_at__isnull=True).count(),
    )


def _same_district(world, person) -> dict:
    """The person's own district: a scope every manager of the person may give."""
    side = 2 if getattr(person, "pk", None) == world.obj("person", 2).pk else 1
    return {"district": world.obj("district", side).pk}


ROWS = [
    Row("person", LIST, "people:index", MANAGERS, args=lambda o: (), listing=True),
    Row("person", VIEW, "people:person", MANAGERS),
    Row(None, CHANGE, "people:invite", opens("official_d1", "admin"), args=lambda o: ()),
    Row(
        "person",
        CHANGE,
        "people:change_scope",
        MANAGERS,
        method="post",
        data=_same_district,
        state=_person_state,
    ),
    # Reactivating a person who never accepted is answered on their page with a message
    # (resend instead): reached, not refused; the matrix checks who reaches it.
    *[
        Row(
            "person",
            TRANSITION,
            f"people:{name}",
            MANAGERS,
            method="post",
            data={},
            state=_person_state,
        )
        for name in ("deactivate", "reactivate", "resend", "revoke")
    ],
]


def _administers(staffer) -> bool:
    from enterprises import people

    return people.is_company_administrator(staffer)


ROWS += [
    Row(
        "staffer",
        TRANSITION,
        f"people:{name}",
        MANAGERS,
        method="post",
        data={},
        state=_administers,
    )
    for name in ("grant_company_administration", "withdraw_company_administration")
]

# What a refusal may show: the person's name only to those who manage them (officials see
# the staff of their district's companies).
VIEWERS = {"person": MANAGERS, "staffer": MANAGERS}

NOT_OBJECT_SCOPED = {
    "accept_invitation": "public, by one-time token: tests/portal/test_invitation_page.py",
}

NOT_YET_COVERED: dict[str, str] = {}
