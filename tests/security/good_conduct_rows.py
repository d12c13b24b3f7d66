"""Good conduct declarations' and training sessions' rows of the permission table (issue 20):
a company sees and adds its own, the regulator of its district reads them and an official
verifies or rejects a declaration; committees and evaluators see neither.

Listed in ``permission_table.ROW_MODULES``; ``build`` adds one declaration and one training
session per side, made by that side's company staff.
"""

from tests.security.permission_table import (
    CHANGE,
    COMPANIES,
    EXPORT,
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

READERS = sees(REGULATORS, COMPANIES)
SCREENS = {"good_conduct": "register_good_conduct", "training": "register_training"}


def build(world, district, estates) -> None:
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from enterprises import good_conduct
    from portal.demo.files import pdf_bytes

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    claims, sessions = {}, {}
    for side, staff in ((1, "company_a"), (2, "company_b")):
        company = estates[side].managing_company
        claims[side] = good_conduct.declare_good_conduct(
            actor=world.users[staff],
            company=company,
            kind="award",
            title=f"MK-GOOD-{side}",
            description="区级文明物业项目",
            occurred_on=yesterday,
            evidence=SimpleUploadedFile("award.pdf", pdf_bytes(), "application/pdf"),
        )
        sessions[side] = good_conduct.record_training(
            actor=world.users[staff],
            company=company,
            held_on=yesterday,
            topic=f"MK-TRAIN-{side}",
            hours=2,
            staff_count=12,
        )
    world.objects["good_conduct"], world.objects["training"] = claims, sessions
    world.markers["good_conduct"] = {side: f"MK-GOOD-{side}" for side in SIDES}
    world.markers["training"] = {side: f"MK-TRAIN-{side}" for side in SIDES}


def _rows(kind: str, ns: str) -> list[Row]:
    return [
        Row(kind, LIST, f"{ns}:index", READERS, args=lambda o: (), listing=True),
        Row(
            kind,
            EXPORT,
            f"{ns}:index",
            READERS,
            args=lambda o: (),
            query="export=csv",
            listing=True,
            label=f"{kind}-export-csv",
        ),
        Row(kind, VIEW, f"{ns}:inspect", READERS),
        Row(kind, VIEW, f"{ns}:history", READERS, shows_marker=False),
        Row(kind, VIEW, f"{ns}:usage", {}, shows_marker=False),
        Row(kind, CHANGE, f"{ns}:edit", {}, shows_marker=False),
        Row(kind, CHANGE, f"{ns}:delete", {}),
        Row(None, CHANGE, f"{ns}:add", opens("company_a", "company_b"), label=f"{kind}-add"),
    ]


ROWS = [
    *_rows("good_conduct", SCREENS["good_conduct"]),
    *_rows("training", SCREENS["training"]),
    Row(
        "good_conduct",
        VIEW,
        "register_good_conduct:file",
        READERS,
        args=lambda o: (o.pk, "evidence"),
        shows_marker=False,
        file_field="evidence",
    ),
    *[
        Row(
            "good_conduct",
            TRANSITION,
            f"register_good_conduct:{name}",
            sees(OFFICIALS),
            method="post",
            data={},
            state=_status,
            shows_marker=False,
        )
        for name in ("verify", "reject_claim")
    ],
]
VIEWERS = {"good_conduct": READERS, "training": READERS}
NOT_OBJECT_SCOPED: dict[str, str] = {}
NOT_YET_COVERED: dict[str, str] = {}
