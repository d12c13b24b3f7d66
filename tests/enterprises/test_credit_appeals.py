"""Credit repair (信用修复): a company appeals a record, an official of its district decides."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from wagtail.models import ModelLogEntry

from enterprises import access
from enterprises.credit import (
    CreditError,
    appeal_credit_record,
    dismiss_appeal,
    record_penalty,
    uphold_appeal,
)
from enterprises.credit_score import explain_credit, recompute_credit
from enterprises.models import AppealStatus, CreditAppeal, CreditRecord
from foundation.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db
REASON = "处罚决定已被行政复议撤销，附复议决定书。"


@pytest.fixture(autouse=True)
def english_on_a_known_day(time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00")
    with translation.override("en"):
        yield


@pytest.fixture
def penalised(company_a):
    """Company A with one penalty on its record: 100 − 10 = 90."""
    record = record_penalty(
        company_a,
        source_key="penalty:1",
        label="罚〔2026〕1号",
        occurred_on=datetime.date(2026, 3, 1),
    )
    recompute_credit(company_a)
    return record


@pytest.fixture
def appeal(penalised, company_a_staff):
    return appeal_credit_record(penalised, actor=company_a_staff, reason=REASON)


def actions(instance) -> list[str]:
    return list(
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
        )
        .order_by("timestamp", "id")
        .values_list("action", flat=True)
    )


def score_of(company) -> int:
    company.refresh_from_db()
    return company.credit_score


def test_company_staff_appeals_its_record(appeal, penalised, company_a_staff):
    assert appeal.status == AppealStatus.SUBMITTED
    assert appeal.record == penalised and appeal.submitted_by == company_a_staff
    assert actions(appeal) == ["enterprises.credit.appealed"]


def test_upheld_appeal_withdraws_the_record_and_its_points(appeal, penalised, official, company_a):
    assert score_of(company_a) == 90
    uphold_appeal(appeal, actor=official, decision="复议决定书属实，撤销该记录。")

    appeal.refresh_from_db()
    penalised.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert appeal.decided_by == official and appeal.decided_at is not None
    assert penalised.withdrawn is True
    assert score_of(company_a) == 100
    assert company_a.credit_list == "red"
    explanation = explain_credit(company_a)
    [withdrawn] = explanation.not_counted
    assert withdrawn.record == penalised and withdrawn.reason == "Withdrawn on appeal."
    assert actions(appeal) == ["enterprises.credit.appealed", "enterprises.credit.appeal_upheld"]


def test_upholding_twice_is_quiet(appeal, official):
    uphold_appeal(appeal, actor=official, decision="撤销。")
    uphold_appeal(appeal, actor=official, decision="撤销。")
    assert actions(appeal).count("enterprises.credit.appeal_upheld") == 1


def test_dismissed_appeal_keeps_the_points(appeal, penalised, official, company_a):
    dismiss_appeal(appeal, actor=official, decision="复议仍在进行，处罚有效。")
    appeal.refresh_from_db()
    penalised.refresh_from_db()
    assert appeal.status == AppealStatus.DISMISSED
    assert appeal.decision == "复议仍在进行，处罚有效。"
    assert penalised.withdrawn is False
    assert score_of(company_a) == 90
    assert [item.record for item in explain_credit(company_a).counted] == [penalised]


def test_a_decided_appeal_cannot_be_decided_the_other_way(appeal, penalised, official):
    dismiss_appeal(appeal, actor=official, decision="处罚有效。")
    with pytest.raises(CreditError, match="cannot become"):
        uphold_appeal(appeal, actor=official, decision="改判")
    assert CreditAppeal.objects.get().status == AppealStatus.DISMISSED
    assert CreditRecord.objects.get().withdrawn is False


def test_company_may_appeal_again_after_a_dismissal(appeal, penalised, official, company_a_staff):
    dismiss_appeal(appeal, actor=official, decision="材料不足。")
    second = appeal_credit_record(penalised, actor=company_a_staff, reason="补充复议决定书原件。")
    assert second.status == AppealStatus.SUBMITTED
    assert CreditAppeal.objects.count() == 2


def test_second_open_appeal_is_refused(appeal, penalised, company_a_staff):
    with pytest.raises(CreditError, match="awaiting a decision"):
        appeal_credit_record(penalised, actor=company_a_staff, reason="再次申请")
    assert CreditAppeal.objects.count() == 1


def test_withdrawn_record_cannot_be_appealed(appeal, penalised, official, company_a_staff):
    uphold_appeal(appeal, actor=official, decision="撤销。")
    with pytest.raises(CreditError, match="already been withdrawn"):
        appeal_credit_record(penalised, actor=company_a_staff, reason="再次申请")
    assert CreditAppeal.objects.count() == 1


def test_appeal_needs_a_reason(penalised, company_a_staff):
    with pytest.raises(CreditError, match="needs the reasons"):
        appeal_credit_record(penalised, actor=company_a_staff, reason="  ")
    assert not CreditAppeal.objects.exists()


@pytest.mark.parametrize("outsider", ["company_b_staff", "official", "committee_member", "citizen"])
def test_only_the_company_itself_may_appeal(request, penalised, outsider):
    with pytest.raises(CreditError, match="Only staff of"):
        appeal_credit_record(penalised, actor=request.getfixturevalue(outsider), reason=REASON)
    assert not CreditAppeal.objects.exists()


@pytest.mark.parametrize(
    "decider", ["company_a_staff", "company_b_staff", "inspector", "other_district_official"]
)
def test_only_an_official_of_the_district_may_decide(
    request, appeal, penalised, company_a, decider
):
    if decider == "other_district_official":
        actor = make_user(
            "other_district_official", Role.OFFICIAL, district=request.getfixturevalue("district_2")
        )
    else:
        actor = request.getfixturevalue(decider)
    for decide in (uphold_appeal, dismiss_appeal):
        with pytest.raises(CreditError, match="Only an official"):
            decide(appeal, actor=actor, decision="自行决定")
    appeal.refresh_from_db()
    penalised.refresh_from_db()
    assert appeal.status == AppealStatus.SUBMITTED and appeal.decided_by is None
    assert penalised.withdrawn is False
    assert score_of(company_a) == 90


def test_the_appellant_never_decides_even_as_an_official(penalised, official, company_a, company_b):
    access.grant_company_staff(official, company_a)
    appeal = appeal_credit_record(penalised, actor=official, reason=REASON)
    with pytest.raises(CreditError, match="never the appellant"):
        uphold_appeal(appeal, actor=official, decision="撤销。")
    # No longer staff of company A, still the one who lodged the appeal.
    access.grant_company_staff(official, company_b)
    with pytest.raises(CreditError, match="never the appellant"):
        uphold_appeal(appeal, actor=official, decision="撤销。")
    assert CreditRecord.objects.get().withdrawn is False


def test_city_administrator_may_decide(appeal, admin, company_a):
    uphold_appeal(appeal, actor=admin, decision="撤销。")
    assert score_of(company_a) == 100


def test_decision_needs_its_reasons(appeal, official):
    with pytest.raises(CreditError, match="needs its reasons"):
        dismiss_appeal(appeal, actor=official, decision="")
    assert CreditAppeal.objects.get().status == AppealStatus.SUBMITTED
