"""The credit score (信用评价): records, their validity, grades, the red and black lists, and
the explanation behind every point."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from wagtail.models import ModelLogEntry

from cases import dispatch, workflow
from enterprises.credit import (
    record_overdue_rectification,
    record_penalty,
    record_substantiated_complaint,
)
from enterprises.credit_score import evaluation_points, explain_credit, recompute_credit
from enterprises.credit_tasks import recompute_all_credit, recompute_company_credit
from enterprises.evaluations import submit_evaluation
from enterprises.models import Company, CreditPolicy, CreditRecord, CreditRecordKind, Evaluation
from enterprises.models.evaluations import DIMENSIONS
from foundation.roles import Role
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db
Kind = CreditRecordKind


@pytest.fixture(autouse=True)
def english_on_a_known_day(time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00")
    with translation.override("en"):
        yield


def dispatch_to_an_inspector(complaint, actor):
    """Dispatched to an inspector, who signs for it: in progress."""
    inspector = make_user("credit_inspector", Role.INSPECTOR)
    dispatch.dispatch_case(complaint, actor=actor, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(status="awaiting_signature"), actor=inspector)


def resolved_complaint(estate, actor):
    complaint = make_complaint(estate=estate).complaint
    workflow.accept_case(complaint, actor=actor)
    dispatch_to_an_inspector(complaint, actor)
    workflow.resolve_case(complaint, actor=actor, reply="已处理")
    return complaint


def penalty(company, n: int, on=datetime.date(2026, 3, 1)):
    return record_penalty(
        company, source_key=f"penalty:{n}", label=f"罚〔2026〕{n}号", occurred_on=on
    )


def edit_policy(**values) -> CreditPolicy:
    policy = CreditPolicy.load()
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def recomputations(company) -> int:
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Company),
        object_id=str(company.pk),
        action="enterprises.credit.recomputed",
    ).count()


# Complaints -----------------------------------------------------------------------------


def test_substantiated_complaint_costs_points_and_explains_them(official, estate_x, company_a):
    complaint = resolved_complaint(estate_x, official)
    explanation = recompute_credit(company_a)

    assert (explanation.base_score, explanation.points, explanation.score) == (100, -2, 98)
    [item] = explanation.counted
    assert item.record.kind == Kind.SUBSTANTIATED_COMPLAINT
    assert item.record.source_label == complaint.tracking_number
    assert item.record.source_key == f"complaint:{complaint.pk}"
    assert item.points == -2
    assert item.record.occurred_on == datetime.date(2026, 3, 10)
    assert item.record.valid_until == datetime.date(2027, 3, 10)
    assert complaint.tracking_number in item.record.explanation
    company_a.refresh_from_db()
    assert (company_a.credit_score, company_a.credit_grade) == (98, "AAA")
    assert company_a.credit_computed_at is not None


def test_rejected_or_unfinished_complaints_never_count(official, estate_x, company_a):
    rejected = make_complaint(estate=estate_x).complaint
    workflow.reject_case(rejected, actor=official, reason="不属于物业服务范围")
    in_progress = make_complaint(estate=estate_x).complaint
    workflow.accept_case(in_progress, actor=official)

    explanation = recompute_credit(company_a)
    assert explanation.score == 100 and explanation.counted == []
    assert not CreditRecord.objects.exists()


def test_reopened_case_stays_substantiated(official, estate_x, company_a):
    complaint = resolved_complaint(estate_x, official)
    workflow.record_follow_up(complaint, actor=None, satisfaction="unsatisfied")
    dispatch_to_an_inspector(complaint, official)
    assert recompute_credit(company_a).score == 98


def test_complaint_counts_against_its_own_company_only(admin, estate_y, company_a, company_b):
    resolved_complaint(estate_y, admin)
    assert recompute_credit(company_a).score == 100
    assert recompute_credit(company_b).score == 98


def test_resolution_writes_the_record_in_its_transaction(official, estate_x, company_a):
    complaint = resolved_complaint(estate_x, official)
    [record] = CreditRecord.objects.all()
    assert (record.company, record.source_key) == (company_a, f"complaint:{complaint.pk}")


def test_a_failed_resolution_writes_no_record(official, estate_x, monkeypatch):
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official)
    dispatch_to_an_inspector(complaint, official)

    def fail(*args, **kwargs):
        raise RuntimeError("the rest of the resolution failed")

    monkeypatch.setattr(workflow, "tell_complainant", fail)
    with pytest.raises(RuntimeError):
        workflow.resolve_case(complaint, actor=official, reply="已处理")
    complaint.refresh_from_db()
    assert complaint.status == "in_progress"
    assert not CreditRecord.objects.exists()


def test_recording_twice_writes_one_record(official, estate_x, company_a, time_machine):
    complaint = resolved_complaint(estate_x, official)
    first = CreditRecord.objects.get()
    time_machine.move_to("2026-03-12 10:00 +08:00")
    again = record_substantiated_complaint(
        company_a,
        source_key=f"complaint:{complaint.pk}",
        label=complaint.tracking_number,
        occurred_on=datetime.date(2026, 3, 12),
    )
    assert again == first and again.occurred_on == datetime.date(2026, 3, 10)
    recompute_credit(company_a)
    recompute_credit(company_a)
    assert CreditRecord.objects.count() == 1


def test_changed_points_apply_to_new_records_only(official, estate_x, company_a):
    resolved_complaint(estate_x, official)
    recompute_credit(company_a)
    edit_policy(complaint_points=-5)
    resolved_complaint(estate_x, official)
    explanation = recompute_credit(company_a)
    assert sorted(item.points for item in explanation.counted) == [-5, -2]
    assert explanation.score == 93


# Evaluations ----------------------------------------------------------------------------


def scored(**values) -> Evaluation:
    return Evaluation(**values)


@pytest.mark.parametrize(
    ("scores", "points"),
    [
        ([90] * 6, 2),
        ([60] * 6, -4),
        ([80] * 6, 0),
        ([100] * 6, 4),
        ([0] * 6, -16),
        ([82, 82, 82, 82, 82, 85], 1),  # average 82.5: a half, away from zero
        ([77, 77, 77, 77, 77, 80], -1),  # average 77.5
        ([84, 84, 84, 84, 84, 84], 1),  # 0.8 rounds up
        ([81, 81, 81, 81, 81, 81], 0),  # 0.2 rounds down
    ],
)
def test_evaluation_points_are_the_rounded_distance_from_80_in_fives(scores, points):
    assert evaluation_points(scored(**dict(zip(DIMENSIONS, scores, strict=True)))) == points


def test_evaluation_adds_its_points_to_the_score(official, evaluator, estate_x, company_a):
    for _ in range(3):
        resolved_complaint(estate_x, official)
    evaluation = submit_evaluation(
        actor=evaluator, estate=estate_x, period="2026-Q1", scores=dict.fromkeys(DIMENSIONS, 90)
    )
    explanation = recompute_credit(company_a)
    assert explanation.score == 100 - 6 + 2
    [record] = [item.record for item in explanation.counted if item.record.kind == Kind.EVALUATION]
    assert record.source_key == f"evaluation:{evaluation.pk}"
    assert record.points == 2
    assert "2026-Q1" in record.source_label and "+2" in record.explanation


# Validity -------------------------------------------------------------------------------


def test_record_stops_counting_after_its_validity(official, estate_x, company_a, time_machine):
    resolved_complaint(estate_x, official)
    assert recompute_credit(company_a).score == 98

    time_machine.move_to("2027-03-10 23:00 +08:00")
    assert recompute_credit(company_a).score == 98  # the last day it counts

    time_machine.move_to("2027-03-11 08:00 +08:00")
    explanation = recompute_credit(company_a)
    assert explanation.score == 100 and explanation.counted == []
    [expired] = explanation.not_counted
    assert expired.reason == "Expired on 2027-03-10."
    assert expired.points == 0
    company_a.refresh_from_db()
    assert company_a.credit_score == 100


def test_explaining_a_past_day_ignores_later_records(company_a):
    penalty(company_a, 1, on=datetime.date(2026, 3, 1))
    assert explain_credit(company_a, today=datetime.date(2026, 2, 28)).score == 100
    assert explain_credit(company_a, today=datetime.date(2026, 3, 1)).score == 90


# Grades ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "grade"),
    [
        ({}, "AA"),
        ({"grade_aaa_from": 90}, "AAA"),
        ({"grade_aa_from": 91}, "A"),
        ({"grade_aa_from": 91, "grade_a_from": 91}, "B"),
        ({"grade_aa_from": 91, "grade_a_from": 91, "grade_b_from": 91}, "C"),
    ],
)
def test_grade_follows_the_thresholds_in_the_policy(company_a, policy, grade):
    edit_policy(**policy)
    penalty(company_a, 1)
    explanation = recompute_credit(company_a)
    assert (explanation.score, explanation.grade) == (90, grade)
    company_a.refresh_from_db()
    assert company_a.credit_grade == grade


def test_score_is_clamped_to_0(company_a):
    edit_policy(rectification_points=-60)
    for n in (1, 2):
        record_overdue_rectification(
            company_a,
            source_key=f"rectification:{n}",
            label=f"整改{n}",
            occurred_on=datetime.date(2026, 3, 1),
        )
    explanation = recompute_credit(company_a)
    assert (explanation.points, explanation.score, explanation.grade) == (-120, 0, "C")


# Red and black lists --------------------------------------------------------------------


def test_clean_high_score_is_on_the_red_list(company_a):
    explanation = recompute_credit(company_a)
    assert (explanation.score, explanation.credit_list) == (100, "red")
    assert "no penalty" in explanation.list_reason


def test_a_penalty_keeps_a_high_score_off_the_red_list(company_a):
    edit_policy(penalty_points=-1)
    penalty(company_a, 1)
    explanation = recompute_credit(company_a)
    assert (explanation.score, explanation.credit_list) == (99, "")


def test_red_list_threshold_comes_from_the_policy(official, estate_x, company_a):
    resolved_complaint(estate_x, official)
    resolved_complaint(estate_x, official)
    resolved_complaint(estate_x, official)
    assert recompute_credit(company_a).credit_list == ""  # 94
    edit_policy(red_list_from=94)
    assert recompute_credit(company_a).credit_list == "red"


def test_penalties_in_the_period_put_a_company_on_the_black_list(company_a, time_machine):
    penalty(company_a, 1)
    assert recompute_credit(company_a).credit_list == ""
    penalty(company_a, 2)
    explanation = recompute_credit(company_a)
    assert (explanation.score, explanation.credit_list) == (80, "black")
    assert "2 administrative penalties" in explanation.list_reason
    company_a.refresh_from_db()
    assert company_a.credit_list == "black"

    time_machine.move_to("2027-03-02 08:00 +08:00")
    assert recompute_credit(company_a).credit_list == "red"


def test_a_very_low_score_puts_a_company_on_the_black_list(company_a):
    edit_policy(penalty_points=-61, black_list_penalties=5)
    penalty(company_a, 1)
    explanation = recompute_credit(company_a)
    assert (explanation.score, explanation.grade, explanation.credit_list) == (39, "C", "black")
    edit_policy(grade_b_from=59)  # black below 39
    assert recompute_credit(company_a).credit_list == ""


# Recomputing ----------------------------------------------------------------------------


def test_recompute_audits_only_a_change(official, estate_x, company_a, time_machine):
    recompute_credit(company_a)
    first_computed_at = Company.objects.get(pk=company_a.pk).credit_computed_at
    time_machine.move_to("2026-03-11 10:00 +08:00")
    recompute_credit(company_a)
    assert recomputations(company_a) == 1
    assert Company.objects.get(pk=company_a.pk).credit_computed_at > first_computed_at
    resolved_complaint(estate_x, official)
    recompute_credit(company_a)
    assert recomputations(company_a) == 2


def test_penalty_recomputes_the_company_once_committed(
    company_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        penalty(company_a, 1)
    company_a.refresh_from_db()
    assert (company_a.credit_score, company_a.credit_grade) == (90, "AA")


def test_nightly_run_scores_every_company(official, estate_x, admin, estate_y):
    resolved_complaint(estate_x, official)
    resolved_complaint(estate_y, admin)
    assert not Company.objects.filter(credit_computed_at__isnull=False).exists()
    assert recompute_all_credit() == Company.objects.count()
    assert dict(Company.objects.values_list("name", "credit_score")) == {
        estate_x.managing_company.name: 98,
        estate_y.managing_company.name: 98,
    }


def test_task_for_a_company_that_is_gone_exits_quietly(company_a):
    assert recompute_company_credit(company_a.pk) == 100
    assert recompute_company_credit(company_a.pk + 1000) is None
