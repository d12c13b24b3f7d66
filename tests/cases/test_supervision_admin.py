"""The supervision loop through the Wagtail admin screens, as the people who do it: an
official plans, two inspectors score and complete, an order goes to the company, which
answers with evidence, an inspector verifies, a penalty is proposed by one person and approved
by another, then served, executed and published. Outsiders get 404s and 403s."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.checklists import create_checklist
from cases.models import (
    EnforcementResult,
    Inspection,
    InspectionStatus,
    OrderStatus,
    Penalty,
    PenaltyStatus,
    RectificationOrder,
)
from foundation.roles import Role
from tests.factories import make_user
from tests.images import jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_inspector(district_1):
    return make_user("second_inspector", Role.INSPECTOR, district=district_1)


@pytest.fixture
def checklist(official):
    return create_checklist(
        "住宅物业服务检查表",
        [
            {
                "number": "1",
                "text": "电梯年检合格证公示",
                "dimension": "facility_maintenance",
                "weight": 10,
            },
            {"number": "2", "text": "公共区域每日清扫", "dimension": "cleaning", "weight": 10},
        ],
        actor=official,
    )


def post(client, user, url, data=None, **extra):
    client.force_login(user)
    return client.post(url, data or {}, **extra)


def transition(viewset: str, name: str, obj) -> str:
    return reverse(f"supervision_{viewset}:{name}", args=[obj.pk])


def test_the_whole_loop_through_the_admin(
    client, official, inspector, second_inspector, company_a_staff, estate_x, checklist
):
    # An official plans the inspection.
    response = post(
        client,
        official,
        reverse("supervision_inspections:add"),
        {
            "estate": estate_x.pk,
            "kind": "routine",
            "checklist": checklist.pk,
            "planned_on": timezone.localdate().isoformat(),
            "inspectors": [inspector.pk, second_inspector.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    inspection = Inspection.objects.get()
    assert set(inspection.inspectors.all()) == {inspector, second_inspector}

    # The inspectors start it, score it (one item fails) and complete it.
    post(client, inspector, transition("inspections", "start", inspection))
    items = list(checklist.items.order_by("sort_order", "id"))
    score_url = reverse("supervision_inspections:score", args=[inspection.pk])
    assert client.get(score_url).status_code == 200
    post(
        client,
        inspector,
        score_url,
        {
            f"passed_{items[0].pk}": "1",
            f"passed_{items[1].pk}": "0",
            f"note_{items[1].pk}": "3号楼楼道两天未清扫",
        },
    )
    post(
        client,
        second_inspector,
        transition("inspections", "complete", inspection),
        {"complete-text": "保洁不到位"},
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.COMPLETED
    assert inspection.score == 50

    # An order is issued from the completed inspection.
    deadline = timezone.localdate() + dt.timedelta(days=10)
    post(
        client,
        inspector,
        transition("inspections", "issue_order", inspection),
        {
            "issue_order-requirements": "三日内恢复每日清扫",
            "issue_order-deadline": deadline.isoformat(),
        },
    )
    order = RectificationOrder.objects.get()
    assert (order.company, order.status) == (estate_x.managing_company, OrderStatus.ISSUED)

    # The company sees it, acknowledges it and submits evidence.
    client.force_login(company_a_staff)
    assert client.get(reverse("supervision_orders:inspect", args=[order.pk])).status_code == 200
    post(client, company_a_staff, transition("orders", "acknowledge", order))
    post(
        client,
        company_a_staff,
        transition("orders", "submit", order),
        {"submit-response": "已恢复每日清扫并增派保洁员", "submit-files": [jpeg_with_gps()]},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    assert order.evidence.count() == 1

    # An inspector verifies it.
    post(client, inspector, transition("orders", "verify", order), {"verify-text": "复查合格"})
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED

    # A penalty: proposed by the inspector, refused to them for approval, approved by the official.
    response = post(
        client,
        inspector,
        reverse("supervision_penalties:add"),
        {
            "company": estate_x.managing_company_id,
            "estate": estate_x.pk,
            "kind": "warning",
            "violation": "未按合同约定履行保洁义务",
            "legal_basis": "《物业管理条例》第三十五条",
            "inspection": inspection.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    penalty = Penalty.objects.get()
    refused = post(
        client, inspector, transition("penalties", "approve", penalty), {"approve-text": "警告"}
    )
    assert refused.status_code == 403
    penalty.refresh_from_db()
    assert penalty.status == PenaltyStatus.PROPOSED
    post(
        client,
        official,
        transition("penalties", "approve", penalty),
        {"approve-text": "警告，责令改正"},
    )
    for step in ("serve", "execute", "publish"):
        post(client, official, transition("penalties", step, penalty))
    penalty.refresh_from_db()
    assert penalty.status == PenaltyStatus.PUBLISHED
    assert penalty.decision_document.name.endswith(".pdf")
    result = EnforcementResult.objects.get()
    assert result.decision_number == penalty.decision_number


def test_outsiders_get_nothing(
    client, official, inspector, second_inspector, company_b_staff, evaluator,
    other_district_inspector, estate_x, checklist,
):  # fmt: skip
    from cases.inspections import plan_inspection

    inspection = plan_inspection(
        actor=official, estate=estate_x, kind="routine", checklist=checklist,
        inspectors=[inspector, second_inspector], planned_on=timezone.localdate(),
    )  # fmt: skip
    inspect = reverse("supervision_inspections:inspect", args=[inspection.pk])
    for outsider in (company_b_staff, other_district_inspector):
        client.force_login(outsider)
        assert client.get(inspect).status_code in (302, 404)
        response = client.post(transition("inspections", "start", inspection))
        assert response.status_code == 404
    client.force_login(evaluator)
    assert client.get(reverse("supervision_inspections:index")).status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNED


def test_inspectors_cannot_make_draws_but_officials_can(
    client, official, inspector, second_inspector, estate_x, estate_y
):
    client.force_login(inspector)
    assert client.get(reverse("supervision_draws:add")).status_code == 302
    response = post(
        client,
        official,
        reverse("supervision_draws:add"),
        {
            "target_kind": "estate",
            "district": estate_x.district_id,
            "count": 1,
            "inspectors_per_target": 2,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from cases.models import RandomDraw

    draw = RandomDraw.objects.get()
    assert draw.result[0]["target"] == estate_x.pk  # the only estate of district 1
    post(client, official, transition("draws", "publish_draw", draw))
    draw.refresh_from_db()
    assert draw.published_at is not None


def test_officials_write_checklists_as_lines_and_campaigns(client, official, inspector):
    from cases.models import Campaign, ChecklistTemplate

    lines = (
        "1 | 电梯年检合格证公示 | facility_maintenance | 10\n2 | 公共区域每日清扫 | cleaning | 20"
    )
    response = post(
        client, official, reverse("supervision_checklists:add"), {"name": "检查表", "lines": lines}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ChecklistTemplate.objects.get()
    assert [(i.number, i.weight) for i in template.items.order_by("sort_order", "id")] == [
        ("1", 10),
        ("2", 20),
    ]
    bad = post(
        client, official, reverse("supervision_checklists:add"), {"name": "坏表", "lines": "1 | x"}
    )
    assert bad.status_code == 200 and ChecklistTemplate.objects.count() == 1
    post(client, official, transition("checklists", "new_version", template))
    assert ChecklistTemplate.objects.filter(name="检查表", version=2).exists()
    # Inspectors read checklists but do not write them.
    client.force_login(inspector)
    assert client.get(reverse("supervision_checklists:add")).status_code == 302
    response = post(
        client,
        official,
        reverse("supervision_campaigns:add"),
        {"name": "电梯安全专项整治", "starts_on": "2026-12-01", "ends_on": "2026-11-01"},
    )
    assert response.status_code == 200 and not Campaign.objects.exists()  # ends before it starts


def test_inspectors_add_photos_while_inspecting(
    client, official, inspector, second_inspector, estate_x, checklist
):
    from cases.inspections import plan_inspection, start_inspection
    from tests.images import lying_jpeg

    inspection = plan_inspection(
        actor=official, estate=estate_x, kind="routine", checklist=checklist,
        inspectors=[inspector, second_inspector], planned_on=timezone.localdate(),
    )  # fmt: skip
    start_inspection(inspection, actor=inspector)
    url = transition("inspections", "add_photo", inspection)
    post(client, inspector, url, {"add_photo-photo": lying_jpeg(), "add_photo-caption": "x"})
    assert inspection.photos.count() == 0
    post(client, inspector, url, {"add_photo-photo": jpeg_with_gps(), "add_photo-caption": "楼道"})
    assert inspection.photos.get().caption == "楼道"
