"""Every row of the permission matrix: the base table's and each newer screen's module.

A screen added since the base table keeps its rows in its own module (``ROWS``, ``VIEWERS``,
``NOT_OBJECT_SCOPED``, ``NOT_YET_COVERED``, optionally ``SAME_VIEW_AS``, and
``build(world, district, estates)`` adding its records to the world), listed here once.
"""

# Screens added since: one module each with ROWS, VIEWERS, NOT_OBJECT_SCOPED, NOT_YET_COVERED
# and ``build(world, district, estates)`` adding its records to the world.
from tests.security import (
    citizen_phone_rows,
    committee_rows,
    consultation_rows,
    contract_version_rows,
    evaluator_rows,
    good_conduct_rows,
    handover_rows,
    intake_rows,
    operations_rows,
    owners_rows,
    penalty_process_rows,
    people_rows,
    public_site_rows,
    retriage_rows,
    returns_rows,
    self_inspection_rows,
    staff_import_rows,
    survey_rows,
    tier_rows,
    vote_rows,
)
from tests.security.permission_table import (
    API_ROWS,
    CASE_ROWS,
    COMPANY_EXTRA_ROWS,
    PAGE_ROWS,
    REGISTER_ROWS,
    STATISTICS_ROWS,
    USER_ROWS,
    VIEWERS,
    VIEWSETS,
    Row,
)

ROW_MODULES = (people_rows, handover_rows, evaluator_rows, staff_import_rows, committee_rows)
ROW_MODULES += (public_site_rows, contract_version_rows)
ROW_MODULES += (operations_rows,)
ROW_MODULES += (good_conduct_rows,)
ROW_MODULES += (intake_rows,)
ROW_MODULES += (citizen_phone_rows,)
ROW_MODULES += (penalty_process_rows,)
ROW_MODULES += (returns_rows,)
ROW_MODULES += (owners_rows,)
ROW_MODULES += (survey_rows,)
ROW_MODULES += (tier_rows,)
ROW_MODULES += (consultation_rows,)
ROW_MODULES += (vote_rows,)
ROW_MODULES += (self_inspection_rows,)
ROW_MODULES += (retriage_rows,)
for _module in ROW_MODULES:
    VIEWERS |= _module.VIEWERS
ROWS: list[Row] = [
    *REGISTER_ROWS,
    *COMPANY_EXTRA_ROWS,
    *CASE_ROWS,
    *STATISTICS_ROWS,
    *USER_ROWS,
    *PAGE_ROWS,
    *API_ROWS,
    *[row for module in ROW_MODULES for row in module.ROWS],
]

# URLs of our apps that hold no record of one side or the other: the completeness test
# accepts them without a row. Each says why.
NOT_OBJECT_SCOPED = {
    "healthz": "liveness probe, no data",
    "wagtail_serve": (
        "Wagtail's own page view (portal.site.routing only fills its per-request memos): "
        "the pages' view restrictions apply as Wagtail checks them; the public pages' tests"
    ),
    "readiness": "readiness probe: when a worker last started a task and counts of waiting work",
    "open311:services": "the public list of complaint categories",
    "open311:service-definition": "one public category",
    "open311:openapi": "the API's schema",
    "open311:": "unknown API paths and XML: standard error bodies",
    "open_data": "the public open data page (de-identified, checked in tests/cases)",
    "open_data_file": "the public de-identified files (tests/cases/test_opendata.py)",
    # Case files: 404 unless the case is in scope (tests/cases/test_attachments.py); the
    # world has no files, so a guessed id is checked by the IDOR cells instead.
    "cases_admin:case_photo": "photo of a case: same scope as the case page",
    "cases_admin:attachment": "attachment of a case: same scope as the case page",
    "second_factor_verify": "the signed-in user's own second factor, no record of a side",
    "second_factor_enrol": "the signed-in user's own second factor, no record of a side",
    "wagtailusers_users:add": (
        "Wagtail's add-user screen, sending whoever may add users to People's invitation "
        "(tests/portal/test_users_screens.py); no record of a side"
    ),
    # Administrator settings without a district or company side.
    **{
        f"{ns}:{view}": "administrator's settings, no side"
        for ns in ("sla_rules", "calendar_overrides")
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
    },
}

# The results fragment of a list or history: the same view class on the same scoped queryset
# as its page, which has a row.
SAME_VIEW_AS = {
    f"{ns}:{part}_results": f"{ns}:{part}"
    for ns in VIEWSETS.values()
    for part in ("index", "history")
} | {"site_history_administrators_results": "site_history_administrators"}

# Not yet covered: related files (``<pk>/file/<relation>/<file_pk>/``, an inspection's photos)
# need files the world does not hold; tests/enterprises/test_protected_files.py checks them.
NOT_YET_COVERED = {
    f"{ns}:file": "related files of the record"
    for ns in (
        "register_companies",
        "register_estates",
        "register_licences",
        "supervision_inspections",
        "supervision_orders",
    )
}
for _module in ROW_MODULES:
    NOT_OBJECT_SCOPED |= _module.NOT_OBJECT_SCOPED
    NOT_YET_COVERED |= _module.NOT_YET_COVERED
    SAME_VIEW_AS |= getattr(_module, "SAME_VIEW_AS", {})
