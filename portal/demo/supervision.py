"""The supervision loop of the demo city 青岚市, for ``manage.py seed_demo``: a checklist tied
to the 2026 service standard, a published random draw with its planned spot checks, completed
inspections with failed items, rectification orders in every state (one overdue), penalties
in every state (one published on the public site), and the public draw results page.

Everything goes through the supervision modules, as a person would do it, so the audit trail
and the credit records are real. Idempotent: a second run finds the demo checklist and adds
nothing.
"""

import datetime as dt
import io
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cases import checklists, draws, inspections, penalties, rectification
from cases.models import ChecklistTemplate, InspectionKind, PenaltyKind
from enterprises.models import StaffProfile
from foundation.roles import Role

CHECKLIST = "住宅物业服务检查表（演示）"
SEED = "qinglan-2026-demo-draw"
# (number, clause of the 2026 standard, dimension, requirement, weight)
ITEMS = [
    ("1", "1.1", "basic_management", "公示服务内容、收费标准及公共收益收支", 15),
    ("2", "2.1", "cleaning", "公共区域每日清扫，无积存垃圾", 20),
    ("3", "3.1", "greening", "绿地养护及时，无枯死、斑秃", 15),
    ("4", "4.2", "public_order", "按规定频次巡查并有记录", 15),
    ("5", "5.2", "facility_maintenance", "二次供水设施定期清洗消毒", 20),
    ("6", "6.1", "customer_service", "投诉24小时内响应并回访", 15),
]
EXTRA_INSPECTORS = [("inspector_wang", "王", "检查"), ("inspector_li", "李", "检查")]


def _photo(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _inspectors(district, inspector) -> list:
    """The demo inspector and two colleagues of the same district (who cannot sign in)."""
    team = [inspector]
    group = Group.objects.get(name=Role.INSPECTOR.value)
    for username, last, first in EXTRA_INSPECTORS:
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"last_name": last, "first_name": first}
        )
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(group)
        StaffProfile.objects.update_or_create(
            user=user, defaults={"district": district, "company": None, "estate": None}
        )
        team.append(user)
    return team


def _checklist(official) -> ChecklistTemplate:
    from portal.models import StandardPage

    standard = StandardPage.objects.filter(slug="residential-2026").first()
    items = [
        {
            "number": number,
            "text": text,
            "dimension": dimension,
            "weight": weight,
            **({"standard": standard, "clause": clause} if standard else {}),
        }
        for number, clause, dimension, text, weight in ITEMS
    ]
    return checklists.create_checklist(CHECKLIST, items, actor=official)


def _inspect(inspection, team, failures: dict[str, str], findings: str) -> None:
    """Start, score every item (``failures``: item number → finding) and complete."""
    inspections.start_inspection(inspection, actor=team[0])
    for item in inspection.checklist.items.all():
        failed = item.number in failures
        inspections.score_item(
            inspection, item, actor=team[0], passed=not failed, note=failures.get(item.number, "")
        )
    inspections.complete_inspection(inspection, actor=team[1], findings=findings)


def seed_supervision(users: dict, estates: list, write: Callable[[str], object]) -> None:
    """Checklist, draw, inspections, orders and penalties; nothing when already there."""
    if ChecklistTemplate.objects.filter(name=CHECKLIST).exists():
        write("supervision: already there, none added")
        return
    official, inspector = users["official"], users["inspector"]
    company_user = users["company"]
    district = inspector.staff_profile.district
    team = _inspectors(district, inspector)
    checklist = _checklist(official)
    today = timezone.localdate()
    local = [e for e in estates if e.district_id == district.pk]
    own = next(e for e in local if e.managing_company_id == company_user.staff_profile.company_id)

    # 双随机: three estates of the district, weighted by risk, published, spot checks planned.
    draw = draws.make_draw(
        actor=official, target_kind="estate", count=3, district=district,
        weighted_by_risk=True, seed=SEED,
    )  # fmt: skip
    draws.publish_draw(draw, actor=official)
    draws.plan_drawn_inspections(
        draw, actor=official, checklist=checklist, planned_on=today + dt.timedelta(days=3)
    )

    # A routine inspection of the demo company's estate with two failed items.
    routine = inspections.plan_inspection(
        actor=official, estate=own, kind=InspectionKind.ROUTINE, checklist=checklist,
        inspectors=team[:2], planned_on=today - dt.timedelta(days=12),
    )  # fmt: skip
    _inspect(
        routine,
        team,
        {"2": "3号楼、5号楼楼道连续两日未清扫", "5": "二次供水水箱清洗记录缺失"},
        "保洁和二次供水管理不到位，需限期整改。",
    )
    cleaning = rectification.issue_order(
        actor=inspector, company=own.managing_company, estate=own, inspection=routine,
        requirements="恢复公共区域每日清扫，并提交保洁排班表。",
        deadline=today + dt.timedelta(days=7),
    )  # fmt: skip
    rectification.submit_rectification(
        cleaning, actor=company_user,
        response="已恢复每日清扫并增派两名保洁员，附排班表和现场照片。",
        files=[_photo("cleaning.jpg")],
    )  # fmt: skip
    rectification.verify_order(cleaning, actor=inspector, note="复查合格。")
    water = rectification.issue_order(
        actor=inspector, company=own.managing_company, estate=own, inspection=routine,
        requirements="清洗消毒二次供水水箱，提交水质检测报告。", deadline=today,
    )  # fmt: skip
    rectification.acknowledge_order(water, actor=company_user)
    overdue = rectification.flag_overdue_orders(now=timezone.now() + dt.timedelta(days=1))

    # Another estate of the district: an order still open, and penalties in every state.
    other = next((e for e in local if e != own and e.managing_company_id), own)
    second = inspections.plan_inspection(
        actor=official, estate=other, kind=InspectionKind.ROUTINE, checklist=checklist,
        inspectors=team[1:], planned_on=today - dt.timedelta(days=5),
    )  # fmt: skip
    _inspect(second, team[1:], {"1": "未公示公共收益收支情况"}, "未按规定公示。")
    rectification.issue_order(
        actor=team[1], company=other.managing_company, estate=other, inspection=second,
        requirements="在小区公告栏和本平台公示2026年第三季度公共收益收支。",
        deadline=today + dt.timedelta(days=14),
    )  # fmt: skip
    fine = penalties.propose_penalty(
        actor=inspector, company=own.managing_company, estate=own, inspection=routine,
        kind=PenaltyKind.FINE, fine_amount=2000,
        violation="二次供水设施未按规定清洗消毒，经责令整改逾期未改正。",
        legal_basis="《青岚市物业管理条例》第五十八条",
    )  # fmt: skip
    penalties.approve_penalty(fine, actor=official, decision="罚款人民币贰仟元，责令限期改正。")
    penalties.serve_penalty(fine, actor=official)
    penalties.record_execution(fine, actor=official)
    penalties.publish_penalty(fine, actor=official)
    penalties.propose_penalty(
        actor=inspector, company=other.managing_company, estate=other, inspection=second,
        kind=PenaltyKind.WARNING, violation="未按规定公示公共收益收支情况。",
        legal_basis="《物业管理条例》第四十条",
    )  # fmt: skip
    write(
        f"supervision: checklist {checklist}, draw of {len(draw.result)} estates (seed {SEED}), "
        f"2 inspections completed, 3 orders ({overdue} overdue), 2 penalties (1 published)"
    )


def seed_draw_page(write: Callable[[str], object]) -> None:
    """The public pages of the published draws and of the statistics, under the home page."""
    from portal.models import DrawResultsPage, HomePage, StatisticsPage

    home = HomePage.objects.first()
    if home is None:
        return
    pages = [
        DrawResultsPage(
            title="双随机抽查公示",
            slug="random-checks",
            intro="<p>检查对象和检查人员均随机抽取，抽取结果在此公示，附抽取池和随机种子，任何人都可复核。</p>",
        ),
        StatisticsPage(
            title="统计数据",
            slug="statistics",
            intro="<p>全市物业服务投诉的汇总统计，每日更新缓存。</p>",
        ),
    ]
    for page in pages:
        if type(page).objects.exists():
            continue
        home.add_child(instance=page)
        page.save_revision().publish()
        write(f"pages: {page.title} at {page.url}")
