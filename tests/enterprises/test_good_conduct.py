"""Good conduct declarations, their verification and the credit they add within the cap;
training records."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from enterprises import good_conduct
from enterprises.credit_score import explain_credit
from enterprises.good_conduct import (
    GoodConductError,
    declare_good_conduct,
    record_training,
    reject_good_conduct,
    verify_good_conduct,
)
from enterprises.models import (
    ClaimStatus,
    CreditPolicy,
    CreditRecord,
    CreditRecordKind,
    GoodConductClaim,
    TrainingSession,
)
from enterprises.permissions import visible_good_conduct_claims, visible_training_sessions
from tests.enterprises.pdfs import contract_pdf, html_named_pdf
from tests.images import png

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def english_on_a_known_day(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, 0))
    with translation.override("en"):
        yield


def declare(actor, company, *, evidence=None, title="暴雨夜抢修地库排水", **fields):
    values = {
        "kind": "exemplary",
        "description": "连夜排水，未造成车辆损失。",
        "occurred_on": TODAY - datetime.timedelta(days=10),
        **fields,
    }
    return declare_good_conduct(
        actor=actor,
        company=company,
        title=title,
        evidence=evidence if evidence is not None else contract_pdf("evidence.pdf"),
        **values,
    )


def test_a_verified_declaration_adds_points_and_explains_them(company_a_staff, company_a, official):
    claim = declare(company_a_staff, company_a)
    assert claim.status == ClaimStatus.SUBMITTED and claim.evidence.name.endswith(".pdf")
    assert "evidence" not in claim.evidence.name  # the uploader's file name is not kept

    verify_good_conduct(claim, actor=official, decision="经核实属实。")

    claim.refresh_from_db()
    assert (claim.status, claim.decided_by) == (ClaimStatus.VERIFIED, official)
    record = CreditRecord.objects.get(company=company_a, kind=CreditRecordKind.GOOD_CONDUCT)
    assert record.points == CreditPolicy.load().good_conduct_points == 2
    assert "暴雨夜抢修地库排水" in record.explanation
    company_a.refresh_from_db()
    assert explain_credit(company_a, TODAY).points == 2


def test_a_rejected_declaration_adds_nothing(company_a_staff, company_a, official):
    claim = declare(company_a_staff, company_a, evidence=png("award.png"))
    reject_good_conduct(claim, actor=official, decision="证明材料不足。")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert not CreditRecord.objects.filter(company=company_a).exists()
    with pytest.raises(GoodConductError):
        verify_good_conduct(claim, actor=official, decision="改判")


def edit_policy(**values):
    policy = CreditPolicy.load()
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()


@pytest.mark.parametrize(
    ("claims", "cap", "points"),
    [(2, 10, 6), (3, 9, 9), (4, 9, 9), (4, 0, 0)],
)
def test_good_records_add_up_to_the_cap_and_the_oldest_count_first(
    company_a_staff, company_a, official, claims, cap, points
):
    edit_policy(good_conduct_points=3, good_record_cap=cap)
    for n in range(claims):
        claim = declare(
            company_a_staff,
            company_a,
            title=f"好人好事 {n}",
            occurred_on=TODAY - datetime.timedelta(days=30 - n),
        )
        verify_good_conduct(claim, actor=official, decision="属实")
    explanation = explain_credit(company_a, TODAY)
    assert explanation.points == points
    by_title = {item.record.source_label: item.points for item in explanation.counted}
    assert sum(by_title.values()) == points
    if claims * 3 > cap:  # the newest are the ones cut
        newest = f"好人好事 {claims - 1}"
        assert by_title[newest] == 0 if cap <= 3 * (claims - 1) else by_title[newest] < 3
        assert any("at most" in item.reason for item in explanation.counted)


def test_the_cap_does_not_touch_deductions(company_a_staff, company_a, official):
    from enterprises.credit import record_penalty

    edit_policy(good_conduct_points=5, good_record_cap=5)
    record_penalty(company_a, source_key="penalty:1", label="罚1", occurred_on=TODAY)
    for n in range(2):
        claim = declare(company_a_staff, company_a, title=f"表彰 {n}")
        verify_good_conduct(claim, actor=official, decision="属实")
    explanation = explain_credit(company_a, TODAY)
    assert explanation.points == CreditPolicy.load().penalty_points + 5


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"evidence": html_named_pdf("x.pdf")}, "neither a photo nor a PDF"),
        ({"evidence": SimpleUploadedFile("x.txt", b"hello")}, "neither a photo nor a PDF"),
        ({"evidence": False}, "needs its evidence"),
        ({"title": "  "}, "a title"),
        ({"occurred_on": TODAY + datetime.timedelta(days=1)}, "within the last"),
        ({"occurred_on": TODAY - datetime.timedelta(days=400)}, "within the last"),
    ],
)
def test_bad_declarations_are_refused_and_store_nothing(
    company_a_staff, company_a, fields, message, settings
):
    fields = dict(fields)
    if fields.get("evidence") is False:
        fields["evidence"] = None
        with pytest.raises(GoodConductError, match=message):
            good_conduct.declare_good_conduct(
                actor=company_a_staff,
                company=company_a,
                kind="award",
                title="t",
                description="d",
                occurred_on=TODAY,
                evidence=None,
            )
    else:
        with pytest.raises(GoodConductError, match=message):
            declare(company_a_staff, company_a, **fields)
    assert not GoodConductClaim.objects.exists()


def test_only_the_company_declares_for_itself(company_b_staff, company_a, official):
    for actor in (company_b_staff, official, None):
        with pytest.raises(GoodConductError, match="Only staff of"):
            declare(actor, company_a)


def test_an_estate_the_company_does_not_manage_is_refused(
    company_a_staff, company_a, estate_y, company_b
):
    with pytest.raises(GoodConductError) as refused:
        declare(company_a_staff, company_a, estate=estate_y)
    assert refused.value.field == "estate"


def test_only_an_official_of_the_district_may_decide(
    company_a_staff, company_a, inspector, other_district_inspector, admin
):
    claim = declare(company_a_staff, company_a)
    for actor in (company_a_staff, inspector, other_district_inspector):
        with pytest.raises(GoodConductError, match="Only an official"):
            verify_good_conduct(claim, actor=actor, decision="属实")
    with pytest.raises(GoodConductError, match="reasons"):
        verify_good_conduct(claim, actor=admin, decision=" ")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_training_is_recorded_by_the_company_and_read_by_its_regulator(
    company_a_staff, company_a, company_b_staff, official, other_district_inspector, estate_x
):
    session = record_training(
        actor=company_a_staff,
        company=company_a,
        estate=estate_x,
        held_on=TODAY,
        topic="电梯困人应急演练",
        hours="2.5",
        staff_count=18,
    )
    assert list(visible_training_sessions(official)) == [session]
    assert not visible_training_sessions(other_district_inspector).exists()
    assert not visible_training_sessions(company_b_staff).exists()
    with pytest.raises(GoodConductError, match="once it has been held"):
        record_training(
            actor=company_a_staff,
            company=company_a,
            held_on=TODAY + datetime.timedelta(days=1),
            topic="x",
            hours=1,
            staff_count=1,
        )
    with pytest.raises(GoodConductError, match="Only staff of"):
        record_training(
            actor=company_b_staff,
            company=company_a,
            held_on=TODAY,
            topic="x",
            hours=1,
            staff_count=1,
        )
    assert TrainingSession.objects.count() == 1


def test_declarations_are_seen_by_their_company_and_district_only(
    company_a_staff,
    company_a,
    company_b_staff,
    official,
    other_district_inspector,
    committee_member,
):
    claim = declare(company_a_staff, company_a)
    assert list(visible_good_conduct_claims(company_a_staff)) == [claim]
    assert list(visible_good_conduct_claims(official)) == [claim]
    for outsider in (company_b_staff, other_district_inspector, committee_member):
        assert not visible_good_conduct_claims(outsider).exists()
