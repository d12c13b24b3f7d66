"""Enforcement results (执法结果公示), the two register pages and the site search page of the
demo city 青岚市, for ``manage.py seed_demo``.

Issue 7 will write these rows when a penalty is published; until then the demo seeds a fixed
set across districts, companies and three years so the public pages have something to show.
Deterministic (companies in register order, dates counted back from today) and idempotent: a
second run finds the decision numbers and the pages and adds nothing.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cases.models import EnforcementResult, PenaltyKind
from enterprises.models import Company

DECISION_PREFIX = "青岚住建罚"
ENFORCEMENT_TITLE, ENFORCEMENT_SLUG = "执法结果公示", "enforcement"
DIRECTORY_TITLE, DIRECTORY_SLUG = "企业名录", "companies"
SEARCH_TITLE, SEARCH_SLUG = "站内搜索", "search"
ENFORCEMENT_INTRO = (
    "<p>本栏目公示本局对物业服务企业作出的行政处罚决定，包括违法事实、处罚依据和处罚结果。"
    "公示内容不含任何个人信息。</p>"
)
DIRECTORY_INTRO = (
    "<p>本市登记的物业服务企业名录：资质、在管项目、信用等级及红黑名单、信息公开和执法记录。</p>"
)

# (company index in register order, days ago, kind, fine in yuan, violation, legal basis,
# decision); {estate} is the first estate the company manages.
PLAN = [
    (
        1,
        25,
        PenaltyKind.FINE,
        "30000",
        "{estate}2号楼电梯停运11天，物业服务企业未及时组织维修，也未向业主公告停运原因和修复期限。",
        "《物业管理条例》第三十五条、《青岚市物业管理条例》第五十八条",
        "责令限期改正，处罚款人民币三万元。",
    ),
    (
        3,
        48,
        PenaltyKind.WARNING,
        None,
        "{estate}未在物业服务区域显著位置公示物业服务内容、收费项目和收费标准。",
        "《物业服务收费明码标价规定》第四条、第十二条",
        "警告，责令七日内改正。",
    ),
    (
        5,
        90,
        PenaltyKind.FINE,
        "50000",
        "擅自将{estate}物业管理用房改作经营性用途并对外出租。",
        "《物业管理条例》第六十四条",
        "责令限期恢复原用途，没收违法所得，处罚款人民币五万元。",
    ),
    (
        9,
        130,
        PenaltyKind.SUSPENSION,
        None,
        "在{estate}等项目连续发生消防通道长期堵塞、消防设施停用，经两次责令整改仍未改正。",
        "《中华人民共和国消防法》第十八条、《青岚市物业管理条例》第六十一条",
        "暂停承接新物业服务项目六个月，责令全面整改。",
    ),
    (
        2,
        170,
        PenaltyKind.FINE,
        "20000",
        "{estate}公共收益未单独列账，未按规定向业主公布公共收益收支情况。",
        "《物业管理条例》第五十四条、《青岚市物业管理条例》第五十二条",
        "责令限期改正，处罚款人民币二万元。",
    ),
    (
        7,
        220,
        PenaltyKind.WARNING,
        None,
        "物业服务合同到期后未按规定办理交接，拒不移交{estate}相关资料。",
        "《物业管理条例》第三十九条、第五十八条",
        "警告，责令十五日内完成移交。",
    ),
    (
        1,
        300,
        PenaltyKind.FINE,
        "10000",
        "{estate}二次供水水箱未按规定定期清洗消毒。",
        "《青岚市物业管理条例》第四十六条",
        "责令限期改正，处罚款人民币一万元。",
    ),
    (
        11,
        380,
        PenaltyKind.FINE,
        "80000",
        "挪用{estate}住宅专项维修资金用于日常物业服务支出。",
        "《物业管理条例》第六十条",
        "追回挪用的专项维修资金，处挪用数额一倍罚款人民币八万元。",
    ),
    (
        4,
        420,
        PenaltyKind.WARNING,
        None,
        "未按规定将{estate}的物业服务合同报区物业主管部门备案。",
        "《青岚市物业管理条例》第三十三条",
        "警告，责令三十日内补办备案。",
    ),
    (
        22,
        470,
        PenaltyKind.REVOCATION,
        None,
        "资质暂停期间仍擅自承接新物业服务项目，并拒不整改。",
        "《青岚市物业管理条例》第六十一条、第六十三条",
        "吊销物业服务资质。",
    ),
    (
        6,
        540,
        PenaltyKind.FINE,
        "15000",
        "{estate}擅自占用业主共有道路设置收费停车位。",
        "《物业管理条例》第六十六条",
        "责令限期恢复原状，处罚款人民币一万五千元。",
    ),
    (
        8,
        610,
        PenaltyKind.WARNING,
        None,
        "{estate}装修垃圾长期堆放在公共区域未及时清运。",
        "《青岚市物业管理条例》第四十九条",
        "警告，责令三日内清运。",
    ),
    (
        13,
        700,
        PenaltyKind.FINE,
        "25000",
        "超出物业服务合同约定标准向{estate}业主收取物业服务费。",
        "《中华人民共和国价格法》第十三条、《物业服务收费管理办法》第十二条",
        "责令退还多收费用，处罚款人民币二万五千元。",
    ),
    (
        3,
        780,
        PenaltyKind.FINE,
        "12000",
        "{estate}监控系统停用两个月，未按约定履行秩序维护义务。",
        "《物业管理条例》第三十五条、《青岚市物业管理条例》第五十八条",
        "责令限期改正，处罚款人民币一万二千元。",
    ),
    (
        10,
        860,
        PenaltyKind.WARNING,
        None,
        "拒不配合主管部门对{estate}物业服务情况的监督检查。",
        "《青岚市物业管理条例》第六十二条",
        "警告，责令改正。",
    ),
]


def _decision_number(day: datetime.date, sequence: int) -> str:
    return f"{DECISION_PREFIX}〔{day.year}〕{sequence:03d}号"


def seed_pages(write: Callable[[str], object]) -> None:
    """The enforcement results, company directory and site search pages under the home page,
    published."""
    from portal.models import CompanyDirectoryPage, EnforcementIndexPage, HomePage, SearchPage

    home = HomePage.objects.first()
    if home is None:
        return
    for model, title, slug, intro in (
        (EnforcementIndexPage, ENFORCEMENT_TITLE, ENFORCEMENT_SLUG, ENFORCEMENT_INTRO),
        (CompanyDirectoryPage, DIRECTORY_TITLE, DIRECTORY_SLUG, DIRECTORY_INTRO),
        (SearchPage, SEARCH_TITLE, SEARCH_SLUG, None),
    ):
        if model.objects.exists():
            continue
        page = model(title=title, slug=slug, **({"intro": intro} if intro else {}))
        home.add_child(instance=page)
        page.save_revision().publish()
        write(f"pages: {title} at {page.url}")


def seed_enforcement(write: Callable[[str], object]) -> None:
    """About fifteen published enforcement results, and the register and search pages."""
    seed_pages(write)
    if EnforcementResult.objects.filter(decision_number__startswith=DECISION_PREFIX).exists():
        write("enforcement results: already there, none added")
        return
    companies = list(Company.objects.select_related("district").order_by("pk"))
    if not companies:
        return
    today = timezone.localdate()
    sequences: dict[int, int] = {}
    made = 0
    with transaction.atomic():
        # Oldest first, so each year's numbers run in the order of the decisions.
        for index, days_ago, kind, fine, violation, basis, decision in sorted(
            PLAN, key=lambda row: -row[1]
        ):
            company = companies[index % len(companies)]
            estate = company.estates.order_by("name").first()
            day = today - datetime.timedelta(days=days_ago)
            sequences[day.year] = sequences.get(day.year, 0) + 1
            published = timezone.make_aware(
                datetime.datetime.combine(day + datetime.timedelta(days=7), datetime.time(10))
            )
            EnforcementResult.objects.create(
                decision_number=_decision_number(day, sequences[day.year]),
                company=company,
                district=company.district,
                kind=kind,
                fine_amount=Decimal(fine) if fine else None,
                violation=violation.format(estate=estate.name if estate else "在管项目"),
                legal_basis=basis,
                decision=decision,
                decided_on=day,
                published_at=min(published, timezone.now()),
            )
            made += 1
    write(f"enforcement results: {made} published decisions")
