"""The world the permission matrix runs in: the cast of ten roles and one record of every
kind on each side of every boundary (side 1: district 1, company A, estate X; side 2:
district 2, company B, estate Y). Built once per test module; the records that matter for
the matrix carry a unique marker in their text so a response can be searched for them.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from wagtail.models import Locale, Page, Site

from cases import (
    answers,
    checklists,
    clock,
    dispatch,
    draws,
    inspections,
    penalties,
    rectification,
    workflow,
)
from cases.models import Campaign, Category, InspectionKind, PenaltyKind
from cases.services import submit_complaint
from enterprises import access
from enterprises.models import CreditAppeal, CreditRecord, Disclosure, Licence
from enterprises.models.evaluations import DIMENSIONS
from foundation.roles import Role
from portal.models import ComplaintPage, HomePage, NoticeIndexPage, NoticePage, TrackingPage
from portal.site.moderation import ensure_moderation
from tests.factories import DistrictFactory, EstateFactory, make_user
from tests.security.all_rows import ROW_MODULES
from tests.security.permission_table import ROLES, SIDES

TODAY = timezone.localdate()
# Complainant contact details: shown in clear only to regulator staff holding the permission.
CONTACTS = {
    1: {"name": "欧阳明月", "phone": "13811112222", "email": "mk-one@complainant.test"},
    2: {"name": "司马青山", "phone": "13933334444", "email": "mk-two@complainant.test"},
}
MASKED_PHONE = {1: "138****2222", 2: "139****4444"}
PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role name -> user
    objects: dict = field(default_factory=dict)  # kind -> {side: object}
    markers: dict = field(default_factory=dict)  # kind -> {side: text}
    access_codes: dict = field(default_factory=dict)  # side -> the complaint's access code
    pages: dict = field(default_factory=dict)

    def obj(self, kind: str, side: int):
        return self.objects[kind][side]


def _cast(world: World, district, estates) -> None:
    u = world.users
    u["citizen"] = make_user("mx_citizen", Role.CITIZEN)
    for side, role in ((1, "company_a"), (2, "company_b")):
        u[role] = make_user(f"mx_{role}", None)
        access.grant_company_staff(u[role], estates[side].managing_company)
    u["committee_x"] = make_user("mx_committee_x", None)
    access.grant_committee_member(u["committee_x"], estates[1])
    u["evaluator_x"] = make_user("mx_evaluator_x", None)
    access.engage_evaluator(u["evaluator_x"], estates[1])
    u["association"] = make_user("mx_association", Role.ASSOCIATION)
    u["inspector_d1"] = make_user("mx_inspector_d1", Role.INSPECTOR, district=district[1])
    u["inspector_d2"] = make_user("mx_inspector_d2", Role.INSPECTOR, district=district[2])
    u["official_d1"] = make_user("mx_official_d1", Role.OFFICIAL, district=district[1])
    u["admin"] = make_user("mx_admin", Role.ADMINISTRATOR)
    u["anonymous"] = None
    assert set(u) == set(ROLES)


def _complaints(world: World, estates, helpers) -> None:
    admin = world.users["admin"]
    world.objects["complaint"], world.objects["dispatch"] = {}, {}
    for side in SIDES:
        contact = CONTACTS[side]
        receipt = submit_complaint(
            actor=None,
            category=Category.FACILITIES,
            description=f"电梯停运三天 MK-CASE-{side}，请联系 {contact['phone']}",
            contact_phone=contact["phone"],
            contact_name=contact["name"],
            contact_email=contact["email"],
            estate=estates[side],
            estate_name=estates[side].name,
            photos=[],
        )
        complaint = receipt.complaint
        workflow.accept_case(complaint, actor=admin)
        dispatch.dispatch_case(
            complaint,
            actor=admin,
            inspector=world.users[f"inspector_d{side}"],
            company=estates[side].managing_company,
        )
        company_staff = world.users["company_a" if side == 1 else "company_b"]
        dispatch.sign_dispatch(complaint.dispatches.get(company__isnull=False), actor=company_staff)
        complaint.refresh_from_db()
        o = world.objects
        o["complaint"][side] = complaint
        # The inspector's dispatch still awaits its signature (sign / return rows).
        o["dispatch"][side] = complaint.dispatches.get(inspector__isnull=False)
        o.setdefault("answer", {})[side] = answers.submit_answer(
            complaint, actor=company_staff, text=f"MK-ANSWER-{side}"
        )
        o.setdefault("extension", {})[side] = clock.request_extension(
            complaint, actor=company_staff, working_days=3, reason="等待配件"
        )
        world.access_codes[side] = receipt.access_code
    world.markers["complaint"] = {s: world.obj("complaint", s).tracking_number for s in SIDES}


def _register(world: World, estates, helpers) -> None:
    o = world.objects
    for kind in ("licence", "contract", "disclosure", "evaluation", "credit", "appeal"):
        o[kind] = {}
    o["company"] = {s: estates[s].managing_company for s in SIDES}
    o["estate"] = dict(estates)
    for side in SIDES:
        company, estate = o["company"][side], estates[side]
        o["licence"][side] = Licence.objects.create(
            company=company, scope=f"住宅物业 MK-LIC-{side}"
        )
        o["contract"][side] = company.contracts.create(
            estate=estate,
            starts_on=TODAY,
            ends_on=TODAY + datetime.timedelta(days=365),
            service_level="2",
            fee_per_sqm_month="2.50",
            document="contracts/matrix.pdf",
        )
        o["disclosure"][side] = Disclosure.objects.create(
            company=company, estate=estate, kind="fees", period="2026", body=f"MK-DIS-{side}"
        )
        o["evaluation"][side] = estate.evaluations.create(
            company=company,
            evaluator=helpers["evaluator"][side],
            evaluator_kind="third_party",
            period="2025-Q4",
            **dict.fromkeys(DIMENSIONS, 85),
        )
        o["credit"][side] = CreditRecord.objects.create(
            company=company,
            kind="complaint",
            points=-2,
            explanation=f"MK-CREDIT-{side}",
            source_label=f"MK-CREDIT-{side}",
            source_key=f"matrix:{side}",
            occurred_on=TODAY,
            valid_until=TODAY + datetime.timedelta(days=365),
        )
        o["appeal"][side] = CreditAppeal.objects.create(
            record=o["credit"][side], reason=f"MK-APPEAL-{side}"
        )


def _supervision(world: World, district, estates, helpers) -> None:
    o, admin = world.objects, world.users["admin"]
    checklist = checklists.create_checklist(
        "MK-CHECKLIST",
        [{"number": "1.1", "text": "合同公示", "dimension": "basic_management", "weight": 10}],
        actor=admin,
    )
    o["checklist"] = {1: checklist}
    for kind in ("campaign", "inspection", "order", "penalty", "draw", "report"):
        o[kind] = {}
    for side in SIDES:
        team = [world.users[f"inspector_d{side}"], helpers["inspector"][side]]
        o["campaign"][side] = Campaign.objects.create(
            name=f"MK-CAMPAIGN-{side}",
            starts_on=TODAY,
            ends_on=TODAY + datetime.timedelta(days=30),
            district=district[side],
        )
        o["inspection"][side] = inspections.plan_inspection(
            actor=admin,
            estate=estates[side],
            kind=InspectionKind.ROUTINE,
            checklist=checklist,
            inspectors=team,
            planned_on=TODAY + datetime.timedelta(days=7),
        )
        o["order"][side] = rectification.issue_order(
            actor=admin,
            company=o["company"][side],
            estate=estates[side],
            requirements=f"MK-ORDER-{side}",
            deadline=TODAY + datetime.timedelta(days=30),
        )
        penalty = penalties.propose_penalty(
            actor=helpers["inspector"][side],
            company=o["company"][side],
            estate=estates[side],
            kind=PenaltyKind.WARNING,
            violation=f"MK-PENALTY-{side}",
            legal_basis="《物业管理条例》",
        )
        penalty = penalties.approve_penalty(penalty, actor=admin, decision="警告")
        o["penalty"][side] = penalties.serve_penalty(penalty, actor=admin)
        o["draw"][side] = draws.make_draw(
            actor=admin, target_kind="estate", count=1, district=district[side], seed=f"mk{side}"
        )
    world.markers.update(
        {
            kind: {s: f"MK-{label}-{s}" for s in SIDES}
            for kind, label in (
                ("campaign", "CAMPAIGN"),
                ("order", "ORDER"),
                ("penalty", "PENALTY"),
            )
        }
    )


def _reports(world: World, district) -> None:
    from search.models import MonthlyReport

    world.objects["report"] = {}
    for side in SIDES:
        # The file itself is stored by the test that downloads it (into its own media folder).
        report = MonthlyReport.objects.create(
            district=district[side],
            month=TODAY.replace(day=1),
            generated_at=timezone.now(),
            file=f"reports/matrix-{side}.pdf",
        )
        world.objects["report"][side] = report


def _pages(world: World) -> None:
    Locale.objects.get_or_create(language_code="zh-hans")
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="物业服务监管平台", slug="matrix-home"))
    home.add_child(instance=ComplaintPage(title="我要投诉", slug="complain"))
    tracking = home.add_child(instance=TrackingPage(title="进度查询", slug="track"))
    notices = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    notice = notices.add_child(
        instance=NoticePage(title="MK-NOTICE", slug="mk-notice", date=TODAY, body="<p>通知</p>")
    )
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    ensure_moderation(home)
    world.pages = {"home": home, "tracking": tracking, "notice": notice}


def build_world() -> World:
    world = World()
    district = {
        1: DistrictFactory(code="mx-donghu", name="东湖区"),
        2: DistrictFactory(code="mx-xiling", name="西岭区"),
    }
    estates = {
        1: EstateFactory(name="翠湖花园MKX", district=district[1]),
        2: EstateFactory(name="锦绣苑MKY", district=district[2]),
    }
    for side, label in ((1, "MKA"), (2, "MKB")):
        company = estates[side].managing_company
        company.name = f"{label}物业服务有限公司"
        company.save(update_fields=["name"])
    _cast(world, district, estates)
    for module in ROW_MODULES:
        module.build(world, district, estates)
    helpers = {
        "inspector": {
            s: make_user(f"mx_helper_inspector_{s}", Role.INSPECTOR, district=district[s])
            for s in SIDES
        },
        "evaluator": {1: world.users["evaluator_x"], 2: make_user("mx_evaluator_y", None)},
    }
    access.engage_evaluator(helpers["evaluator"][2], estates[2])
    world.objects["district"] = district
    _complaints(world, estates, helpers)
    _register(world, estates, helpers)
    _supervision(world, district, estates, helpers)
    _reports(world, district)
    _pages(world)
    world.objects["user"] = {1: world.users["company_a"], 2: world.users["company_b"]}
    world.objects["page"] = {1: world.pages["notice"]}
    world.markers.update(
        {
            "company": {s: world.obj("company", s).name for s in SIDES},
            "estate": {s: world.obj("estate", s).name for s in SIDES},
        }
    )
    return world
