"""The self-inspection screens (企业自查): the company's quality staff plan, run and score a
patrol on one page; the regulator reads; the company page and the dashboard show the gap."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import self_inspection
from cases.models import Patrol, PatrolStatus, QualityTask
from tests.cases.supervision_fixtures import make_checklist

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def checklist(admin):
    return make_checklist(
        admin,
        "自查表",
        [
            {"number": "1.1", "text": "合同公示", "dimension": "basic_management", "weight": 10},
            {"number": "2.1", "text": "地面无垃圾", "dimension": "cleaning", "weight": 10},
        ],
    )


def _patrol(actor, estate, checklist, **kwargs):
    return self_inspection.schedule_patrol(
        actor=actor, estate=estate, kind="routine", checklist=checklist, quality_staff=actor,
        planned_on=TODAY, **kwargs,
    )  # fmt: skip


def test_quality_staff_plan_start_score_and_complete_a_patrol(
    client, company_a_staff, estate_x, checklist
):
    client.force_login(company_a_staff)
    response = client.post(
        reverse("supervision_patrols:add"),
        {"estate": estate_x.pk, "kind": "routine", "checklist": checklist.pk,
         "quality_staff": company_a_staff.pk, "planned_on": TODAY.isoformat()},
    )  # fmt: skip
    patrol = Patrol.objects.get()
    assert response.status_code == 302 and patrol.quality_staff == company_a_staff
    client.post(reverse("supervision_patrols:start", args=[patrol.pk]))
    score_url = reverse("supervision_patrols:score", args=[patrol.pk])
    page = client.get(score_url).content.decode()
    assert "地面无垃圾" in page and 'type="radio"' in page
    first, second = checklist.items.order_by("sort_order")
    deadline = (TODAY + datetime.timedelta(days=3)).isoformat()
    # A failed item without its owner is refused, the passed one is kept.
    client.post(score_url, {f"passed_{first.pk}": "1", f"passed_{second.pk}": "0",
                            f"note_{second.pk}": "楼道堆放杂物"})  # fmt: skip
    assert not QualityTask.objects.exists() and patrol.scores.count() == 2
    client.post(score_url, {f"passed_{second.pk}": "0", f"note_{second.pk}": "楼道堆放杂物",
                            f"owner_{second.pk}": company_a_staff.pk,
                            f"deadline_{second.pk}": deadline})  # fmt: skip
    task = QualityTask.objects.get()
    assert (task.owner, task.deadline.isoformat()) == (company_a_staff, deadline)
    client.post(reverse("supervision_patrols:complete", args=[patrol.pk]),
                {"complete-summary": "一处不合格"})  # fmt: skip
    patrol.refresh_from_db()
    assert (patrol.status, patrol.score) == (PatrolStatus.COMPLETED, 50)


def test_the_regulator_reads_a_patrol_but_does_not_work_it(
    client, company_a_staff, inspector, other_district_inspector, estate_x, checklist
):
    patrol = _patrol(company_a_staff, estate_x, checklist)
    self_inspection.start_patrol(patrol, actor=company_a_staff)
    client.force_login(inspector)
    page = client.get(reverse("supervision_patrols:inspect", args=[patrol.pk]))
    assert page.status_code == 200 and not page.context["transitions"]
    assert client.get(reverse("supervision_patrols:score", args=[patrol.pk])).status_code == 403
    client.force_login(other_district_inspector)
    assert client.get(reverse("supervision_patrols:inspect", args=[patrol.pk])).status_code == 404


def test_the_patrol_list_costs_the_same_for_many_patrols(
    client, company_a_staff, estate_x, checklist, django_assert_max_num_queries
):
    client.force_login(company_a_staff)
    _patrol(company_a_staff, estate_x, checklist)
    client.get(reverse("supervision_patrols:index"))  # warm the session and menus
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("supervision_patrols:index"))
    for _ in range(20):
        _patrol(company_a_staff, estate_x, checklist)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("supervision_patrols:index"))
    assert response.content.decode().count(estate_x.name) >= 20


def test_the_company_page_and_the_dashboard_show_the_gap(
    client, company_a_staff, committee_member, official, estate_x, company_a, checklist
):
    patrol = _patrol(company_a_staff, estate_x, checklist)
    self_inspection.start_patrol(patrol, actor=company_a_staff)
    for item in checklist.items.all():
        self_inspection.score_patrol_item(patrol, item, actor=company_a_staff, passed=True)
    self_inspection.complete_patrol(patrol, actor=company_a_staff)
    company_page = reverse("register_companies:inspect", args=[company_a.pk])
    for reader in (company_a_staff, official, committee_member):
        client.force_login(reader)
        page = client.get(company_page).content.decode()
        assert 'id="quality-gap"' in page and "100.0" in page, reader
    client.force_login(official)
    bad = client.get(company_page, {"quality_period": "Q9"}).content.decode()
    assert "Q9" in bad and 'id="quality-gap"' in bad
    dashboard = client.get(reverse("statistics_dashboard")).content.decode()
    assert 'id="self-inspection-gap"' in dashboard and estate_x.name in dashboard
