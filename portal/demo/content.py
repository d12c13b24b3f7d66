"""The demo's published content: the notice index with three notices (公告) and the standard
index with two versions of the city's residential property service standard (服务标准), the
newer replacing the older. Pages that exist already are left alone, so a second run neither
duplicates them nor overwrites an official's edits."""

import datetime as dt
import json

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Page

from portal.demo.files import pdf_bytes

NOTICES = [
    (
        "2026-fee-disclosure",
        dt.date(2026, 9, 8),
        "关于开展2026年度物业服务收费公示专项检查的通知",
        "9月15日至10月31日，全市住宅小区物业服务收费公示情况专项检查。",
        "<p>各区住房和城乡建设局、各物业服务企业：</p>"
        "<p>为规范物业服务收费行为，市住房和城乡建设局定于2026年9月15日至10月31日开展"
        "物业服务收费公示专项检查。检查内容包括收费项目、标准、依据及公共收益收支情况的公示。</p>"
        "<p>各物业服务企业应于9月14日前完成自查，在小区显著位置更新公示内容。</p>",
        "专项检查工作方案",
    ),
    (
        "2026-fire-safety",
        dt.date(2026, 10, 12),
        "关于做好秋冬季住宅小区消防安全工作的通知",
        "要求各物业服务企业排查消防通道占用、电动自行车违规充电等隐患。",
        "<p>进入秋冬季，火灾风险上升。各物业服务企业应立即组织消防安全隐患排查，重点清理"
        "占用、堵塞消防通道的车辆和杂物，劝阻电动自行车入户及“飞线”充电。</p>"
        "<p>排查整改情况请于11月15日前报所在区住房和城乡建设局。</p>",
        None,
    ),
    (
        "2026-q3-credit-results",
        dt.date(2026, 11, 6),
        "2026年第三季度物业服务企业信用评价结果公告",
        "第三季度信用评价结果已公布，企业可在10个工作日内提出异议。",
        "<p>根据《青岚市物业服务企业信用管理办法》，现将2026年第三季度物业服务企业信用评价"
        "结果予以公告。</p><p>对评价结果有异议的企业，可自公告之日起10个工作日内通过本平台"
        "提出申诉。</p>",
        None,
    ),
]

DIMENSIONS = ["基础管理", "清洁卫生", "绿化养护", "秩序维护", "设施设备维护", "客户服务"]

# (section, dimension index, heading, text of the 2023 version, text of the 2026 version)
CLAUSES = [
    (
        "1.1",
        0,
        "服务公示",
        "在小区显著位置公示服务内容和收费标准。",
        "在小区显著位置和本平台公示服务内容、收费标准及公共收益收支情况，每季度更新。",
    ),
    (
        "1.2",
        0,
        "档案管理",
        "建立业主及房屋档案，妥善保管。",
        "建立业主、房屋及设施设备电子档案，个人信息依法保护，不得泄露。",
    ),
    (
        "2.1",
        1,
        "公共区域保洁",
        "楼道每周清扫两次。",
        "楼道每日清扫一次，每周湿拖一次；电梯轿厢每日擦拭。",
    ),
    (
        "2.2",
        1,
        "垃圾分类",
        "生活垃圾日产日清。",
        "按四分类设置投放点，生活垃圾日产日清，厨余垃圾桶每日清洗。",
    ),
    (
        "3.1",
        2,
        "绿化养护",
        "草坪定期修剪。",
        "草坪高度保持在8厘米以下，乔灌木每年修剪不少于两次，及时补植枯死苗木。",
    ),
    (
        "4.1",
        3,
        "出入管理",
        "小区出入口24小时值守。",
        "小区出入口24小时值守，外来车辆登记，消防通道保持畅通。",
    ),
    (
        "4.2",
        3,
        "巡查",
        "每日巡查不少于两次。",
        "每日巡查不少于三次，夜间不少于一次，巡查记录保存一年。",
    ),
    ("5.1", 4, "电梯维护", "电梯按规定维保。", "电梯每15日维保一次，困人故障30分钟内到达现场。"),
    (
        "5.2",
        4,
        "二次供水",
        "水箱每年清洗消毒一次。",
        "水箱每半年清洗消毒一次，水质检测报告在小区公示。",
    ),
    (
        "6.1",
        5,
        "投诉处理",
        "业主投诉三日内答复。",
        "业主投诉24小时内响应、5个工作日内答复，并在本平台回复处理结果。",
    ),
]

STANDARDS = [
    # slug, title, code, from, until, version (index into the clause texts)
    ("residential-2023", "青岚市住宅物业服务标准（2023版）", "QL/WY 001—2023",
     dt.date(2023, 7, 1), dt.date(2026, 6, 30), 3),
    ("residential-2026", "青岚市住宅物业服务标准（2026版）", "QL/WY 001—2026",
     dt.date(2026, 7, 1), None, 4),
]  # fmt: skip


def seed_content(home: Page, owner) -> dict[str, Page]:
    """Create the notice and standard pages under ``home`` if missing, all published."""
    from portal.models import NoticeIndexPage, NoticePage, StandardIndexPage, StandardPage

    notices = _child(
        home,
        NoticeIndexPage,
        owner,
        slug="notices",
        title="通知公告",
        intro="<p>市住房和城乡建设局发布的物业服务监管通知和公告。</p>",
    )
    for slug, date, title, summary, body, attachment in NOTICES:
        fields = {"title": title, "date": date, "summary": summary, "body": body}
        if attachment:
            document = _document(attachment, f"{slug}.pdf", owner)
            fields["attachments"] = json.dumps([{"type": "document", "value": document.pk}])
        _child(notices, NoticePage, owner, slug=slug, **fields)

    standards = _child(
        home,
        StandardIndexPage,
        owner,
        slug="standards",
        title="服务标准",
        intro="<p>本市住宅物业服务应达到的标准，按条款编号引用。</p>",
    )
    previous = None
    for slug, title, code, start, until, version in STANDARDS:
        clauses = [
            {
                "type": "clause",
                "value": {
                    "number": number,
                    "heading": f"{DIMENSIONS[dimension]}：{heading}",
                    "text": f"<p>{texts[version - 3]}</p>",
                },
            }
            for number, dimension, heading, *texts in CLAUSES
        ]
        previous = _child(
            standards,
            StandardPage,
            owner,
            slug=slug,
            title=title,
            code=code,
            effective_from=start,
            effective_until=until,
            replaces=previous,
            summary=f"规定住宅物业服务在{'、'.join(DIMENSIONS)}六个方面的要求。",
            clauses=json.dumps(clauses),
            attachments=json.dumps(
                [{"type": "document", "value": _document(title, f"{slug}.pdf", owner).pk}]
            ),
        )
    return {"notices": notices, "standards": standards}


def _child(parent: Page, model, owner, *, slug: str, **fields) -> Page:
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = model(slug=slug, owner=owner, **fields)
    parent.add_child(instance=page)
    page.save_revision(user=owner).publish()
    return page


def _document(title: str, filename: str, owner):
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title, uploaded_by_user=owner)
        # Latin-1 only inside the PDF: the Chinese title is the document's own.
        document.file.save(filename, ContentFile(pdf_bytes(filename)), save=False)
        document._set_document_file_metadata()
        document.save()
    return document
