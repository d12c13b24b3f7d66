"""The penalty due-process buttons' rows of the permission table (issue 21): prior notice,
statement, hearing request, scheduling and record, revision, extension of the time limit and
withdrawal after review, each a POST on the world's penalty of each side (a served warning).

Officials of the district (official_d1 on side 1, the administrator on both) may press every
button; the company's staff also the party's two (statement, hearing request) on their own
company's penalty. The services then refuse what the penalty's state does not allow, with a
message: an allowed POST here is a redirect back, a refused one a 403 or 404, and nothing
changes. The penalty rules screen is the administrator's settings, without a side.

Listed in ``all_rows.ROW_MODULES``; the world already holds the penalties.
"""

from tests.security.permission_table import (
    COMPANIES,
    OFFICIALS,
    TRANSITION,
    Row,
    sees,
)

NS = "supervision_penalties"


def _state(penalty) -> tuple:
    """What a refused POST must leave as it was."""
    from cases.models import Penalty

    return (
        Penalty.objects.filter(pk=penalty.pk)
        .values_list(
            "status", "kind", "fine_amount", "statement", "hearing_record", "hearing_officer_id",
            "decision_due_on", "review_outcome", "notice_number",
        )
        .first()
    )  # fmt: skip


def _row(name: str, who) -> Row:
    return Row(
        "penalty", TRANSITION, f"{NS}:{name}", who, method="post", data={}, state=_state,
        shows_marker=False,
    )  # fmt: skip


PARTY = sees(OFFICIALS, COMPANIES)
ROWS = [
    _row("notify", sees(OFFICIALS)),
    _row("statement", PARTY),
    _row("request_hearing", PARTY),
    _row("schedule_hearing", sees(OFFICIALS)),
    _row("record_hearing", sees(OFFICIALS)),
    _row("revise", sees(OFFICIALS)),
    _row("extend_limit", sees(OFFICIALS)),
    _row("withdraw", sees(OFFICIALS)),
]

VIEWERS: dict = {}

NOT_OBJECT_SCOPED = {
    f"penalty_rules:{view}": "administrator's settings (hearing thresholds, publicity), no side"
    for view in (
        "index",
        "index_results",
        "add",
        "edit",
        "delete",
        "history",
        "history_results",
        "usage",
    )
}

NOT_YET_COVERED: dict[str, str] = {}


def build(world, district, estates) -> None:
    """Nothing to add: the rows act on the world's penalties (``world._supervision``)."""
