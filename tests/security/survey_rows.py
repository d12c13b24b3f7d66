"""The surveys screens' rows of the permission table (issue 19): who may list, open, create,
change, close and print the codes of owners' surveys. The world holds one open satisfaction
survey per side (estate 1 in district 1, estate 2 in district 2), run by the regulator (the
world's administrator), with two units each. Administrators reach both, official_d1 side 1;
the committee of estate 1 sees side 1's survey and its results but neither changes it nor
prints its codes (the regulator runs it); everyone else is refused the screens.

The answer pages take a household code, which no role of the matrix holds: one answer per
unit, wrong codes and their rate limit are tested in tests/portal/test_survey_pages.py.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds its records to the world.
"""

from tests.security.permission_table import (
    CHANGE,
    COMMITTEE_X,
    LIST,
    OFFICIALS,
    ROLES,
    SIDES,
    TRANSITION,
    VIEW,
    Row,
    opens,
    sees,
)

SEERS = sees(OFFICIALS, COMMITTEE_X)
RUNNERS = sees(OFFICIALS)


def build(world, district, estates) -> None:
    """One open regulator's survey per side, its title the marker."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from enterprises import surveys
    from enterprises.models import Unit

    today = timezone.localdate()
    world.objects["survey"] = {}
    for side in SIDES:
        for room in ("101", "102"):
            Unit.objects.create(
                estate=estates[side], building="2", room=room, exclusive_area=Decimal("90")
            )
        survey = surveys.create_survey(
            actor=world.users["admin"],
            estate=estates[side],
            kind="satisfaction",
            title=f"MK-SURVEY-{side}",
            opens_on=today,
            closes_on=today + datetime.timedelta(days=30),
        )
        world.objects["survey"][side] = surveys.open_survey(survey, actor=world.users["admin"])
    world.markers["survey"] = {side: f"MK-SURVEY-{side}" for side in SIDES}


def _survey_state(survey) -> tuple:
    """What a refused POST must leave as it was: the status and the questions."""
    from enterprises.models import Survey, SurveyQuestion

    status = Survey.objects.filter(pk=survey.pk).values_list("status", flat=True).first()
    return (status, SurveyQuestion.objects.filter(survey_id=survey.pk).count())


ROWS = [
    Row("survey", LIST, "surveys:index", SEERS, args=lambda o: (), listing=True),
    Row("survey", VIEW, "surveys:survey", SEERS),
    Row(None, CHANGE, "surveys:create", opens("official_d1", "admin", "committee_x")),
    Row(
        "survey",
        CHANGE,
        "surveys:add_question",
        RUNNERS,
        method="post",
        data={"kind": "text", "text": "MK-QUESTION"},
        state=_survey_state,
    ),
    Row("survey", TRANSITION, "surveys:close", RUNNERS, method="post", state=_survey_state),
    # A PDF: its text is set in a CID font, so the marker is not searched in it.
    Row("survey", VIEW, "surveys:codes", RUNNERS, shows_marker=False),
    Row(None, VIEW, "survey_entry", opens(*ROLES)),
]

VIEWERS = {"survey": SEERS}

# The same ``_survey`` scope and ``permissions.manages_survey`` check as the row named.
SAME_VIEW_AS = {
    "surveys:open": "surveys:close",
    "surveys:remove_question": "surveys:add_question",
}

NOT_OBJECT_SCOPED = {
    "survey_answer": "opened with a household code only, which no role holds "
    "(tests/portal/test_survey_pages.py)",
}

NOT_YET_COVERED: dict[str, str] = {}
