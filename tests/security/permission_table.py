"""The one permission table of the product (issue 9): who may list, view, change, move,
export, search and read through the API every kind of record, on which side of a boundary.

Side 1 is district 1 / company A / estate X, side 2 is district 2 / company B / estate Y
(``tests.security.world`` builds one record of each kind on each side). A row names one URL
(by its resolver name) and, per role, the sides whose record that role may reach there; a role
missing from ``sees`` may reach nothing. ``test_permission_matrix`` turns every row into one
test per role (a role reaching some record there tries both sides' records, the first such
role also a guessed id; the others try side 1's) and checks that every URL of our apps has a
row, or a line in ``NOT_OBJECT_SCOPED``, ``SAME_VIEW_AS`` or ``NOT_YET_COVERED``.

What a denial looks like (``denial``):
- ``LOGIN``: anonymous visitors of the admin are sent to the sign-in page;
- ``OUT_OF_SCOPE``: 404 (the record is looked up in the user's scope first, so a guess does
  not learn that it exists) or 403 where the record is in scope but the action is not the
  user's, or Wagtail's redirect to the dashboard with a message (no admin access, no screen);
- ``REFUSED_MESSAGE``: the case page's actions answer a refusal with a redirect back to the
  case and an error message; nothing changes.
An allowed list that does not contain the other side's record is the denial of a list row.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

ROLES = (
    "anonymous",
    "citizen",
    "company_a",
    "company_b",
    "committee_x",
    "evaluator_x",
    "association",
    "inspector_d1",
    "inspector_d2",
    "official_d1",
    "admin",
)
SIDES = (1, 2)
GUESSED_ID = 987654321

LOGIN = "login"
OUT_OF_SCOPE = "out-of-scope"
REFUSED_MESSAGE = "refused-message"

# Actions (the matrix's columns).
LIST, VIEW, CHANGE, TRANSITION, EXPORT, SEARCH, API = (
    "list",
    "view",
    "change",
    "transition",
    "export",
    "search",
    "api",
)

Sees = Mapping[str, frozenset[int]]


def sees(*parts: Mapping[str, set[int]]) -> dict[str, frozenset[int]]:
    merged: dict[str, set[int]] = {}
    for part in parts:
        for role, sides in part.items():
            merged.setdefault(role, set()).update(sides)
    return {role: frozenset(sides) for role, sides in merged.items()}


NOBODY: dict[str, set[int]] = {}
# Regulator staff: their district; the administrator the city.
REGULATORS = {"inspector_d1": {1}, "inspector_d2": {2}, "official_d1": {1}, "admin": {1, 2}}
OFFICIALS = {"official_d1": {1}, "admin": {1, 2}}
COMPANIES = {"company_a": {1}, "company_b": {2}}
COMMITTEE_X = {"committee_x": {1}}
EVALUATOR_X = {"evaluator_x": {1}}
# Screens without a record: who may open them at all (side 0 stands for "the screen").
SCREEN = {0}


def opens(*roles: str) -> dict[str, set[int]]:
    return {role: SCREEN for role in roles}


REGULATOR_ROLES = ("inspector_d1", "inspector_d2", "official_d1", "admin")
ADMIN_USERS = ("company_a", "company_b", "committee_x", "evaluator_x", "association")
ADMIN_USERS += REGULATOR_ROLES


@dataclass(frozen=True)
class Row:
    """One URL and who reaches which side's record through it.

    ``kind`` is the world's key of the record (None: a screen without a record); ``args``
    builds the URL's arguments from the record; ``method``/``data`` the request; a list row
    (``listing=True``) is checked by which sides' records appear in the answer; ``state``
    reads what a refused POST must leave unchanged.
    """

    kind: str | None
    action: str
    url_name: str
    who: Sees
    args: Callable = lambda obj: (obj.pk,)
    method: str = "get"
    data: Mapping | Callable | None = None
    query: str = ""
    listing: bool = False
    denial: str = OUT_OF_SCOPE
    state: Callable | None = None
    # A list that may answer without the user's own record (e.g. a queue of other states).
    own_required: bool = True
    label: str = ""
    # A detail page shows the record's marker (inspect, case page); history/usage do not.
    shows_marker: bool = True
    # A file row: the record's file field, given a stored file before the requests.
    file_field: str = ""

    @property
    def name(self) -> str:
        return self.label or f"{self.kind or 'screen'}-{self.action}-{self.url_name}"


def _status(obj) -> str:
    return type(obj).objects.filter(pk=obj.pk).values_list("status", flat=True).first()


def _field(name: str) -> Callable:
    def read(obj):
        return type(obj).objects.filter(pk=obj.pk).values_list(name, flat=True).first()

    return read


# What each kind of record is seen by (the view scope) --------------------------------------

VIEWERS = {
    "company": sees(REGULATORS, COMPANIES, COMMITTEE_X, EVALUATOR_X),
    "estate": sees(REGULATORS, COMPANIES, COMMITTEE_X, EVALUATOR_X),
    "licence": sees(REGULATORS, COMPANIES),
    # The code lets an engaged evaluator read the estate's contracts and disclosures too
    # (what it evaluates); DESIGN §1 does not forbid it.
    "contract": sees(REGULATORS, COMPANIES, COMMITTEE_X, EVALUATOR_X),
    "disclosure": sees(REGULATORS, COMPANIES, COMMITTEE_X, EVALUATOR_X),
    "evaluation": sees(REGULATORS, COMPANIES, COMMITTEE_X, EVALUATOR_X),
    "credit": sees(REGULATORS, COMPANIES),
    "appeal": sees(REGULATORS, COMPANIES),
    "inspection": sees(REGULATORS, COMPANIES, COMMITTEE_X),
    "order": sees(REGULATORS, COMPANIES, COMMITTEE_X),
    "penalty": sees(REGULATORS, COMPANIES, COMMITTEE_X),  # served: the company sees it
    "draw": sees(REGULATORS),
    "checklist": sees({r: {1} for r in REGULATOR_ROLES}),  # one city-wide checklist
    "campaign": sees(REGULATORS),
}

# Who may open the edit form of a record (nothing is ever deleted).
EDITORS = {
    "company": sees(OFFICIALS),
    "estate": sees(OFFICIALS),
    "disclosure": sees(COMPANIES),  # a draft, by its company
    "campaign": sees(OFFICIALS),
}

# Who may open the "new" form of a screen.
ADDERS = {
    "licence": opens("company_a", "company_b"),
    "contract": opens("company_a", "company_b"),
    "disclosure": opens("company_a", "company_b"),
    "evaluation": opens("committee_x", "evaluator_x"),
    "inspection": opens(*REGULATOR_ROLES),
    "draw": opens("official_d1", "admin"),
    "penalty": opens(*REGULATOR_ROLES),
    "checklist": opens("official_d1", "admin"),
    "campaign": opens("official_d1", "admin"),
    "order": NOBODY,  # orders are issued from an inspection, never from a blank form
    "company": opens("official_d1", "admin"),  # registrars keep the register
    "estate": opens("official_d1", "admin"),
    "credit": NOBODY,  # credit records come from events, appeals from the appeal button
    "appeal": NOBODY,
}

# The transition buttons (POST): who may press them on which side's record.
TRANSITIONS = {
    "licence": {
        "approve": sees(OFFICIALS),
        "reject": sees(OFFICIALS),
        "suspend": sees(OFFICIALS),
        "reinstate": sees(OFFICIALS),
        "revoke": sees(OFFICIALS),
        "renew": sees(COMPANIES),
    },
    "contract": {
        "file": sees(OFFICIALS),
        "return": sees(OFFICIALS),
        "terminate": sees(OFFICIALS, COMPANIES),
    },
    "disclosure": {"publish": sees(COMPANIES)},
    "credit": {"appeal": sees(COMPANIES)},
    "appeal": {"uphold": sees(OFFICIALS), "dismiss": sees(OFFICIALS)},
    "inspection": {
        # The planned teams: inspector_d1 on side 1's, inspector_d2 on side 2's.
        name: sees(REGULATORS)
        for name in ("start", "complete", "cancel", "issue_order", "add_photo", "score")
    },
    "draw": {"publish_draw": sees(OFFICIALS), "plan_drawn": sees(OFFICIALS)},
    "order": {
        "acknowledge": sees(COMPANIES),
        "submit": sees(COMPANIES),
        "verify": sees(REGULATORS),
        "fail": sees(REGULATORS),
    },
    "penalty": {name: sees(OFFICIALS) for name in ("approve", "reject", "serve", "execute")}
    | {"publish": sees(OFFICIALS)},
    "checklist": {"new_version": sees({"official_d1": {1}, "admin": {1}})},
}
# What a refused transition must leave as it was.
TRANSITION_STATE = {
    "disclosure": _field("published"),
    "draw": _field("published_at"),
    "credit": _field("withdrawn"),
    "checklist": _field("version"),
}

VIEWSETS = {
    "company": "register_companies",
    "estate": "register_estates",
    "licence": "register_licences",
    "contract": "register_contracts",
    "disclosure": "register_disclosures",
    "evaluation": "register_evaluations",
    "credit": "register_credit_records",
    "appeal": "register_credit_appeals",
    "inspection": "supervision_inspections",
    "draw": "supervision_draws",
    "order": "supervision_orders",
    "penalty": "supervision_penalties",
    "checklist": "supervision_checklists",
    "campaign": "supervision_campaigns",
}
# Screens offering ``?export=csv|xlsx`` of the listing.
HAS_EXPORT = set(VIEWSETS) - {"company"}


# The file a record carries (``<pk>/file/<field>/``), served only inside the viewset's scope.
FILE_FIELDS = {
    "contract": "document",
    "disclosure": "attachment",
    "evaluation": "report",
    "penalty": "decision_document",
}


def _viewset_rows(kind: str, ns: str) -> list[Row]:
    viewers = VIEWERS[kind]
    rows = [
        Row(kind, LIST, f"{ns}:index", viewers, args=lambda o: (), listing=True),
        Row(kind, VIEW, f"{ns}:inspect", viewers),
        # The history page names the record only in its log entries: no marker to look for.
        Row(kind, VIEW, f"{ns}:history", viewers, shows_marker=False),
        # Wagtail's usage screen asks for the "change" permission on top of the scope.
        Row(kind, VIEW, f"{ns}:usage", EDITORS.get(kind, {}), shows_marker=False),
        Row(kind, CHANGE, f"{ns}:edit", EDITORS.get(kind, {}), shows_marker=False),
        Row(kind, CHANGE, f"{ns}:delete", {}),
    ]
    if kind in FILE_FIELDS:
        rows.append(
            Row(
                kind,
                VIEW,
                f"{ns}:file",
                viewers,
                args=lambda o, f=FILE_FIELDS[kind]: (o.pk, f),
                shows_marker=False,
                file_field=FILE_FIELDS[kind],
            )
        )
    if kind in HAS_EXPORT:
        rows.append(
            Row(
                kind,
                EXPORT,
                f"{ns}:index",
                viewers,
                args=lambda o: (),
                query="export=csv",
                listing=True,
                label=f"{kind}-export-csv",
            )
        )
    rows.append(Row(None, CHANGE, f"{ns}:add", ADDERS[kind], label=f"{kind}-add"))
    for name, who in TRANSITIONS.get(kind, {}).items():
        # The score screen is a page of its own (GET shows the checklist).
        page = name == "score"
        rows.append(
            Row(
                kind,
                TRANSITION,
                f"{ns}:{name}",
                who,
                method="get" if page else "post",
                data={},
                state=None if page else TRANSITION_STATE.get(kind, _status),
                shows_marker=False,
            )
        )
    return rows


REGISTER_ROWS = [row for kind, ns in VIEWSETS.items() for row in _viewset_rows(kind, ns)]

# The company screen's own import and export.
COMPANY_EXTRA_ROWS = [
    Row(None, CHANGE, "register_companies:import", opens("official_d1", "admin")),
    Row(
        "company",
        EXPORT,
        "register_companies:export",
        VIEWERS["company"],
        args=lambda o: (),
        query="format=csv",
        listing=True,
    ),
]

# Cases: the case page, its actions, downloads, workbench, search and exports ---------------

CASE_VIEWERS = sees(REGULATORS, COMPANIES, COMMITTEE_X)
CASE_ACTIONS = {
    # Regulator staff within their scope (can_work).
    **{
        name: sees(REGULATORS)
        for name in (
            "accept",
            "reject",
            "request_information",
            "resolve",
            "follow_up",
            "close",
            "reopen",
            "merge",
            "note",
        )
    },
    "dispatch": sees(OFFICIALS),
    "answer": sees(COMPANIES),
    "request_extension": sees(REGULATORS, COMPANIES),
}


def _complaint_status(complaint) -> tuple:
    from cases.models import CaseEvent, Complaint

    return (
        Complaint.objects.filter(pk=complaint.pk).values_list("status", flat=True).first(),
        CaseEvent.objects.filter(complaint_id=complaint.pk).count(),
    )


CASE_ROWS = [
    Row("complaint", VIEW, "cases_admin:case", CASE_VIEWERS),
    *[
        Row(
            "complaint",
            TRANSITION,
            f"cases_admin:case_{name}",
            who,
            method="post",
            data={},
            denial=REFUSED_MESSAGE,
            state=_complaint_status,
        )
        for name, who in CASE_ACTIONS.items()
    ],
    # The inspector's own dispatch: only that inspector signs for it or returns it.
    *[
        Row(
            "dispatch",
            TRANSITION,
            f"cases_admin:case_{name}",
            sees({"inspector_d1": {1}, "inspector_d2": {2}}),
            args=lambda d: (d.complaint_id, d.pk),
            method="post",
            data={},
            denial=REFUSED_MESSAGE,
            state=_status,
        )
        for name in ("sign", "return")
    ],
    Row(
        "answer",
        TRANSITION,
        "cases_admin:case_review",
        sees(REGULATORS),
        args=lambda a: (a.complaint_id, a.pk),
        method="post",
        data={},
        denial=REFUSED_MESSAGE,
        state=_status,
    ),
    Row(
        "extension",
        TRANSITION,
        "cases_admin:case_decide_extension",
        sees(OFFICIALS),
        args=lambda e: (e.complaint_id, e.pk),
        method="post",
        data={},
        denial=REFUSED_MESSAGE,
        state=_status,
    ),
    # Lists: the workbench queues and the staff search, each within the user's scope. A queue
    # is shown to those who work cases (cases.admin.workbench.TABS): regulator staff and
    # company staff; "to sign for" to the receiving units (inspectors, companies), "awaiting
    # follow-up" to regulator staff. Others are refused the queue (403 → Wagtail's redirect).
    # The workbench home opens the first queue; without one it is an empty page.
    Row(
        "complaint",
        LIST,
        "cases_admin:workbench",
        sees(REGULATORS, COMPANIES, opens("committee_x", "evaluator_x", "association")),
        args=lambda o: (),
        listing=True,
        own_required=False,
    ),
    *[
        Row(
            "complaint",
            LIST,
            f"cases_admin:{name}",
            who,
            args=lambda o: (),
            listing=True,
            own_required=False,
        )
        for name, who in (
            ("workbench_queue", sees(REGULATORS, COMPANIES)),
            ("workbench_to_sign", sees({"inspector_d1": {1}, "inspector_d2": {2}}, COMPANIES)),
            ("workbench_due_soon", sees(REGULATORS, COMPANIES)),
            ("workbench_overdue", sees(REGULATORS, COMPANIES)),
            ("workbench_follow_up", sees(REGULATORS)),
        )
    ],
    # The returns awaiting a ruling: officials' (the world has none pending; which returns
    # each official sees is tests/cases/test_workbench.py's).
    Row(None, LIST, "cases_admin:workbench_returns", opens("official_d1", "admin")),
    # POST only; officials choose the cases (an empty choice is sent back with a message).
    Row(
        None,
        CHANGE,
        "cases_admin:workbench_bulk_dispatch",
        opens("official_d1", "admin"),
        method="post",
        data={},
    ),
    Row(
        "complaint",
        SEARCH,
        "complaint_search",
        CASE_VIEWERS,
        args=lambda o: (),
        listing=True,
    ),
    *[
        Row(
            "complaint",
            EXPORT,
            "complaint_search_export",
            CASE_VIEWERS,
            args=lambda o, fmt=fmt: (fmt,),
            listing=True,
            label=f"complaint-export-{fmt}",
        )
        for fmt in ("csv", "xlsx")
    ],
]

# Statistics and monthly reports: regulator staff only, a district its own reports.
STATISTICS_ROWS = [
    Row(None, VIEW, "statistics_dashboard", opens(*REGULATOR_ROLES)),
    Row("report", VIEW, "monthly_report", sees(REGULATORS), file_field="file"),
    Row(
        None,
        TRANSITION,
        "monthly_report_generate",
        opens("official_d1", "admin"),
        method="post",
        data={},
    ),
]

# Users and groups: the administrator's.
USER_ROWS = [
    Row(None, LIST, "wagtailusers_users:index", opens("admin")),
    Row("user", CHANGE, "wagtailusers_users:edit", sees({"admin": {1, 2}})),
    Row(None, LIST, "wagtailusers_groups:index", opens("admin")),
    # The audit trail of every record (Wagtail's site history, portal.security.site_history): the
    # administrator's only; a district's inspector or official would read the other district's
    # penalties and inspections there (it filters by model permission, not by record).
    # Filtered to the entries named by a penalty's number (…罚〔2026〕第001号).
    Row(
        "penalty",
        LIST,
        "site_history_administrators",
        sees({"admin": {1, 2}}),
        args=lambda o: (),
        query="label=%E7%BD%9A",
        listing=True,
        label="audit-site-history",
    ),
]

# Wagtail pages: officials edit; nobody publishes directly (only through the workflow).
PAGE_ROWS = [
    Row("page", CHANGE, "wagtailadmin_pages:edit", sees({"official_d1": {1}})),
    Row("page", VIEW, "wagtailadmin_pages:history", sees({"official_d1": {1}})),
]

# Public answers: the Open311 API and the tracking page --------------------------------------

API_ROWS = [
    # De-identified: anyone reads every public request, never a name, phone or e-mail.
    Row(
        "complaint",
        API,
        "open311:requests",
        {role: frozenset(SIDES) for role in ROLES},
        args=lambda o: (),
        listing=True,
    ),
    Row(
        "complaint",
        API,
        "open311:request",
        {role: frozenset(SIDES) for role in ROLES},
        args=lambda c: (c.tracking_number,),
    ),
]
