"""The demo's owners' supervision (issue 19) on the committee's estate (estates[0]): a few
hundred units with their owners imported through ``enterprises.unit_import`` (some buyers
holding two units, the developer's unsold units marked), last year's work report submitted
and awaiting the committee's review, and one improvement request the company has answered.
Every step goes through its service as the role that acts; a second run adds nothing."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from enterprises import improvement_requests, unit_import, work_reports
from enterprises.models import Estate, ImprovementRequest, Unit, WorkReport

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def _units_file(estate: Estate, rng: random.Random) -> bytes:
    """6 buildings × 2 entrances × 12 floors × 2 rooms; every 9th buyer also holds the next
    unit; the top floor of building 6 is the developer's, unsold."""
    rows = ["楼栋,单元,房号,专有面积,开发商持有,业主姓名,业主电话"]
    units = [
        (building, entrance, f"{floor}{room:02}")
        for building in range(1, 7)
        for entrance in (1, 2)
        for floor in range(1, 13)
        for room in (1, 2)
    ]
    areas = [Decimal(rng.randrange(6000, 14000)) / 100 for _ in units]
    if estate.floor_area and sum(areas) > estate.floor_area:
        scale = estate.floor_area * Decimal("0.9") / sum(areas)
        areas = [(area * scale).quantize(Decimal("0.01")) for area in areas]
    owner = None
    for number, ((building, entrance, room), area) in enumerate(zip(units, areas, strict=True)):
        if building == 6 and room.startswith("12"):
            rows.append(f"{building},{entrance},{room},{area},是,,")
            continue
        if owner is None or number % 9 != 1:  # the 9th buyer keeps the next unit too
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            owner = (name, f"139{rng.randrange(10**8):08}")
        rows.append(f"{building},{entrance},{room},{area},否,{owner[0]},{owner[1]}")
    return ("\n".join(rows) + "\n").encode()


def seed_owners(committee, company_staff, estate: Estate, rng: random.Random, write) -> None:
    if not Unit.objects.filter(estate=estate).exists():
        report = unit_import.import_units(
            _units_file(estate, rng), actor=committee, estate=estate, file_name="demo-units.csv"
        )
        if not report.ok:
            raise RuntimeError(f"demo units refused: {[str(e) for e in report.errors]}")
        write(f"owners: {report.units} units and {report.owners} owners of {estate.name}")
    period = str(timezone.localdate().year - 1)
    if not WorkReport.objects.filter(estate=estate, period=period).exists():
        draft = work_reports.create_report(
            actor=company_staff,
            estate=estate,
            period=period,
            services_delivered="全年保洁每日两次，秩序维护24小时值守，电梯月度维保12次。",
            next_plan="更换3号楼电梯钢丝绳；地下车库照明改造。",
            major_matters="6月暴雨致地下车库进水，已排水并加装挡水板。",
            budget_lines=[
                {"item": "保洁", "planned": "360000", "actual": "352400"},
                {"item": "秩序维护", "planned": "480000", "actual": "491200"},
                {"item": "绿化养护", "planned": "120000", "actual": "98000"},
                {"item": "设施设备维修", "planned": "200000", "actual": "236500"},
            ],
        )
        work_reports.submit_report(draft, actor=company_staff)
        write(f"owners: the {period} work report of {estate.name} awaits the committee's review")
    if not ImprovementRequest.objects.filter(estate=estate).exists():
        request = improvement_requests.send_request(
            actor=committee,
            estate=estate,
            text="2号楼地下车库照明多处损坏，夜间存在安全隐患，请于两周内修复。",
            deadline=timezone.localdate() + datetime.timedelta(days=14),
        )
        improvement_requests.answer_request(
            request, actor=company_staff, answer="已采购灯具，计划下周完成更换。"
        )
        write("owners: one improvement request answered by the company, for the committee")
