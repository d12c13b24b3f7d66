"""Administrative penalties (行政处罚): proposal, the four-eyes approval with its numbered
decision document, service, execution on the licence and the credit record, and publication
as a public enforcement result with personal data masked. Refusals change nothing."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation
from wagtail.models import ModelLogEntry

from cases import penalties, penalty_process, permissions, rectification
from cases.models import (
    EnforcementResult,
    Penalty,
    PenaltyKind,
    PenaltyStatus,
)
from cases.penalties import PenaltyError
from enterprises import licensing
from enterprises.models import CreditRecord, CreditRecordKind, Licence, LicenceStatus
from foundation.models import Notification
from foundation.roles import Role
from portal.models import EnforcementIndexPage
from tests.factories import make_user

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)
PERSONAL = "业主张伟（电话13812345678，身份证110101199003071234，邮箱zhang.wei@example.com）"
VIOLATION = f"电梯停运11天未组织维修，{PERSONAL}多次投诉未处理。"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def approver(district_1):
    """A second official of district 1: the four eyes."""
    return make_user("approver", Role.OFFICIAL, district=district_1)


@pytest.fixture
def official_2(district_2):
    return make_user("official_2", Role.OFFICIAL, district=district_2)


@pytest.fixture
def licence(company_a, company_a_staff, official):
    applied = licensing.apply_for_licence(company_a, actor=company_a_staff, scope="住宅物业管理")
    return licensing.approve_licence(
        applied,
        actor=official,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2028, 12, 31),
    )


def propose(actor, company, kind=PenaltyKind.FINE, *, notice=True, **kwargs) -> Penalty:
    """A proposal; one taking the general procedure was proposed three weeks ago and its prior
    notice served then (``notice=False``: just proposed), so it may be decided now."""
    if kind == PenaltyKind.FINE:
        kwargs.setdefault("fine_amount", Decimal("30000"))
    arguments = {
        "actor": actor,
        "company": company,
        "kind": kind,
        "violation": kwargs.pop("violation", VIOLATION),
        "legal_basis": kwargs.pop("legal_basis", "《青岚市物业管理条例》第五十八条"),
        **kwargs,
    }
    if not notice or penalties.takes_simple_procedure(kind, kwargs.get("fine_amount")):
        return penalties.propose_penalty(**arguments)
    with time_machine.travel(NOW - datetime.timedelta(days=21), tick=False):
        penalty = penalties.propose_penalty(**arguments)
        penalty_process.serve_prior_notice(penalty, actor=notifier(penalty), evidence="检查笔录")
    penalty.refresh_from_db()
    return penalty


def notifier(penalty):
    """The official who served the prior notices (of the penalty's district)."""
    user = get_user_model().objects.filter(username="notifier").first()
    return user or make_user("notifier", Role.OFFICIAL, district=penalty.district)


@pytest.fixture
def proposed(inspector, company_a, estate_x):
    return propose(inspector, company_a, estate=estate_x)


@pytest.fixture
def approved(proposed, approver):
    return penalties.approve_penalty(proposed, actor=approver, decision="罚款人民币三万元。")


@pytest.fixture
def served(approved, official):
    return penalties.serve_penalty(approved, actor=official)


@pytest.fixture
def executed(served, official):
    return penalties.record_execution(served, actor=official)


def trail(penalty) -> list[tuple[str, int | None]]:
    return list(
        ModelLogEntry.objects.for_instance(penalty)
        .order_by("timestamp", "id")
        .values_list("action", "user_id")
    )


def snapshot(penalty) -> dict:
    row = Penalty.objects.get(pk=penalty.pk)
    return {
        "status": row.status,
        "decision_number": row.decision_number,
        "document": row.decision_document.name,
        "approved_by": row.approved_by_id,
        "audit": trail(row),
    }


def full_lifecycle(inspector, approver, official, company, **kwargs) -> Penalty:
    penalty = propose(inspector, company, **kwargs)
    penalties.approve_penalty(penalty, actor=approver, decision="依法作出处罚。")
    penalties.serve_penalty(penalty, actor=official)
    return penalties.record_execution(penalty, actor=official)


# Proposing ---------------------------------------------------------------------------------


def test_inspector_proposes_a_fine(inspector, company_a, estate_x):
    penalty = propose(inspector, company_a, estate=estate_x, notice=False)
    assert (penalty.status, penalty.kind, penalty.fine_amount) == (
        PenaltyStatus.PROPOSED,
        PenaltyKind.FINE,
        30000,
    )
    assert (penalty.district_id, penalty.proposed_by, penalty.decision_number) == (
        estate_x.district_id,
        inspector,
        None,
    )
    assert trail(penalty) == [("cases.penalty.proposed", inspector.pk)]


def test_the_district_follows_the_inspection_or_order(estate_y, admin):
    company_b = estate_y.managing_company
    order = rectification.issue_order(
        actor=admin, company=company_b, requirements="x", deadline=TODAY, estate=estate_y
    )
    penalty = propose(admin, company_b, PenaltyKind.WARNING, order=order)
    assert (penalty.district_id, penalty.estate) == (estate_y.district_id, estate_y)


@pytest.mark.parametrize(
    ("kind", "amount", "message"),
    [
        (PenaltyKind.FINE, None, "A fine needs a positive amount"),
        (PenaltyKind.FINE, Decimal("0"), "A fine needs a positive amount"),
        (PenaltyKind.FINE, Decimal("-100"), "A fine needs a positive amount"),
        (PenaltyKind.WARNING, Decimal("500"), "Only a fine has an amount"),
        ("jail", None, "Choose a warning, a fine"),
    ],
)
def test_the_amount_fits_the_kind(inspector, company_a, kind, amount, message):
    with pytest.raises(PenaltyError, match=message):
        penalties.propose_penalty(
            actor=inspector, company=company_a, kind=kind, violation="v", legal_basis="b",
            fine_amount=amount,
        )  # fmt: skip
    assert not Penalty.objects.exists()


def test_a_violation_and_its_legal_basis_are_required(inspector, company_a):
    with pytest.raises(PenaltyError, match="violation and its legal basis"):
        propose(inspector, company_a, PenaltyKind.WARNING, legal_basis=" ")
    assert not Penalty.objects.exists()


def test_a_suspension_needs_an_approved_licence(inspector, company_a, company_a_staff):
    with pytest.raises(PenaltyError, match="no licence this penalty can act on"):
        propose(inspector, company_a, PenaltyKind.SUSPENSION)
    applied = licensing.apply_for_licence(company_a, actor=company_a_staff, scope="住宅物业管理")
    with pytest.raises(PenaltyError, match="is “Applied”: this penalty cannot act on it"):
        propose(inspector, company_a, PenaltyKind.SUSPENSION, licence=applied)
    assert not Penalty.objects.exists()


def test_a_suspension_acts_on_the_companys_approved_licence(inspector, company_a, licence):
    assert propose(inspector, company_a, PenaltyKind.SUSPENSION).licence == licence


def test_a_licence_of_another_company_is_refused(admin, company_b, licence):
    with pytest.raises(PenaltyError, match="belongs to another company"):
        propose(admin, company_b, PenaltyKind.REVOCATION, licence=licence)


def test_a_warning_names_no_licence(inspector, company_a, licence):
    with pytest.raises(PenaltyError, match="Only a suspension or a revocation"):
        propose(inspector, company_a, PenaltyKind.WARNING, licence=licence)


@pytest.mark.parametrize("who", ["other_district_inspector", "company_a_staff", "evaluator"])
def test_only_regulator_staff_of_the_district_propose(request, who, company_a, estate_x):
    with pytest.raises(PenaltyError, match="may not propose penalties in this district"):
        propose(request.getfixturevalue(who), company_a, estate=estate_x)
    assert not Penalty.objects.exists()


# Deciding ---------------------------------------------------------------------------------


def test_another_official_approves_with_a_numbered_decision_and_its_document(
    proposed, approver, inspector
):
    penalty = penalties.approve_penalty(proposed, actor=approver, decision="罚款人民币三万元。")
    assert penalty.decision_number == "青岚住建罚〔2026〕第001号"
    assert (penalty.status, penalty.decided_on, penalty.approved_by) == (
        PenaltyStatus.APPROVED,
        TODAY,
        approver,
    )
    assert penalty.decision == "罚款人民币三万元。"
    with penalty.decision_document.open("rb") as document:
        assert document.read(5) == b"%PDF-"
    assert trail(penalty) == [
        ("cases.penalty.proposed", inspector.pk),
        ("cases.penalty.notified", notifier(penalty).pk),
        ("cases.penalty.approved", approver.pk),
    ]
    again = penalties.approve_penalty(proposed, actor=approver, decision="另一决定")
    assert (again.decision_number, again.decision) == (penalty.decision_number, penalty.decision)
    assert len(trail(penalty)) == 3


def test_decision_numbers_count_up(approved, inspector, approver, company_a):
    second = propose(inspector, company_a, PenaltyKind.WARNING)
    penalties.approve_penalty(second, actor=approver, decision="警告。")
    second.refresh_from_db()
    assert second.decision_number == "青岚住建罚〔2026〕第002号"


def test_the_proposer_cannot_approve_even_as_an_official(official, approver, company_a):
    penalty = propose(official, company_a)
    before = snapshot(penalty)
    with pytest.raises(PenaltyError, match="You proposed this penalty"):
        penalties.approve_penalty(penalty, actor=official, decision="罚款")
    with pytest.raises(PenaltyError, match="You proposed this penalty"):
        penalties.reject_penalty(penalty, actor=official, reason="撤回")
    assert snapshot(penalty) == before
    assert (
        penalties.approve_penalty(penalty, actor=approver, decision="罚款").status
        == PenaltyStatus.APPROVED
    )


@pytest.mark.parametrize("who", ["inspector", "official_2", "company_a_staff"])
def test_only_an_official_of_the_district_approves(request, proposed, who):
    before = snapshot(proposed)
    with pytest.raises(PenaltyError, match="Only an official of the penalty's district"):
        penalties.approve_penalty(proposed, actor=request.getfixturevalue(who), decision="罚款")
    assert snapshot(proposed) == before


def test_approval_needs_the_decision_text(proposed, approver):
    with pytest.raises(PenaltyError, match="Write the decision"):
        penalties.approve_penalty(proposed, actor=approver, decision=" ")
    assert snapshot(proposed)["decision_number"] is None


def test_refusal_needs_a_reason_and_is_final(proposed, approver):
    with pytest.raises(PenaltyError, match="Say why"):
        penalties.reject_penalty(proposed, actor=approver, reason="")
    rejected = penalties.reject_penalty(proposed, actor=approver, reason="证据不足")
    assert (rejected.status, rejected.rejection_reason) == (PenaltyStatus.REJECTED, "证据不足")
    assert (
        penalties.reject_penalty(proposed, actor=approver, reason="again").status
        == PenaltyStatus.REJECTED
    )
    with pytest.raises(PenaltyError, match="“Not approved” cannot become “Approved”"):
        penalties.approve_penalty(proposed, actor=approver, decision="罚款")


# Serving, execution, publication -----------------------------------------------------------


def test_an_official_serves_the_decision_and_the_company_is_told(
    approved, official, inspector, company_a_staff
):
    with pytest.raises(PenaltyError, match="Only an official of the penalty's district"):
        penalties.serve_penalty(approved, actor=inspector)
    served = penalties.serve_penalty(approved, actor=official)
    assert served.status == PenaltyStatus.SERVED and served.served_at is not None
    mail = Notification.objects.get(recipient=company_a_staff.email)
    assert served.decision_number in mail.subject
    assert VIOLATION not in mail.body and "13812345678" not in mail.body


def test_a_proposal_cannot_be_served_or_executed(inspector, company_a, official):
    proposed = propose(inspector, company_a, notice=False)
    with pytest.raises(PenaltyError, match="“Proposed” cannot become “Served”"):
        penalties.serve_penalty(proposed, actor=official)
    with pytest.raises(PenaltyError, match="“Proposed” cannot become “Executed”"):
        penalties.record_execution(proposed, actor=official)
    assert snapshot(proposed)["status"] == PenaltyStatus.PROPOSED


def test_execution_writes_the_credit_record_and_the_score_follows(
    served, official, company_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        executed = penalties.record_execution(served, actor=official)
    assert executed.status == PenaltyStatus.EXECUTED and executed.executed_at is not None
    record = CreditRecord.objects.get(company=company_a)
    assert (record.kind, record.source_key, record.source_label, record.occurred_on) == (
        CreditRecordKind.PENALTY,
        f"penalty:{served.pk}",
        served.decision_number,
        TODAY,
    )
    company_a.refresh_from_db()
    assert (company_a.credit_score, company_a.credit_grade) == (90, "AA")
    penalties.record_execution(served, actor=official)
    assert CreditRecord.objects.filter(company=company_a).count() == 1


def test_a_suspension_suspends_the_licence_on_execution(
    inspector, approver, official, company_a, licence
):
    penalty = full_lifecycle(inspector, approver, official, company_a, kind=PenaltyKind.SUSPENSION)
    licence.refresh_from_db()
    assert (licence.status, licence.penalty_reference) == (
        LicenceStatus.SUSPENDED,
        penalty.decision_number,
    )
    assert ModelLogEntry.objects.for_instance(licence).filter(
        action="enterprises.licence.suspended", user_id=official.pk
    )


def test_a_revocation_revokes_a_suspended_licence(
    inspector, approver, official, company_a, licence
):
    full_lifecycle(inspector, approver, official, company_a, kind=PenaltyKind.SUSPENSION)
    revocation = full_lifecycle(
        inspector, approver, official, company_a, kind=PenaltyKind.REVOCATION
    )
    licence.refresh_from_db()
    assert (licence.status, licence.penalty_reference) == (
        LicenceStatus.REVOKED,
        revocation.decision_number,
    )
    assert (
        CreditRecord.objects.filter(company=company_a, kind=CreditRecordKind.PENALTY).count() == 2
    )


def test_execution_is_refused_when_the_licence_changed_meanwhile(
    inspector, approver, official, company_a, licence
):
    penalty = propose(inspector, company_a, PenaltyKind.SUSPENSION)
    penalties.approve_penalty(penalty, actor=approver, decision="暂停资质三个月。")
    penalties.serve_penalty(penalty, actor=official)
    licensing.revoke_licence(licence, actor=official, reason="另案吊销")
    with pytest.raises(PenaltyError, match="no longer in a state this penalty can act on"):
        penalties.record_execution(penalty, actor=official)
    assert Penalty.objects.get(pk=penalty.pk).status == PenaltyStatus.SERVED
    assert not CreditRecord.objects.exists()
    assert Licence.objects.get(pk=licence.pk).penalty_reference == ""


def test_publication_creates_the_public_result_without_personal_data(executed, official):
    published = penalties.publish_penalty(executed, actor=official)
    result = published.enforcement_result
    assert published.status == PenaltyStatus.PUBLISHED
    assert (result.decision_number, result.company_id, result.district_id) == (
        executed.decision_number,
        executed.company_id,
        executed.district_id,
    )
    assert (result.kind, result.fine_amount, result.decided_on) == (PenaltyKind.FINE, 30000, TODAY)
    assert result.legal_basis == "《青岚市物业管理条例》第五十八条"
    assert result.decision == "罚款人民币三万元。"
    assert result.published_at == NOW
    public = " ".join([result.violation, result.legal_basis, result.decision])
    for secret in ("13812345678", "110101199003071234", "zhang.wei@example.com"):
        assert secret not in public
    assert "138****5678" in result.violation and "电梯停运11天未组织维修" in result.violation
    again = penalties.publish_penalty(executed, actor=official)
    assert again.enforcement_result_id == result.pk
    assert EnforcementResult.objects.count() == 1


def test_names_the_register_holds_are_masked_in_the_public_text(
    inspector, approver, official, company_a
):
    company_a.legal_representative = "王建国"
    company_a.save()
    penalty = full_lifecycle(
        inspector, approver, official, company_a, kind=PenaltyKind.WARNING,
        violation="法定代表人王建国拒不配合检查。",
    )  # fmt: skip
    result = penalties.publish_penalty(penalty, actor=official).enforcement_result
    assert "王建国" not in result.violation and "王**" in result.violation


def test_the_public_page_shows_the_result_without_personal_data(
    executed, official, site_pages, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the view, not the cache, is under test
    site_pages["home"].add_child(
        instance=EnforcementIndexPage(title="执法结果公示", slug="enforcement")
    )
    penalties.publish_penalty(executed, actor=official)
    response = Client().get("/enforcement/")
    html = response.content.decode()
    assert response.status_code == 200
    assert executed.decision_number in html and "电梯停运11天未组织维修" in html
    for secret in ("13812345678", "110101199003071234", "zhang.wei@example.com"):
        assert secret not in html


def test_only_an_executed_penalty_is_published(served, official, inspector):
    with pytest.raises(PenaltyError, match="“Served” cannot become “Published”"):
        penalties.publish_penalty(served, actor=official)
    assert not EnforcementResult.objects.exists()


@pytest.mark.parametrize("who", ["inspector", "official_2", "company_a_staff"])
def test_only_an_official_of_the_district_executes_and_publishes(request, served, who, official):
    actor = request.getfixturevalue(who)
    with pytest.raises(PenaltyError, match="Only an official of the penalty's district"):
        penalties.record_execution(served, actor=actor)
    penalties.record_execution(served, actor=official)
    with pytest.raises(PenaltyError, match="Only an official of the penalty's district"):
        penalties.publish_penalty(served, actor=actor)
    assert not EnforcementResult.objects.exists()


def test_the_whole_trail_is_audited(executed, official, inspector, approver):
    penalties.publish_penalty(executed, actor=official)
    assert trail(executed) == [
        ("cases.penalty.proposed", inspector.pk),
        ("cases.penalty.notified", notifier(executed).pk),
        ("cases.penalty.approved", approver.pk),
        ("cases.penalty.served", official.pk),
        ("cases.penalty.executed", official.pk),
        ("cases.penalty.published", official.pk),
    ]


# Who sees which penalty ------------------------------------------------------------------


def visible(user) -> set[int]:
    return set(permissions.visible_penalties(user).values_list("pk", flat=True))


def test_the_company_and_committee_see_a_penalty_only_once_served(
    approver, official, company_a_staff, committee_member, inspector, company_a, estate_x
):
    proposed = propose(inspector, company_a, PenaltyKind.WARNING, estate=estate_x)
    assert visible(company_a_staff) == visible(committee_member) == set()
    assert visible(inspector) == {proposed.pk}
    penalties.approve_penalty(proposed, actor=approver, decision="罚款")
    assert visible(company_a_staff) == set()
    penalties.serve_penalty(proposed, actor=official)
    assert visible(company_a_staff) == visible(committee_member) == {proposed.pk}


def test_outsiders_see_nothing_of_district_1(
    served, other_district_inspector, company_b_staff, evaluator, admin, official
):
    assert visible(other_district_inspector) == set()
    assert visible(company_b_staff) == set()
    assert visible(evaluator) == set()
    assert visible(admin) == visible(official) == {served.pk}
