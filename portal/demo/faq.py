"""The demo's knowledge base (常见问题): ten questions citizens of 青岚市 ask most, answered
by the regulator, under an index page, all published. As with the notices, pages that exist
already are left alone (a second run neither duplicates nor overwrites an official's edit).

The site's pages are in Chinese only (``WAGTAIL_I18N_ENABLED`` is off): under ``/en/`` their
text is shown marked ``lang="zh-Hans"``, the frame around it in English."""

from wagtail.models import Page

from portal.demo.content import _child

# slug, category, keywords, question, answer (HTML)
FAQS = [
    (
        "lift-entrapment",
        "facilities",
        "电梯, 困人, 关人, 电梯故障, 电梯停运, 维保",
        "电梯困人或停运，物业多久必须到场？",
        "<p>按《青岚市住宅物业服务标准（2026版）》第5.1条，电梯每15日维保一次，发生困人故障"
        "时物业服务企业须在<b>30分钟内</b>到达现场救援。</p>"
        "<p>被困时请按轿厢内的警铃或拨打轿厢内张贴的救援电话，不要强行扒门。电梯停运超过24小时"
        "未修复的，可在本平台投诉，类别选择“设施设备”。</p>",
    ),
    (
        "fee-increase",
        "fees",
        "物业费, 涨价, 调价, 收费标准, 提价",
        "物业公司要涨物业费，需要满足什么条件？",
        "<p>实行市场调节价的物业服务收费，调整标准须经业主大会依法表决同意，并在小区显著位置"
        "公示不少于30日；未经表决单方面涨价的，业主可以拒绝按新标准缴费，并可在本平台投诉。</p>"
        "<p>实行政府指导价的（如保障性住房），调整须符合价格主管部门公布的基准价和浮动幅度。</p>",
    ),
    (
        "public-revenue",
        "fees",
        "公共收益, 广告, 停车费, 收支, 公示, 电梯广告",
        "小区的广告费、停车费等公共收益归谁？在哪里查？",
        "<p>利用业主共有部分经营产生的收入（电梯广告、公共车位停车费、场地租金等），扣除合理"
        "成本后属于全体业主所有。</p>"
        "<p>物业服务企业应每季度在小区显著位置和本平台公示公共收益收支情况。未公示或账目不清的，"
        "可以请业主委员会要求查阅，也可在本平台投诉，类别选择“收费”。</p>",
    ),
    (
        "fire-lanes",
        "public_order",
        "消防通道, 楼道, 堆放, 杂物, 占用, 电动车, 飞线充电",
        "楼道堆放杂物、消防通道被占用，找谁处理？",
        "<p>物业服务企业负责日常巡查，发现楼道堆物、占用消防通道应及时劝阻并清理；劝阻无效的，"
        "应报告消防救援机构。您可以先向物业服务中心反映，物业不处理的可在本平台投诉。</p>"
        "<p>正在发生的火灾或严重险情，请立即拨打119。消防安全的执法由消防救援机构负责，本平台"
        "会将超出物业监管范围的事项转交相关部门。</p>",
    ),
    (
        "rubbish",
        "cleaning",
        "垃圾, 清运, 保洁, 垃圾分类, 臭味, 垃圾桶",
        "小区垃圾清运不及时，怎么办？",
        "<p>按服务标准第2.2条，生活垃圾应日产日清，厨余垃圾桶每日清洗。垃圾堆积超过一天、"
        "垃圾桶满溢未处理的，可拍照后在本平台投诉，类别选择“保洁”，并写明楼栋和投放点位置。</p>",
    ),
    (
        "water-supply",
        "facilities",
        "二次供水, 水箱, 水质, 停水, 自来水, 黄水",
        "家里水质发黄、有异味，是二次供水的问题吗？",
        "<p>高层住宅多由小区水箱或泵房二次供水，物业服务企业应每半年清洗消毒水箱一次，并在"
        "小区公示水质检测报告（服务标准第5.2条）。</p>"
        "<p>发现水质异常请先停止饮用，向物业服务中心报修并要求出示最近一次的检测报告；未按期"
        "清洗或不予处理的，可在本平台投诉。</p>",
    ),
    (
        "service-contract",
        "service_quality",
        "服务合同, 合同, 查阅, 服务内容, 服务标准",
        "业主能查看物业服务合同吗？",
        "<p>能。物业服务合同的主要内容（服务事项、服务标准、收费标准、合同期限）应在小区公示，"
        "本平台“企业名录”中也可查到各小区已备案合同的现行条款。业主要求查阅合同全文的，"
        "可通过业主委员会向物业服务企业提出。</p>",
    ),
    (
        "change-company",
        "service_quality",
        "更换物业, 换物业, 选聘, 解聘, 业主大会, 业主委员会, 业委会",
        "对物业公司不满意，怎样更换？",
        "<p>解聘和选聘物业服务企业由业主共同决定：须经专有部分面积占比三分之二以上且人数占比"
        "三分之二以上的业主参与表决，并经参与表决的业主过半数同意。</p>"
        "<p>业主委员会负责组织表决，街道办事处和区住房和城乡建设局可以提供指导。原物业服务企业"
        "须按规定办理交接，不得拒绝退出。</p>",
    ),
    (
        "complaint-progress",
        "customer_service",
        "进度, 答复, 查询, 多久, 查询码, 投诉编号, 没人管",
        "投诉以后多久有答复？怎么查进度？",
        "<p>投诉受理后，一般事项在5个工作日内答复，紧急事项（如电梯困人、停水停电）当天处理。"
        "提交投诉后您会收到查询编号和查询码，在本平台“进度查询”页面输入即可查看办理过程和"
        "答复意见。</p><p>查询码遗失的，可在进度查询页面用手机号码找回。</p>",
    ),
    (
        "maintenance-fund",
        "fees",
        "维修资金, 维修基金, 专项维修资金, 大修, 屋顶漏水, 外墙",
        "屋顶漏水、外墙脱落，能用住宅专项维修资金吗？",
        "<p>保修期满后，共用部位、共用设施设备的维修和更新改造（如屋面防水、外墙、电梯大修）"
        "可以申请使用住宅专项维修资金，一般须经相关业主表决同意；危及安全的紧急情况可以走应急"
        "使用程序。</p><p>申请由业主委员会或物业服务企业提出，区住房和城乡建设局审核。</p>",
    ),
]


def seed_faqs(home: Page, owner) -> Page:
    """The FAQ index under ``home`` and its questions, if missing, all published."""
    from portal.models import FaqIndexPage, FaqPage

    index = _child(
        home,
        FaqIndexPage,
        owner,
        slug="faq",
        title="常见问题",
        intro="<p>市民最常咨询的物业服务问题及答复。没有找到答案？可以直接投诉或咨询。</p>",
    )
    for slug, category, keywords, question, answer in FAQS:
        _child(
            index,
            FaqPage,
            owner,
            slug=slug,
            title=question,
            category=category,
            keywords=keywords,
            answer=answer,
        )
    return index
