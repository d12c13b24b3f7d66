"""The evaluation organisations' rows of the permission table (issue 16): who may list, open,
register, correct and engage through an organisation, and who may end an engagement.

Organisations are city-wide records (one per side, registered by the world's administrator):
every registrar, the administrator and official_d1 alike, sees and corrects both. What the
district decides is the estate: an engagement is made and ended only on an estate the actor
may decide for, so official_d1 ends side 1's engagement and gets a 404 for side 2's. Posting
the engagement form of side 2's organisation reaches the form for official_d1, whose estate
choices are district 1's only: side 2's estate is refused on its field and nothing is made
(tests/enterprises/test_evaluators.py). Everyone else is refused the screens.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds one organisation, one evaluator of
it and one engagement of that evaluator on the side's estate to the world.
"""

import datetime

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

# Registrars see both sides' organisations (city-wide records).
KEEPERS = sees({"official_d1": {1, 2}, "admin": {1, 2}})
# Engagements follow their estate's district.
DECIDERS = sees(OFFICIALS)
DAY = datetime.timedelta(days=1)


def build(world, district, estates) -> None:
    from django.utils import timezone

    from enterprises import access, evaluators
    from tests.factories import make_user, valid_credit_code

    today = timezone.localdate()
    admin = world.users["admin"]
    organisations, staff, engagements = {}, {}, {}
    for side in SIDES:
        organisations[side] = evaluators.register_organisation(
            actor=admin,
            name=f"MK-EVORG-{side}",
            credit_code=valid_credit_code(f"91330100MC000000{side}"),
            qualification="物业服务评价 甲级",
            qualification_number=f"PJ-MK-{side}",
            qualified_from=today - 365 * DAY,
            qualified_until=today + 365 * DAY,
        )
        staff[side] = make_user(f"mx_org_evaluator_{side}", None)
        access.grant_evaluator(staff[side], organisations[side])
        engagements[side] = evaluators.engage(
            actor=admin,
            evaluator=staff[side],
            estate=estates[side],
            starts_on=today,
            ends_on=today + 30 * DAY,
        )
    world.objects["evaluation_organisation"] = organisations
    world.objects["org_evaluator"] = staff
    world.objects["engagement"] = engagements
    world.markers["evaluation_organisation"] = {side: f"MK-EVORG-{side}" for side in SIDES}


def _side_of(world, organisation) -> int:
    pk = getattr(organisation, "pk", None)
    return 2 if pk == world.obj("evaluation_organisation", 2).pk else 1


def _engage_data(world, organisation) -> dict:
    """A later engagement of the organisation's evaluator on its side's estate."""
    from django.utils import timezone

    side = _side_of(world, organisation)
    starts_on = timezone.localdate() + 60 * DAY
    return {
        "evaluator": world.obj("org_evaluator", side).pk,
        "estate": world.obj("estate", side).pk,
        "starts_on": starts_on.isoformat(),
        "ends_on": (starts_on + DAY).isoformat(),
    }


def _organisation_state(organisation) -> tuple:
    """What a refused POST must leave as it was: the record, its engagements, the audit log."""
    from enterprises.models import EvaluationOrganisation, EvaluatorEngagement
    from foundation.models import AuditEvent

    return (
        EvaluationOrganisation.objects.filter(pk=organisation.pk).values().first(),
        EvaluatorEngagement.objects.filter(organisation_id=organisation.pk).count(),
        AuditEvent.objects.filter(action__startswith="enterprises.evaluator").count(),
    )


def _engagement_state(engagement) -> tuple:
    from enterprises.models import EvaluatorEngagement
    from enterprises.permissions import can_evaluate_estate

    row = EvaluatorEngagement.objects.filter(pk=engagement.pk)
    return (
        row.values_list("ended_at", "access_granted", "end_reason").first(),
        can_evaluate_estate(engagement.evaluator, engagement.estate),
    )


ROWS = [
    Row(
        "evaluation_organisation",
        LIST,
        "evaluation_organisations:index",
        KEEPERS,
        args=lambda o: (),
        listing=True,
    ),
    Row("evaluation_organisation", VIEW, "evaluation_organisations:organisation", KEEPERS),
    Row(
        None,
        CHANGE,
        "evaluation_organisations:add",
        opens("official_d1", "admin"),
        args=lambda o: (),
    ),
    Row("evaluation_organisation", CHANGE, "evaluation_organisations:edit", KEEPERS),
    Row(
        "evaluation_organisation",
        CHANGE,
        "evaluation_organisations:engage",
        KEEPERS,
        method="post",
        data=_engage_data,
        state=_organisation_state,
        shows_marker=False,
    ),
    Row(
        "engagement",
        TRANSITION,
        "evaluation_organisations:end_engagement",
        DECIDERS,
        method="post",
        data={"reason": "MK-END"},
        state=_engagement_state,
    ),
]

# What a refusal may show: an organisation's name only to registrars.
VIEWERS = {"evaluation_organisation": KEEPERS, "engagement": DECIDERS}

NOT_OBJECT_SCOPED: dict[str, str] = {}
NOT_YET_COVERED: dict[str, str] = {}
