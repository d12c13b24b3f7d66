"""Random draws (双随机一公开): reproducible from the stored row, tamper-evident, exclusions of
the last inspection's inspectors, risk weighting, refusals, publication, planning the drawn
inspections, and who may draw and see draws."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from cases import dispatch, draws, inspections, workflow
from cases.draws import DrawError
from cases.inspections import InspectionError
from cases.models import DispatchStatus, InspectionKind, InspectionStatus, RandomDraw
from cases.permissions import visible_draws
from enterprises.models import Company, CreditRecord, CreditRecordKind
from foundation.roles import Role
from tests.cases.supervision_fixtures import (
    KNOWN_PASSES,
    audit_actions,
    make_checklist,
    make_inspector,
    plan,
)
from tests.factories import EstateFactory, make_complaint, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NOW = datetime.datetime(2026, 5, 6, 9, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 6)
E, C = "estate", "company"


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def inspectors(inspector, district_1):
    """Five inspectors in district 1, by id."""
    return [inspector] + [make_inspector(f"inspector_{n}", district_1) for n in range(2, 6)]


@pytest.fixture
def estates(estate_x, district_1):
    """Four estates in district 1, each with its own company, by id."""
    return [estate_x] + [EstateFactory(district=district_1) for _n in range(3)]


@pytest.fixture
def official_2(district_2):
    return make_user("official_2", Role.OFFICIAL, district=district_2)


@pytest.fixture
def checklist(official):
    return make_checklist(official)


def draw(actor, district, **options) -> RandomDraw:
    options.setdefault("target_kind", E)
    options.setdefault("count", 2)
    return draws.make_draw(actor=actor, district=district, **options)


def complete(inspection, actor, checklist):
    inspections.start_inspection(inspection, actor=actor)
    for number, given in KNOWN_PASSES.items():
        inspections.score_item(inspection, checklist.items.get(number=number), actor=actor, **given)
    return inspections.complete_inspection(inspection, actor=actor)


def set_grade(company, grade: str) -> None:
    # The grade is the credit module's to compute; set directly here to arrange the pool.
    Company.objects.filter(pk=company.pk).update(credit_grade=grade)


# What a draw stores ----------------------------------------------------------------------


def test_a_draw_stores_its_seed_pools_result_and_an_audit_entry(
    official, district_1, estates, inspectors, estate_y
):
    made = draw(official, district_1, seed="2026-05 第一批")

    assert (made.seed, made.algorithm, made.drawn_by, made.district) == (
        "2026-05 第一批",
        "weighted-v1",
        official,
        district_1,
    )
    assert made.target_pool == [[e.pk, 1, e.name] for e in estates]  # district 1 only, by id
    assert made.inspector_pool == [[u.pk, u.username] for u in inspectors]
    assert len(made.result) == 2
    assert len({row["target"] for row in made.result}) == 2
    pool_ids = {u.pk for u in inspectors}
    for row in made.result:
        assert row["target"] in {e.pk for e in estates}
        assert row["label"] == next(e.name for e in estates if e.pk == row["target"])
        assert len(set(row["inspectors"])) == 2 and set(row["inspectors"]) <= pool_ids
        assert row["excluded"] == []
    entry = ModelLogEntry.objects.for_instance(made).get()
    assert (entry.action, entry.user, entry.data["seed"]) == (
        "cases.draw.drawn",
        official,
        "2026-05 第一批",
    )
    assert entry.data["targets"] == [row["target"] for row in made.result]


def test_without_a_seed_a_fresh_random_one_is_recorded(official, district_1, estates, inspectors):
    first, second = draw(official, district_1), draw(official, district_1)
    assert re.fullmatch(r"[0-9a-f]{32}", first.seed)
    assert first.seed != second.seed
    assert draws.verify_draw(first) and draws.verify_draw(second)


def test_the_same_seed_and_pools_give_the_same_result(official, district_1, estates, inspectors):
    first = draw(official, district_1, seed="seed-1", count=3, inspectors_per_target=3)
    second = draw(official, district_1, seed="seed-1", count=3, inspectors_per_target=3)

    assert first.pk != second.pk
    assert (first.target_pool, first.inspector_pool) == (second.target_pool, second.inspector_pool)
    assert first.result == second.result
    others = [
        draw(official, district_1, seed=f"seed-{n}", count=3, inspectors_per_target=3).result
        for n in range(2, 7)
    ]
    assert any(result != first.result for result in others)  # the seed matters


def test_rerun_recomputes_the_stored_result_without_reading_the_database(
    official, district_1, estates, inspectors, django_assert_num_queries
):
    made = draw(official, district_1, seed="public", count=4, weighted_by_risk=True)
    stored = RandomDraw.objects.get(pk=made.pk)  # as read back from the database

    with django_assert_num_queries(0):
        assert draws.rerun_draw(stored) == stored.result
        assert draws.verify_draw(stored) is True


def other_pair(made: RandomDraw) -> list[int]:
    """Two pool inspectors that are not the first target's drawn pair."""
    ids = [pk for pk, _name in made.inspector_pool]
    drawn = set(made.result[0]["inspectors"])
    return next([a, b] for a in ids for b in ids if a < b and {a, b} != drawn)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.result[0]["inspectors"].reverse(),
        lambda d: d.result[0].update(inspectors=other_pair(d)),
        lambda d: d.result.reverse(),
        lambda d: setattr(d, "seed", d.seed + "x"),
        lambda d: d.target_pool.reverse(),
        lambda d: d.result[0].update(excluded=[d.inspector_pool[0][0]]),
        lambda d: d.target_pool[0].__setitem__(1, "heavy"),
    ],
)
def test_tampering_with_the_stored_draw_is_detected(
    official, district_1, estates, inspectors, tamper
):
    made = draw(official, district_1, seed="public", count=2)
    assert draws.verify_draw(made)

    tamper(made)
    made.save()
    assert draws.verify_draw(RandomDraw.objects.get(pk=made.pk)) is False
    with pytest.raises(DrawError, match="does not re-run"):
        draws.publish_draw(made, actor=official)
    assert RandomDraw.objects.get(pk=made.pk).published_at is None


# Exclusions ------------------------------------------------------------------------------


def test_the_inspectors_of_the_last_completed_inspection_are_never_drawn_for_it(
    official, district_1, estates, inspectors, checklist, time_machine
):
    estate_x = estates[0]
    older = plan(official, estate_x, inspectors[2:4], checklist)
    complete(older, official, checklist)
    time_machine.move_to(NOW + datetime.timedelta(days=1), tick=False)
    last = plan(official, estate_x, inspectors[:2], checklist)
    complete(last, official, checklist)
    # Planned or cancelled later: not a completed inspection, so no conflict.
    plan(official, estate_x, inspectors[3:5], checklist)

    conflicted = {inspectors[0].pk, inspectors[1].pk}
    drawn_for_x = set()
    for seed in range(40):
        made = draw(official, district_1, seed=seed, count=len(estates))
        row = next(r for r in made.result if r["target"] == estate_x.pk)
        assert row["excluded"] == sorted(conflicted)
        assert not conflicted & set(row["inspectors"])
        drawn_for_x |= set(row["inspectors"])
        others = [r for r in made.result if r["target"] != estate_x.pk]
        assert all(r["excluded"] == [] for r in others)
        assert draws.verify_draw(made)
    # Everyone else was drawn for it at some point: the exclusion is not a bias elsewhere.
    assert drawn_for_x == {u.pk for u in inspectors[2:]}


def test_a_company_target_excludes_the_last_inspection_of_any_of_its_estates(
    official, district_1, estates, inspectors, checklist, company_a
):
    second_estate = EstateFactory(district=district_1, managing_company=company_a)
    complete(plan(official, second_estate, inspectors[1:3], checklist), official, checklist)

    made = draw(official, district_1, target_kind=C, count=len(estates), seed="c")
    row = next(r for r in made.result if r["target"] == company_a.pk)
    assert row["excluded"] == sorted([inspectors[1].pk, inspectors[2].pk])
    assert not set(row["inspectors"]) & set(row["excluded"])


def test_too_few_inspectors_left_after_exclusions_is_refused(
    official, district_1, estate_x, inspector, checklist
):
    team = [inspector] + [make_inspector(f"inspector_{n}", district_1) for n in (2, 3)]
    complete(plan(official, estate_x, team[:2], checklist), official, checklist)

    with pytest.raises(DrawError, match="Only 1 inspectors may inspect “翠湖花园”"):
        draw(official, district_1, count=1, seed="x")
    assert not RandomDraw.objects.exists()


# Weighting -------------------------------------------------------------------------------


@pytest.fixture
def graded(official, district_1, estates, inspectors):
    """One grade-C company and three AA ones, one estate each."""
    companies = [e.managing_company for e in estates]
    set_grade(companies[0], "C")
    for company in companies[1:]:
        set_grade(company, "AA")
    return companies


def first_target_counts(made: RandomDraw, seeds: range) -> dict[int, int]:
    counts = {pk: 0 for pk, _weight, _label in made.target_pool}
    for seed in seeds:
        made.seed = str(seed)  # in memory only: the same pools, another seed
        counts[draws.rerun_draw(made)[0]["target"]] += 1
    return counts


def test_risk_weighting_draws_the_grade_c_company_clearly_more_often(official, district_1, graded):
    made = draw(official, district_1, target_kind=C, count=1, weighted_by_risk=True, seed="w")
    assert made.target_pool == [[c.pk, 20 if n == 0 else 5, c.name] for n, c in enumerate(graded)]

    counts = first_target_counts(made, range(2000))  # fixed seeds: the same counts every run
    risky, safe = counts.pop(graded[0].pk), list(counts.values())
    # Expected 20/35 of 2,000 = 1,143 against 286 each.
    assert 1000 < risky < 1300
    assert risky > 3 * max(safe)
    assert min(safe) > 200


def test_without_risk_weighting_every_target_is_as_likely(official, district_1, graded):
    made = draw(official, district_1, target_kind=C, count=1, seed="u")
    assert {weight for _pk, weight, _label in made.target_pool} == {1}

    counts = first_target_counts(made, range(2000))
    assert all(400 < count < 600 for count in counts.values())  # 500 each expected


def credit_record(complaint, day: datetime.date, *, withdrawn: bool = False) -> CreditRecord:
    return CreditRecord.objects.create(
        company_id=complaint.company_id,
        kind=CreditRecordKind.SUBSTANTIATED_COMPLAINT,
        points=-2,
        explanation="投诉属实",
        source_label=complaint.tracking_number,
        source_key=f"complaint:{complaint.pk}",
        occurred_on=day,
        valid_until=day + datetime.timedelta(days=365),
        withdrawn=withdrawn,
    )


def resolve(complaint, official, inspector) -> None:
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    row = complaint.dispatches.get(status=DispatchStatus.AWAITING_SIGNATURE)
    dispatch.sign_dispatch(row, actor=inspector)
    workflow.resolve_case(complaint, actor=inspector, reply="已处理")


def test_substantiated_complaints_of_the_last_year_add_to_the_weight(
    official, district_1, estates, inspectors, inspector, company_a, estate_x
):
    second_estate = EstateFactory(district=district_1, managing_company=company_a)
    days_ago = [1, 100, 364]  # counted; 400 days ago and withdrawn on appeal are not
    for days in days_ago:
        credit_record(make_complaint(estate=estate_x).complaint, TODAY - datetime.timedelta(days))
    credit_record(make_complaint(estate=second_estate).complaint, TODAY)
    credit_record(make_complaint(estate=estate_x).complaint, TODAY - datetime.timedelta(400))
    credit_record(make_complaint(estate=estate_x).complaint, TODAY, withdrawn=True)
    # Resolved today, its credit record not written yet (a task does that): it counts too.
    resolve(make_complaint(estate=estate_x).complaint, official, inspector)
    make_complaint(estate=estate_x)  # not resolved: does not count

    by_company = draw(official, district_1, target_kind=C, count=1, weighted_by_risk=True)
    weights = {pk: weight for pk, weight, _label in by_company.target_pool}
    assert weights[company_a.pk] == 5 * 2 + 5  # ungraded; 3 + 1 records, 1 resolved
    assert {weights[e.managing_company_id] for e in estates[1:]} == {10}

    by_estate = draw(official, district_1, target_kind=E, count=1, weighted_by_risk=True)
    weights = {pk: weight for pk, weight, _label in by_estate.target_pool}
    assert (weights[estate_x.pk], weights[second_estate.pk]) == (5 * 2 + 4, 5 * 2 + 1)


def test_risk_weight_formula():
    assert [draws.risk_weight(g, 0) for g in ("C", "B", "A", "AA", "AAA", "")] == [
        20,
        15,
        10,
        5,
        5,
        10,
    ]
    assert draws.risk_weight("AA", 3) == 8
    assert draws.risk_weight("C", 25) == 30  # complaints count up to ten


def test_the_pool_filter_keeps_grades_and_large_estates(official, district_1, graded, estates):
    EstateFactory(district=district_1, households=50, managing_company=graded[0])
    made = draw(
        official,
        district_1,
        count=1,
        pool_filter={"credit_grades": ["C", "B"], "min_households": 100},
    )
    assert [pk for pk, _w, _l in made.target_pool] == [estates[0].pk]
    assert made.pool_filter == {"credit_grades": ["B", "C"], "min_households": 100}


# Refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"count": 5}, "The pool holds 4 targets; 5 cannot be drawn"),
        ({"count": 0}, "at least one target"),
        ({"inspectors_per_target": 1}, "at least 2 inspectors"),
        ({"inspectors_per_target": 6}, "Only 5 inspectors may inspect"),
        ({"target_kind": "district"}, "Draw estates or companies"),
        ({"pool_filter": {"categories": ["x"]}}, "Unknown pool filters: categories"),
        ({"pool_filter": {"credit_grades": ["D"]}}, "credit grades among"),
        ({"target_kind": C, "pool_filter": {"min_households": 100}}, "filters estates only"),
        ({"seed": "x" * 65}, "1 to 64 characters"),
    ],
)
def test_impossible_draws_are_refused_and_nothing_is_stored(
    official, district_1, estates, inspectors, options, message
):
    with pytest.raises(DrawError, match=message):
        draw(official, district_1, **options)
    assert not RandomDraw.objects.exists()
    assert not ModelLogEntry.objects.filter(action__startswith="cases.draw.").exists()


# Who may draw ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "where"),
    [
        ("inspector", "district_1"),
        ("official", None),
        ("official", "district_2"),
        ("company_a_staff", "district_1"),
        ("committee_member", "district_1"),
        ("evaluator", "district_1"),
        ("citizen", "district_1"),
    ],
)
def test_who_may_not_draw(request, estates, estate_y, inspectors, who, where):
    district = request.getfixturevalue(where) if where else None
    with pytest.raises(PermissionDenied):
        draw(request.getfixturevalue(who), district, count=1)
    assert not RandomDraw.objects.exists()


def test_a_city_wide_draw_uses_every_inspector_but_only_those_of_the_targets_district(
    admin, estates, estate_y, inspectors, other_district_inspector, district_2
):
    others = [other_district_inspector, make_inspector("other_district_inspector_2", district_2)]
    made = draw(admin, None, count=5, seed="city")

    everyone = sorted(u.pk for u in [*inspectors, *others])
    assert [pk for pk, _name in made.inspector_pool] == everyone
    assert [pk for pk, _w, _l in made.target_pool] == sorted(e.pk for e in [*estates, estate_y])
    for row in made.result:
        home = {u.pk for u in (others if row["target"] == estate_y.pk else inspectors)}
        assert set(row["inspectors"]) <= home
        assert row["excluded"] == sorted(set(everyone) - home)
    assert draws.verify_draw(made)


def test_a_head_of_department_draws_city_wide(estates, inspectors):
    head = make_user("head", Role.OFFICIAL, city_wide=True)
    assert draw(head, None, count=1).district is None


# Publishing and planning -----------------------------------------------------------------


def test_publishing_is_recorded_once(official, district_1, estates, inspectors, time_machine):
    made = draw(official, district_1)
    draws.publish_draw(made, actor=official)
    time_machine.move_to(NOW + datetime.timedelta(hours=2), tick=False)
    again = draws.publish_draw(made, actor=official)

    assert again.published_at == NOW
    made.refresh_from_db()
    assert made.published_at == NOW
    assert audit_actions(made) == [
        ("cases.draw.drawn", official.pk),
        ("cases.draw.published", official.pk),
    ]


@pytest.mark.parametrize("who", ["inspector", "official_2", "company_a_staff"])
def test_outsiders_cannot_publish(request, official, district_1, estates, inspectors, who):
    made = draw(official, district_1)
    with pytest.raises(PermissionDenied):
        draws.publish_draw(made, actor=request.getfixturevalue(who))
    assert RandomDraw.objects.get(pk=made.pk).published_at is None


def test_drawn_inspections_are_planned_with_the_drawn_inspectors(
    official, district_1, estates, inspectors, checklist
):
    made = draw(official, district_1, count=3, seed="plan")
    planned = draws.plan_drawn_inspections(
        made, actor=official, checklist=checklist, planned_on=TODAY
    )

    assert [(i.estate_id, sorted(i.inspectors.values_list("pk", flat=True))) for i in planned] == [
        (row["target"], sorted(row["inspectors"])) for row in made.result
    ]
    assert {(i.kind, i.status, i.draw_id) for i in planned} == {
        (InspectionKind.RANDOM, InspectionStatus.PLANNED, made.pk)
    }
    # Once only: a repeat returns the same inspections.
    again = draws.plan_drawn_inspections(
        made, actor=official, checklist=checklist, planned_on=TODAY
    )
    assert [i.pk for i in again] == sorted(i.pk for i in planned)


def test_a_drawn_company_is_inspected_at_its_first_estate(
    official, district_1, estates, inspectors, checklist, company_a
):
    EstateFactory(district=district_1, managing_company=company_a)
    made = draw(official, district_1, target_kind=C, count=len(estates), seed="co")
    planned = draws.plan_drawn_inspections(
        made, actor=official, checklist=checklist, planned_on=TODAY
    )

    by_company = {i.company_id: i.estate_id for i in planned}
    assert by_company[company_a.pk] == estates[0].pk


def test_a_random_spot_check_inspects_what_was_drawn_with_whom_was_drawn(
    official, district_1, estates, inspectors, checklist
):
    made = draw(official, district_1, count=1, seed="one")
    row = made.result[0]
    drawn = next(e for e in estates if e.pk == row["target"])
    not_drawn = next(e for e in estates if e.pk != row["target"])
    team = [u for u in inspectors if u.pk in row["inspectors"]]
    others = [u for u in inspectors if u.pk not in row["inspectors"]][:2]
    options = {"kind": InspectionKind.RANDOM, "draw": made}

    with pytest.raises(InspectionError, match="was not drawn"):
        plan(official, not_drawn, team, checklist, **options)
    with pytest.raises(InspectionError, match="by the inspectors drawn"):
        plan(official, drawn, others, checklist, **options)
    assert plan(official, drawn, team, checklist, **options).draw == made


# Who sees which draw ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", {"d1", "d2", "city"}),
        ("head_of_department", {"d1", "d2", "city"}),
        ("official", {"d1"}),
        ("inspector", {"d1"}),
        ("other_district_inspector", {"d2"}),
        ("company_a_staff", set()),
        ("committee_member", set()),
        ("evaluator", set()),
        ("citizen", set()),
    ],
)
def test_who_sees_which_draws(
    request, admin, official, official_2, estates, estate_y, inspectors, district_1, who, sees
):
    team_2 = [
        request.getfixturevalue("other_district_inspector"),
        make_inspector("other_district_inspector_2", request.getfixturevalue("district_2")),
    ]
    made = {
        "d1": draw(official, district_1, count=1),
        "d2": draw(official_2, estate_y.district, count=1),
        "city": draw(admin, None, count=1),
    }
    assert team_2  # district 2 needs its two inspectors for its draw
    user = make_user("head", Role.OFFICIAL, city_wide=True) if who == "head_of_department" else None
    user = user or request.getfixturevalue(who)
    visible = set(visible_draws(user).values_list("pk", flat=True))
    assert visible == {made[key].pk for key in sees}


def test_a_consultation_answered_or_resolved_adds_nothing_to_the_weight(
    official, district_1, estates, inspectors, inspector, estate_x
):
    """A consultation is a question, not a complaint against the estate's company: answered
    at once, or dispatched and resolved like a complaint, it weighs nothing and writes no
    credit record."""
    from cases.consultations import answer_consultation
    from cases.models import Tier

    answered, resolved_the_long_way, complaint = (
        make_complaint(estate=estate_x).complaint for _ in range(3)
    )
    for question in (answered, resolved_the_long_way):
        question.tier = Tier.CONSULTATION
        question.save(update_fields=["tier"])
    answer_consultation(answered, actor=official, answer="物业费标准见公示栏。")
    resolve(resolved_the_long_way, official, inspector)
    resolve(complaint, official, inspector)

    assert list(CreditRecord.objects.values_list("source_key", flat=True)) == [
        f"complaint:{complaint.pk}"
    ]
    CreditRecord.objects.all().delete()  # as before the credit task ran: the resolved count
    by_estate = draw(official, district_1, target_kind=E, count=1, weighted_by_risk=True)
    weights = {pk: weight for pk, weight, _label in by_estate.target_pool}
    assert weights[estate_x.pk] == 5 * 2 + 1  # the complaint only
