"""Rows of the permission table for the good records of issue 20: good conduct declarations
and training sessions (a company sees and adds its own, the regulator of its district reads
them and an official verifies or rejects a declaration), and the industry association's peer
reviews and honours (the association records and sees all, the regulator its district's, a
company its own); committees and evaluators see none of them.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds one of each per side.
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
ASSOCIATION_READERS = sees(REGULATORS, COMPANIES, {"association": {1, 2}})
SCREENS = {
    "good_conduct": "register_good_conduct",
    "training": "register_training",
    "peer_review": "register_peer_reviews",
    "honour": "register_honours",
}


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
    from enterprises import association

    reviews, honours = {}, {}
    for side in SIDES:
        company = estates[side].managing_company
        reviews[side] = association.record_peer_review(
            actor=world.users["association"],
            company=company,
            period=f"20{20 + side}",
            score="91.5",
            report=SimpleUploadedFile("review.pdf", pdf_bytes(), "application/pdf"),
        )
        honours[side] = association.record_honour(
            actor=world.users["association"],
            company=company,
            title=f"MK-HONOUR-{side}",
            awarded_on=yesterday,
            awarded_by="市物业管理协会",
        )
    world.objects["peer_review"], world.objects["honour"] = reviews, honours
    world.markers["honour"] = {side: f"MK-HONOUR-{side}" for side in SIDES}
    world.objects["good_conduct"], world.objects["training"] = claims, sessions
    world.markers["good_conduct"] = {side: f"MK-GOOD-{side}" for side in SIDES}
    world.markers["training"] = {side: f"MK-TRAIN-{side}" for side in SIDES}


def _rows(kind: str, ns: str, readers=READERS, adders=("company_a", "company_b")) -> list[Row]:
    return [
        Row(kind, LIST, f"{ns}:index", readers, args=lambda o: (), listing=True),
        Row(
            kind,
            EXPORT,
            f"{ns}:index",
            readers,
            args=lambda o: (),
            query="export=csv",
            listing=True,
            label=f"{kind}-export-csv",
        ),
        Row(kind, VIEW, f"{ns}:inspect", readers),
        Row(kind, VIEW, f"{ns}:history", readers, shows_marker=False),
        Row(kind, VIEW, f"{ns}:usage", {}, shows_marker=False),
        Row(kind, CHANGE, f"{ns}:edit", {}, shows_marker=False),
        Row(kind, CHANGE, f"{ns}:delete", {}),
        Row(None, CHANGE, f"{ns}:add", opens(*adders), label=f"{kind}-add"),
    ]


ROWS = [
    *_rows("good_conduct", SCREENS["good_conduct"]),
    *_rows("training", SCREENS["training"]),
    *_rows("peer_review", SCREENS["peer_review"], ASSOCIATION_READERS, ("association",)),
    *_rows("honour", SCREENS["honour"], ASSOCIATION_READERS, ("association",)),
    Row(
        "peer_review",
        VIEW,
        "register_peer_reviews:file",
        ASSOCIATION_READERS,
        args=lambda o: (o.pk, "report"),
        shows_marker=False,
        file_field="report",
    ),
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
VIEWERS = {
    "good_conduct": READERS,
    "training": READERS,
    "peer_review": ASSOCIATION_READERS,
    "honour": ASSOCIATION_READERS,
}
# Wagtail's listings answer their filter requests from a second URL of the same view.
SAME_VIEW_AS = {
    f"{ns}:{part}_results": f"{ns}:{part}"
    for ns in SCREENS.values()
    for part in ("index", "history")
}
NOT_OBJECT_SCOPED: dict[str, str] = {}
NOT_YET_COVERED: dict[str, str] = {}
