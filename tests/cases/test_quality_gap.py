"""The gap figure (``cases.quality_gap``) and its weight in the random draw
(``cases.draws.risk_weight``): known inputs give known outputs."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import draws, quality_gap
from cases.models import (
    Inspection,
    InspectionStatus,
    Patrol,
    PatrolPlan,
    PatrolScore,
    PatrolStatus,
    QualityTask,
    TaskStatus,
)
from enterprises.models import Survey
from tests.cases.supervision_fixtures import make_checklist
from tests.factories import EstateFactory, make_evaluation, make_user

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 5, 10, tzinfo=datetime.UTC)
Q4 = (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))


def test_periods_and_the_gap_arithmetic():
    assert quality_gap.period_bounds("2026") == (datetime.date(2026, 1, 1), Q4[1])
    assert quality_gap.period_bounds("2026-h2") == (datetime.date(2026, 7, 1), Q4[1])
    assert quality_gap.period_bounds("2026-Q3") == (datetime.date(2026, 7, 1), Q4[0])
    assert quality_gap.gap(Decimal(85), [Decimal(60), Decimal(70)]) == Decimal("20.0")
    assert quality_gap.gap(Decimal(85), [None, Decimal("72.5")]) == Decimal("12.5")
    assert quality_gap.gap(Decimal(85), [None, None]) is None
    assert quality_gap.gap(None, [Decimal(60)]) is None
    # The draw's term: nothing up to 10 points, one per full 5 beyond, at most 5.
    gaps = [None, Decimal(-30), Decimal(10), Decimal("14.9"), 15, 20, 25, Decimal("34.9"), 35, 90]
    assert [draws.gap_term(g) for g in gaps] == [0, 0, 0, 0, 1, 2, 3, 4, 5, 5]
    assert draws.risk_weight("B", 3, Decimal(20)) == 15 + 3 + 2
    assert draws.risk_weight("B", 3) == draws.risk_weight("B", 3, None) == 18


@pytest.fixture
def known(time_machine, admin, estate_x, company_a):
    """Estate X in 2026-Q4: patrols 90 and 80 (and one in Q3, and one of another estate),
    an inspection of 60, the owners' committee's 70; six patrols planned; three findings,
    one closed on time, one late, one open."""
    time_machine.move_to(NOW, tick=False)
    checklist = make_checklist(admin)
    staff = make_user("quality", None)
    other = EstateFactory(name="别的小区", district=estate_x.district, managing_company=company_a)

    def patrol(score, day, estate=estate_x):
        at = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
        return Patrol.objects.create(
            kind="routine", estate=estate, company=company_a, district=estate.district,
            checklist=checklist, quality_staff=staff, planned_on=day, status=PatrolStatus.COMPLETED,
            score=score, completed_at=at,
        )  # fmt: skip

    first = patrol(90, datetime.date(2026, 10, 9))
    patrol(80, datetime.date(2026, 11, 9))
    patrol(20, datetime.date(2026, 9, 9))  # Q3
    patrol(30, datetime.date(2026, 11, 9), estate=other)
    Inspection.objects.create(
        kind="routine", estate=estate_x, company=company_a, district=estate_x.district,
        checklist=checklist, planned_on=datetime.date(2026, 11, 1),
        status=InspectionStatus.COMPLETED, score=60,
        completed_at=datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC),
    )  # fmt: skip
    make_evaluation(
        estate_x, staff, kind="owners_committee", score=70, period="2026-Q4", company=company_a
    )
    make_evaluation(
        estate_x, admin, kind="third_party", score=10, period="2026-Q4", company=company_a
    )
    PatrolPlan.objects.create(estate=estate_x, company=company_a, district=estate_x.district,
                              period="2026-Q4", kind="routine", planned_count=6)  # fmt: skip
    items = list(checklist.items.all())
    for item, status, closed_day in (
        (items[0], TaskStatus.CLOSED, 5),
        (items[1], TaskStatus.CLOSED, 25),
        (items[2], TaskStatus.OPEN, None),
    ):
        score = PatrolScore.objects.create(patrol=first, item=item, points=0, passed=False)
        QualityTask.objects.create(
            patrol=first, score=score, estate=estate_x, company=company_a,
            district=estate_x.district, finding="x", owner=staff,
            deadline=datetime.date(2026, 11, 20), status=status,
            closed_at=datetime.datetime(2026, 11, closed_day, tzinfo=datetime.UTC)
            if closed_day else None,
        )  # fmt: skip
    return estate_x, other


def test_known_inputs_give_the_known_gap(known, django_assert_max_num_queries):
    estate_x, other = known
    with django_assert_max_num_queries(7):
        rows = quality_gap.quality_gaps(estate_x.__class__.objects.all(), *Q4)
    by_estate = {row.estate: row for row in rows}
    row = by_estate[estate_x]
    assert (row.self_score, row.inspection_score, row.owners_score, row.gap) == (
        Decimal("85.0"), Decimal("60.0"), Decimal("70.0"), Decimal("20.0"),
    )  # fmt: skip
    assert (row.patrols_done, row.patrols_planned) == (2, 6)
    assert (row.findings, row.findings_closed_on_time) == (3, 1)
    # Another estate: its own patrol only, nothing to compare it with.
    assert (by_estate[other].self_score, by_estate[other].gap) == (Decimal("30.0"), None)
    assert quality_gap.owners_score(estate_x, *Q4) == Decimal("70.0")
    assert quality_gap.owners_score(estate_x, datetime.date(2026, 7, 1), Q4[0]) is None


def test_owners_surveys_that_count_join_the_owners_score(known):
    estate_x, _other = known

    def survey(score: str, counts: bool, closes_on: datetime.date) -> None:
        Survey.objects.create(
            estate=estate_x,
            company=estate_x.managing_company,
            kind="satisfaction",
            run_by="regulator",
            title="满意度调查",
            opens_on=closes_on - datetime.timedelta(days=14),
            closes_on=closes_on,
            status="closed",
            counts=counts,
            results={"score": score},
        )

    survey("40.00", True, datetime.date(2026, 11, 20))  # counts, closed in the quarter
    survey("0.00", False, datetime.date(2026, 11, 21))  # response rate under the minimum
    survey("10.00", True, datetime.date(2026, 9, 30))  # closed before the quarter
    # The committee's evaluation (70) and the survey that counts (40).
    assert quality_gap.owners_score(estate_x, *Q4) == Decimal("55.0")


def test_the_gap_weighs_in_the_risk_weighted_draw(known):
    estate_x, _other = known
    grade = estate_x.managing_company.credit_grade
    # The last 365 days: patrols 90, 80 and 20 (mean 63.3) against 60 and 70: gap -1.7.
    assert quality_gap.gap_by_target("estate", [estate_x.pk], NOW.date().replace(year=2025),
                                     NOW.date() + datetime.timedelta(days=1)) == {
        estate_x.pk: Decimal("-1.7")
    }  # fmt: skip
    Patrol.objects.filter(score=20).update(score=100)  # mean 90: gap 25, three more points
    pool = draws._target_pool("estate", estate_x.district_id, {}, True)
    weights = {pk: weight for pk, weight, _name in pool}
    assert weights[estate_x.pk] == draws.risk_weight(grade, 0) + 3
    companies = draws._target_pool("company", estate_x.district_id, {}, True)
    assert dict((pk, w) for pk, w, _n in companies)[estate_x.managing_company_id] == (
        draws.risk_weight(grade, 0) + 3
    )
    assert timezone.localdate() == NOW.date()
