"""The demo's reply templates (常用回复) in both languages and one return (退单) awaiting the
official's ruling, so the case page shows the arbitration and the template picker at once.
A second run adds nothing."""

from collections.abc import Callable

from cases import dispatch
from cases.models import (
    CaseStatus,
    Category,
    Dispatch,
    DispatchStatus,
    ReplyAction,
    ReplyTemplate,
    ReturnReason,
    ReturnRuling,
)

TEMPLATES = [
    (
        ReplyAction.REJECTION,
        "",
        "不属于物业服务监管范围",
        "您的投诉（编号{tracking_number}）反映的问题不属于物业服务监管范围，本单位不予受理，"
        "请向相关主管部门反映。",
        "Your complaint {tracking_number} is about a matter outside the supervision of "
        "property services, so we cannot accept it; please contact the competent authority.",
    ),
    (
        ReplyAction.QUESTION,
        "",
        "请补充具体位置",
        "为尽快处理您的投诉（编号{tracking_number}），请补充{estate}内的具体楼栋、单元和位置。",
        "To handle your complaint {tracking_number} quickly, please tell us the building, "
        "entrance and exact place in {estate}.",
    ),
    (
        ReplyAction.RESOLUTION,
        Category.FACILITIES,
        "电梯已修复",
        "您反映的{estate}电梯问题（编号{tracking_number}）已由物业服务企业维修完毕，"
        "经检查运行正常。感谢您的监督。",
        "The lift in {estate} you reported ({tracking_number}) has been repaired by the "
        "property company and works normally again. Thank you for telling us.",
    ),
    (
        ReplyAction.RESOLUTION,
        "",
        "按期办结",
        "您的投诉（编号{tracking_number}，{category}）已在{due_date}前处理完毕。",
        "Your complaint {tracking_number} ({category}) was handled before {due_date}.",
    ),
    (
        ReplyAction.RETURN_REASON,
        "",
        "非本公司服务项目",
        "经核实，{estate}不在本公司的物业服务合同范围内，请重新分派。",
        "We checked: {estate} is not under our property service contract. Please dispatch "
        "the case to the responsible company.",
    ),
]


def seed_returns(cast, write: Callable[[str], object]) -> None:
    """The templates once, then one company's return of a case it has not signed for yet."""
    if not ReplyTemplate.objects.exists():
        for action, category, title, text_zh, text_en in TEMPLATES:
            ReplyTemplate.objects.create(
                action=action, category=category, title=title, text_zh=text_zh, text_en=text_en
            )
        write(f"reply templates: {len(TEMPLATES)}")
    if ReturnRuling.objects.exists():
        return
    # A case also dispatched to the inspector: it stays "assigned" (every status stays shown).
    row = (
        Dispatch.objects.filter(
            status=DispatchStatus.AWAITING_SIGNATURE,
            company_id__in=list(cast.company_staff),
            complaint__status=CaseStatus.ASSIGNED,
            complaint__assigned_inspector__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    if row is None:
        return
    dispatch.return_dispatch(
        row,
        actor=cast.company_staff[row.company_id],
        reason_code=ReturnReason.NOT_OUR_ESTATE,
        reason="经核实，该小区不在本公司的物业服务合同范围内，请重新分派。",
    )
    write(f"returns: case {row.complaint.tracking_number} awaits the official's ruling")
