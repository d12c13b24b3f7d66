"""Publicity periods of penalty decisions and their withdrawal (issue 21): a result leaves the
public enforcement results when its period ends (kept in the register), a decision changed,
revoked or annulled on review is withdrawn at once with its credit record; refusals change
nothing. Also the screens: the due-process buttons and the administrator's penalty rules."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cases import penalties, penalty_process, penalty_publicity
from cases.models import (
    EnforcementResult,
    Penalty,
    PenaltyKind,
    PenaltyRule,
    PenaltyStatus,
    ReviewBody,
    ReviewOutcome,
)
from cases.penalties import PenaltyError
from enterprises import credit_score
from enterprises.models import CreditRecord
from portal.models import EnforcementIndexPage
from tests.cases.penalty_fixtures import actions, local, propose, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "national_day_eve")]
S = PenaltyStatus


def executed(inspector, second_official, official, company) -> Penalty:
    """A small fine (simple procedure) decided, served and executed on 30 September 2026."""
    penalty = propose(inspector, company, amount="2000")
    penalties.approve_penalty(penalty, actor=second_official, decision="罚款人民币贰仟元。")
    penalties.serve_penalty(penalty, actor=official)
    return penalties.record_execution(penalty, actor=official)


@pytest.fixture
def published(inspector, second_official, official, company_a):
    penalty = executed(inspector, second_official, official, company_a)
    return penalties.publish_penalty(penalty, actor=official)


@pytest.fixture
def public_page(site_pages, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    site_pages["home"].add_child(
        instance=EnforcementIndexPage(title="执法结果公示", slug="enforcement")
    )

    def shows(penalty) -> bool:
        response = Client().get("/enforcement/")
        assert response.status_code == 200
        return penalty.decision_number in response.content.decode()

    return shows


def test_publication_runs_for_the_period_of_the_kind(published):
    # A fine: 365 days from the day of the decision, that day counted.
    assert published.enforcement_result.public_until == datetime.date(2027, 9, 29)
    PenaltyRule.objects.filter(kind=PenaltyKind.WARNING).update(publicity_days=30)
    assert penalties.publicity_ends_on(
        Penalty(kind=PenaltyKind.WARNING, decided_on=published.decided_on)
    ) == datetime.date(2026, 10, 29)


def test_publication_after_the_period_is_refused(
    inspector, second_official, official, company_a, national_day_eve
):
    penalty = executed(inspector, second_official, official, company_a)
    national_day_eve.move_to(local(2027, 9, 30), tick=False)
    before = snapshot(penalty)
    with pytest.raises(PenaltyError, match="publicity period of this decision ended on 2027-09-29"):
        penalties.publish_penalty(penalty, actor=official)
    assert snapshot(penalty) == before and not EnforcementResult.objects.exists()


def test_the_result_leaves_the_public_site_when_its_period_ends(
    published, public_page, national_day_eve
):
    assert public_page(published)
    national_day_eve.move_to(local(2027, 9, 29, 23, 59), tick=False)
    assert penalty_publicity.end_publicity() == 0 and public_page(published)
    national_day_eve.move_to(local(2027, 9, 30, 0, 15), tick=False)
    assert penalty_publicity.end_publicity() == 1
    assert penalty_publicity.end_publicity() == 0  # a second run (or delivery) does nothing
    assert not public_page(published)
    result = EnforcementResult.objects.get()  # kept in the register
    assert result.removed_at == local(2027, 9, 30, 0, 15)
    assert "2027-09-29" in result.removal_reason
    assert actions(published).count("cases.penalty.publicity_ended") == 1
    assert Penalty.objects.get(pk=published.pk).status == S.PUBLISHED


def test_a_revoked_decision_is_withdrawn_with_its_credit_record(
    published, official, company_a, public_page
):
    credit_score.recompute_credit(company_a)  # queued on commit after the execution
    company_a.refresh_from_db()
    assert company_a.credit_score == 90
    withdrawn = penalty_publicity.withdraw_penalty(
        published, actor=official, outcome=ReviewOutcome.REVOKED,
        body=ReviewBody.RECONSIDERATION, reason="青岚市人民政府行政复议决定书（2026）第12号撤销",
    )  # fmt: skip
    assert (withdrawn.status, withdrawn.review_outcome, withdrawn.withdrawn_by) == (
        S.WITHDRAWN,
        ReviewOutcome.REVOKED,
        official,
    )
    result = EnforcementResult.objects.get()
    assert result.removed_at is not None and "第12号撤销" in result.removal_reason
    assert not public_page(published)
    record = CreditRecord.objects.get(company=company_a, source_key=f"penalty:{published.pk}")
    assert record.withdrawn
    company_a.refresh_from_db()
    assert company_a.credit_score == 100
    again = penalty_publicity.withdraw_penalty(
        published, actor=official, outcome=ReviewOutcome.ANNULLED, body=ReviewBody.LITIGATION,
        reason="again",
    )  # fmt: skip
    assert again.review_outcome == ReviewOutcome.REVOKED
    assert actions(published).count("cases.penalty.withdrawn") == 1


def test_a_served_decision_changed_by_a_court_is_withdrawn_without_a_record(
    inspector, second_official, official, company_a
):
    penalty = propose(inspector, company_a, PenaltyKind.WARNING)
    penalties.approve_penalty(penalty, actor=second_official, decision="警告。")
    penalties.serve_penalty(penalty, actor=official)
    withdrawn = penalty_publicity.withdraw_penalty(
        penalty, actor=official, outcome=ReviewOutcome.CHANGED, body=ReviewBody.LITIGATION,
        reason="（2026）青行初字第3号判决变更",
    )  # fmt: skip
    assert withdrawn.status == S.WITHDRAWN and not CreditRecord.objects.exists()


@pytest.mark.parametrize(
    ("who", "outcome", "body", "reason", "message"),
    [
        ("inspector", "revoked", "reconsideration", "复议", "Only an official of the penalty's"),
        ("company_a_staff", "revoked", "reconsideration", "复议", "Only an official"),
        ("official", "forgiven", "reconsideration", "复议", "changed, revoked or annulled"),
        ("official", "revoked", "newspaper", "复议", "Say who changed"),
        ("official", "revoked", "reconsideration", " ", "Give the reason"),
    ],
)
def test_a_withdrawal_needs_an_official_the_outcome_and_the_reason(
    request, published, company_a, who, outcome, body, reason, message
):
    before = snapshot(published)
    with pytest.raises(PenaltyError, match=message):
        penalty_publicity.withdraw_penalty(
            published, actor=request.getfixturevalue(who), outcome=outcome, body=body,
            reason=reason,
        )  # fmt: skip
    assert snapshot(published) == before
    assert EnforcementResult.objects.get().removed_at is None
    assert not CreditRecord.objects.get(company=company_a).withdrawn


def test_an_undecided_penalty_is_not_withdrawn(inspector, official, company_a):
    penalty = propose(inspector, company_a)
    with pytest.raises(PenaltyError, match="cannot become “Withdrawn after review”"):
        penalty_publicity.withdraw_penalty(
            penalty, actor=official, outcome="revoked", body="authority", reason="撤销"
        )
    assert Penalty.objects.get(pk=penalty.pk).status == S.PROPOSED


# The screens --------------------------------------------------------------------------------


def button(name: str, penalty) -> str:
    return reverse(f"supervision_penalties:{name}", args=[penalty.pk])


def test_the_company_asks_for_a_hearing_on_the_penalty_screen(
    client, inspector, official, company_a, company_a_staff, national_day_eve
):
    penalty = penalty_process.serve_prior_notice(
        propose(inspector, company_a), actor=official, evidence="检查笔录"
    )
    client.force_login(company_a_staff)
    page = client.get(reverse("supervision_penalties:inspect", args=[penalty.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and penalty.notice_number in html
    assert button("request_hearing", penalty) in html and button("notify", penalty) not in html
    client.force_login(inspector)
    assert client.post(button("request_hearing", penalty)).status_code == 403
    client.force_login(company_a_staff)
    response = client.post(button("request_hearing", penalty))
    assert response.status_code == 302
    assert Penalty.objects.get(pk=penalty.pk).status == S.HEARING_REQUESTED


def test_a_refused_step_on_the_screen_says_why_and_changes_nothing(
    client, inspector, official, company_a
):
    penalty = propose(inspector, company_a)
    client.force_login(official)
    page = client.get(reverse("supervision_penalties:inspect", args=[penalty.pk]))
    assert "90 days from opening the case" in page.content.decode()
    before = snapshot(penalty)
    response = client.post(button("notify", penalty), {"notify-text": " "}, follow=True)
    assert "Evidence" in response.content.decode() and snapshot(penalty) == before
    client.force_login(inspector)  # the proposer: revising is an official's decision
    response = client.post(
        button("revise", penalty),
        {"revise-kind": "fine", "revise-fine_amount": "70000", "revise-reason": "从轻"},
    )
    assert response.status_code == 403
    assert Penalty.objects.get(pk=penalty.pk).fine_amount == Decimal("80000")


def test_the_administrator_edits_the_penalty_rules(client, admin, official):
    rule = PenaltyRule.objects.get(kind=PenaltyKind.FINE)
    assert (rule.hearing_from_amount, rule.publicity_days) == (50000, 365)
    client.force_login(official)
    assert client.get(reverse("penalty_rules:index")).status_code == 302  # no permission
    client.force_login(admin)
    assert client.get(reverse("penalty_rules:index")).status_code == 200
    response = client.post(
        reverse("penalty_rules:edit", args=[rule.pk]),
        {"kind": "fine", "hearing_from_amount": "100000", "publicity_days": "180"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.hearing_from_amount, rule.publicity_days) == (100000, 180)
