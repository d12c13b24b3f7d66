"""Rows of the permission table for the owners' supervision screens of issue 19: units and
owners, work reports and improvement requests. Each side's estate has units, a submitted work
report, a draft and an answered improvement request. The regulator reads its district's
(drafts excepted), a company the estates it manages, the committee its estate; evaluators
and the association see none. The committee and officials import units; the company writes
and submits reports and answers requests; the committee reviews, sends, accepts, escalates.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds its records to the world.
"""

from tests.security.permission_table import (
    CHANGE,
    COMMITTEE_X,
    COMPANIES,
    LIST,
    OFFICIALS,
    REGULATORS,
    SIDES,
    TRANSITION,
    VIEW,
    Row,
    _status,
    opens,
    sees,
)

READERS = sees(REGULATORS, COMPANIES, COMMITTEE_X)
SCREEN_USERS = ("company_a", "company_b", "committee_x", "inspector_d1", "inspector_d2")
SCREEN_USERS += ("official_d1", "admin")


def build(world, district, estates) -> None:
    import datetime

    from django.utils import timezone

    from enterprises import work_reports
    from enterprises.models import ImprovementRequest, Owner, RequestStatus, Unit

    staff = {1: world.users["company_a"], 2: world.users["company_b"]}
    reports, drafts, requests = {}, {}, {}
    for side in SIDES:
        estate = estates[side]
        owner = Owner.objects.create(estate=estate, name=f"MK-OWNER-{side}")
        Unit.objects.create(estate=estate, building="1", room="101", exclusive_area=90, owner=owner)
        values = {"next_plan": "计划", "budget_lines": [{"item": "保洁", "planned": "100"}]}
        reports[side] = work_reports.submit_report(
            work_reports.create_report(
                actor=staff[side],
                estate=estate,
                period="2025",
                services_delivered=f"MK-REPORT-{side}",
                **values,
            ),
            actor=staff[side],
        )
        drafts[side] = work_reports.create_report(
            actor=staff[side],
            estate=estate,
            period="2026",
            services_delivered=f"MK-DRAFT-{side}",
            **values,
        )
        requests[side] = ImprovementRequest.objects.create(
            estate=estate,
            company=estate.managing_company,
            text=f"MK-REQUEST-{side}",
            deadline=timezone.localdate() + datetime.timedelta(days=10),
            status=RequestStatus.ANSWERED,
            answer="已处理",
            answered_at=timezone.now(),
        )
    world.objects["units"] = dict(estates)
    world.markers["units"] = {side: f"MK-OWNER-{side}" for side in SIDES}
    world.objects["work_report"], world.objects["work_report_draft"] = reports, drafts
    world.markers["work_report"] = {side: f"MK-REPORT-{side}" for side in SIDES}
    world.markers["work_report_draft"] = {side: f"MK-DRAFT-{side}" for side in SIDES}
    world.objects["improvement_request"] = requests
    world.markers["improvement_request"] = {side: f"MK-REQUEST-{side}" for side in SIDES}


IMPORTERS = sees(OFFICIALS, COMMITTEE_X)

ROWS = [
    Row("units", LIST, "units:index", READERS, args=lambda o: (), listing=True),
    Row("units", VIEW, "units:estate", READERS),
    Row("units", CHANGE, "units:import", IMPORTERS, shows_marker=False),
    Row(None, VIEW, "units:import_template", opens(*SCREEN_USERS), args=lambda o: ()),
    Row("work_report", LIST, "work_reports:index", READERS, args=lambda o: (), listing=True),
    Row("work_report", VIEW, "work_reports:report", READERS),
    Row(None, CHANGE, "work_reports:new", opens("company_a", "company_b"), args=lambda o: ()),
    Row("work_report_draft", CHANGE, "work_reports:edit", COMPANIES, shows_marker=False),
    Row(
        "work_report_draft",
        TRANSITION,
        "work_reports:submit",
        COMPANIES,
        method="post",
        state=_status,
    ),
    Row(
        "work_report",
        TRANSITION,
        "work_reports:review",
        COMMITTEE_X,
        method="post",
        data={"outcome": "accepted", "opinion": "MK-OPINION"},
        state=_status,
    ),
    Row(
        "improvement_request",
        LIST,
        "improvement_requests:index",
        READERS,
        args=lambda o: (),
        listing=True,
    ),
    Row("improvement_request", VIEW, "improvement_requests:request", READERS),
    Row(None, CHANGE, "improvement_requests:new", opens("committee_x"), args=lambda o: ()),
    Row(
        "improvement_request",
        TRANSITION,
        "improvement_requests:answer",
        COMPANIES,
        method="post",
        data={"answer": "MK-ANSWER"},
        state=_status,
    ),
    Row(
        "improvement_request",
        TRANSITION,
        "improvement_requests:accept",
        COMMITTEE_X,
        method="post",
        state=_status,
    ),
    Row(
        "improvement_request",
        TRANSITION,
        "improvement_requests:escalate",
        COMMITTEE_X,
        method="post",
        data={"note": "MK-NOTE"},
        state=_status,
    ),
]

VIEWERS = {
    "units": READERS,
    "work_report": READERS,
    "work_report_draft": COMPANIES,
    "improvement_request": READERS,
}

NOT_OBJECT_SCOPED: dict[str, str] = {}

NOT_YET_COVERED: dict[str, str] = {}
