"""The licence state machine (资质): who may apply and decide, allowed moves, refusals that
change nothing, renewals, and the audit trail."""

import datetime
import re

import pytest
from django.utils import translation
from wagtail.models import ModelLogEntry

from enterprises import licensing
from enterprises.licensing import LicenceError
from enterprises.models import Licence, LicenceStatus
from foundation.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
FROM = datetime.date(2026, 3, 1)
UNTIL = datetime.date(2029, 2, 28)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def official_2(district_2):
    return make_user("official_2", Role.OFFICIAL, district=district_2)


@pytest.fixture
def applied(company_a, company_a_staff):
    return licensing.apply_for_licence(company_a, actor=company_a_staff, scope="住宅物业管理")


@pytest.fixture
def approved(applied, official):
    return licensing.approve_licence(applied, actor=official, valid_from=FROM, valid_until=UNTIL)


def audit_trail(licence) -> list[tuple[str, int | None]]:
    return list(
        ModelLogEntry.objects.for_instance(licence)
        .order_by("timestamp", "id")
        .values_list("action", "user_id")
    )


def snapshot(licence) -> dict:
    row = Licence.objects.get(pk=licence.pk)
    return {
        "status": row.status,
        "number": row.number,
        "valid_until": row.valid_until,
        "decision_reason": row.decision_reason,
        "penalty_reference": row.penalty_reference,
        "audit": audit_trail(row),
    }


# Applying ----------------------------------------------------------------------------------


def test_company_staff_applies_for_its_own_company(company_a, company_a_staff):
    licence = licensing.apply_for_licence(company_a, actor=company_a_staff, scope="住宅物业管理")
    assert (licence.status, licence.company, licence.applied_by) == (
        LicenceStatus.APPLIED,
        company_a,
        company_a_staff,
    )
    assert audit_trail(licence) == [("enterprises.licence.applied", company_a_staff.pk)]


def test_staff_of_another_company_cannot_apply(company_a, company_b_staff):
    with pytest.raises(LicenceError, match="on behalf of"):
        licensing.apply_for_licence(company_a, actor=company_b_staff, scope="住宅物业管理")
    assert not Licence.objects.exists()


def test_an_official_cannot_apply_for_a_company(company_a, official):
    with pytest.raises(LicenceError):
        licensing.apply_for_licence(company_a, actor=official, scope="住宅物业管理")
    assert not Licence.objects.exists()


def test_an_application_needs_a_scope(company_a, company_a_staff):
    with pytest.raises(LicenceError, match="scope"):
        licensing.apply_for_licence(company_a, actor=company_a_staff, scope="  ")
    assert not Licence.objects.exists()


# Approving and rejecting -------------------------------------------------------------------


def test_official_approves_and_a_number_of_the_year_is_assigned(applied, official):
    licence = licensing.approve_licence(applied, actor=official, valid_from=FROM, valid_until=UNTIL)
    assert licence.status == LicenceStatus.APPROVED
    assert re.fullmatch(r"WY-2026-\d{6}", licence.number)
    assert (licence.valid_from, licence.valid_until) == (FROM, UNTIL)
    assert (licence.decided_by, licence.decided_at) == (official, NOW)
    applied.refresh_from_db()
    assert applied.status == LicenceStatus.APPROVED  # the caller's instance is brought up to date
    entry = ModelLogEntry.objects.for_instance(licence).get(action="enterprises.licence.approved")
    assert entry.user == official
    assert entry.data["number"] == licence.number
    assert entry.data["valid_until"] == "2029-02-28"


def test_generated_numbers_count_up_within_the_year(company_a, company_a_staff, official):
    numbers = []
    for scope in ("住宅物业管理", "商业物业管理"):
        licence = licensing.apply_for_licence(company_a, actor=company_a_staff, scope=scope)
        licensing.approve_licence(licence, actor=official, valid_from=FROM, valid_until=UNTIL)
        numbers.append(Licence.objects.get(pk=licence.pk).number)
    assert numbers == ["WY-2026-000001", "WY-2026-000002"]


def test_a_given_number_is_kept(applied, official):
    licensing.approve_licence(
        applied, actor=official, valid_from=FROM, valid_until=UNTIL, number="WY-2019-000042"
    )
    assert Licence.objects.get(pk=applied.pk).number == "WY-2019-000042"


def test_a_number_in_use_is_refused_and_nothing_changes(
    approved, company_a, company_a_staff, official
):
    second = licensing.apply_for_licence(company_a, actor=company_a_staff, scope="商业物业管理")
    before = snapshot(second)
    with pytest.raises(LicenceError, match="already in use"):
        licensing.approve_licence(
            second, actor=official, valid_from=FROM, valid_until=UNTIL, number=approved.number
        )
    assert snapshot(second) == before


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "message"),
    [
        (FROM, FROM, "must end after it starts"),
        (FROM, FROM - datetime.timedelta(days=1), "must end after it starts"),
        (datetime.date(2020, 1, 1), datetime.date(2026, 3, 1), "already have ended"),
    ],
)
def test_approval_dates_must_make_sense(applied, official, valid_from, valid_until, message):
    before = snapshot(applied)
    with pytest.raises(LicenceError, match=message):
        licensing.approve_licence(
            applied, actor=official, valid_from=valid_from, valid_until=valid_until
        )
    assert snapshot(applied) == before


def test_company_staff_cannot_approve_its_own_application(applied, company_a_staff):
    before = snapshot(applied)
    with pytest.raises(LicenceError, match="may not decide"):
        licensing.approve_licence(
            applied, actor=company_a_staff, valid_from=FROM, valid_until=UNTIL
        )
    assert snapshot(applied) == before


def test_an_inspector_cannot_approve(applied, inspector):
    before = snapshot(applied)
    with pytest.raises(LicenceError, match="may not decide"):
        licensing.approve_licence(applied, actor=inspector, valid_from=FROM, valid_until=UNTIL)
    assert snapshot(applied) == before


def test_official_of_another_district_cannot_decide(applied, official_2):
    before = snapshot(applied)
    with pytest.raises(LicenceError, match="may not decide"):
        licensing.approve_licence(applied, actor=official_2, valid_from=FROM, valid_until=UNTIL)
    with pytest.raises(LicenceError, match="may not decide"):
        licensing.reject_licence(applied, actor=official_2, reason="材料不全")
    assert snapshot(applied) == before


def test_official_of_another_district_cannot_suspend_or_revoke(approved, official_2):
    before = snapshot(approved)
    with pytest.raises(LicenceError, match="may not decide"):
        licensing.suspend_licence(approved, actor=official_2, reason="服务质量下降")
    with pytest.raises(LicenceError, match="may not decide"):
        licensing.revoke_licence(approved, actor=official_2, reason="严重违规")
    assert snapshot(approved) == before


def test_a_city_wide_administrator_may_decide(applied, admin):
    licensing.approve_licence(applied, actor=admin, valid_from=FROM, valid_until=UNTIL)
    assert Licence.objects.get(pk=applied.pk).status == LicenceStatus.APPROVED


def test_official_rejects_with_a_reason(applied, official):
    licence = licensing.reject_licence(applied, actor=official, reason="  注册资本证明缺失 ")
    assert (licence.status, licence.decision_reason) == (LicenceStatus.REJECTED, "注册资本证明缺失")
    assert licence.number == ""
    assert audit_trail(licence)[-1] == ("enterprises.licence.rejected", official.pk)


def test_a_rejection_needs_a_reason(applied, official):
    before = snapshot(applied)
    with pytest.raises(LicenceError, match="needs a reason"):
        licensing.reject_licence(applied, actor=official, reason=" ")
    assert snapshot(applied) == before


def test_repeating_a_reached_state_is_quiet(approved, official):
    licensing.approve_licence(approved, actor=official, valid_from=FROM, valid_until=UNTIL)
    actions = [action for action, _user in audit_trail(approved)]
    assert actions.count("enterprises.licence.approved") == 1


# Penalties: suspension, reinstatement, revocation --------------------------------------------


def test_suspension_and_reinstatement(approved, official):
    licensing.suspend_licence(
        approved, actor=official, reason="停业整顿", penalty_reference="东住建罚〔2026〕12号"
    )
    suspended = Licence.objects.get(pk=approved.pk)
    assert suspended.status == LicenceStatus.SUSPENDED
    assert suspended.decision_reason == "停业整顿"
    assert suspended.penalty_reference == "东住建罚〔2026〕12号"

    licensing.reinstate_licence(approved, actor=official, note="整改完成")
    reinstated = Licence.objects.get(pk=approved.pk)
    assert (reinstated.status, reinstated.penalty_reference) == (LicenceStatus.APPROVED, "")
    assert reinstated.number == approved.number and reinstated.valid_until == UNTIL
    assert audit_trail(approved)[-2:] == [
        ("enterprises.licence.suspended", official.pk),
        ("enterprises.licence.reinstated", official.pk),
    ]
    entry = ModelLogEntry.objects.for_instance(approved).order_by("-id").first()
    assert entry.data["reinstated"] is True
    assert entry.data["lifted_penalty"] == "东住建罚〔2026〕12号"


def test_a_suspension_needs_a_reason(approved, official):
    before = snapshot(approved)
    with pytest.raises(LicenceError, match="needs a reason"):
        licensing.suspend_licence(approved, actor=official, reason="")
    assert snapshot(approved) == before


def test_a_licence_whose_validity_ended_during_suspension_is_not_reinstated(
    approved, official, time_machine
):
    licensing.suspend_licence(approved, actor=official, reason="停业整顿")
    before = snapshot(approved)
    time_machine.move_to(datetime.datetime(2029, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    with pytest.raises(LicenceError, match="apply for a new one"):
        licensing.reinstate_licence(approved, actor=official)
    assert snapshot(approved) == before


@pytest.mark.parametrize("suspended_first", [False, True])
def test_revocation_from_approved_or_suspended(approved, official, suspended_first):
    if suspended_first:
        licensing.suspend_licence(approved, actor=official, reason="停业整顿")
    licensing.revoke_licence(
        approved, actor=official, reason="拒不整改", penalty_reference="东住建罚〔2026〕13号"
    )
    revoked = Licence.objects.get(pk=approved.pk)
    assert (revoked.status, revoked.decision_reason, revoked.penalty_reference) == (
        LicenceStatus.REVOKED,
        "拒不整改",
        "东住建罚〔2026〕13号",
    )
    assert audit_trail(approved)[-1] == ("enterprises.licence.revoked", official.pk)
    entry = ModelLogEntry.objects.for_instance(approved).order_by("-id").first()
    assert entry.data["penalty_reference"] == "东住建罚〔2026〕13号"


def test_a_revocation_needs_a_reason(approved, official):
    before = snapshot(approved)
    with pytest.raises(LicenceError, match="needs a reason"):
        licensing.revoke_licence(approved, actor=official, reason="\n")
    assert snapshot(approved) == before


ILLEGAL = [
    # (how the licence got there, the refused verb)
    ("applied", "suspend"),
    ("applied", "revoke"),
    ("applied", "reinstate"),
    ("rejected", "approve"),
    ("rejected", "suspend"),
    ("suspended", "approve"),  # a suspension is lifted by reinstating, not re-approving
    ("revoked", "reinstate"),
    ("revoked", "approve"),
]


def _bring_to(state: str, licence, official):
    if state == "rejected":
        licensing.reject_licence(licence, actor=official, reason="材料不全")
        return
    if state != "applied":
        licensing.approve_licence(licence, actor=official, valid_from=FROM, valid_until=UNTIL)
    if state in ("suspended", "revoked"):
        licensing.suspend_licence(licence, actor=official, reason="停业整顿")
    if state == "revoked":
        licensing.revoke_licence(licence, actor=official, reason="拒不整改")


VERBS = {
    "approve": lambda lic, who: licensing.approve_licence(
        lic, actor=who, valid_from=FROM, valid_until=UNTIL
    ),
    "suspend": lambda lic, who: licensing.suspend_licence(lic, actor=who, reason="整顿"),
    "revoke": lambda lic, who: licensing.revoke_licence(lic, actor=who, reason="违规"),
    "reinstate": lambda lic, who: licensing.reinstate_licence(lic, actor=who),
}


@pytest.mark.parametrize(("state", "verb"), ILLEGAL)
def test_illegal_transitions_change_nothing_and_write_no_audit_entry(
    applied, official, state, verb
):
    _bring_to(state, applied, official)
    before = snapshot(applied)
    with pytest.raises(LicenceError, match="cannot become"):
        VERBS[verb](applied, official)
    assert snapshot(applied) == before


# Renewals ----------------------------------------------------------------------------------


def test_a_renewal_references_the_current_approved_licence(approved, company_a, company_a_staff):
    renewal = licensing.apply_for_licence(
        company_a, actor=company_a_staff, scope="住宅物业管理", renewal_of=approved
    )
    assert (renewal.status, renewal.renewal_of) == (LicenceStatus.APPLIED, approved)
    entry = ModelLogEntry.objects.for_instance(renewal).get()
    assert entry.data["renewal_of"] == approved.pk


def test_a_company_cannot_renew_another_companys_licence(approved, company_b, company_b_staff):
    with pytest.raises(LicenceError, match="belongs to another company"):
        licensing.apply_for_licence(
            company_b, actor=company_b_staff, scope="住宅物业管理", renewal_of=approved
        )
    assert Licence.objects.count() == 1


def test_only_an_approved_licence_can_be_renewed(applied, company_a, company_a_staff):
    with pytest.raises(LicenceError, match="Only an approved licence"):
        licensing.apply_for_licence(
            company_a, actor=company_a_staff, scope="住宅物业管理", renewal_of=applied
        )
    assert Licence.objects.count() == 1


def test_one_pending_renewal_at_a_time(approved, company_a, company_a_staff):
    licensing.apply_for_licence(
        company_a, actor=company_a_staff, scope="住宅物业管理", renewal_of=approved
    )
    with pytest.raises(LicenceError, match="already waiting"):
        licensing.apply_for_licence(
            company_a, actor=company_a_staff, scope="住宅物业管理", renewal_of=approved
        )
    assert approved.renewals.count() == 1


def test_approving_a_renewal_leaves_the_renewed_licence_approved(
    approved, company_a, company_a_staff, official
):
    renewal = licensing.apply_for_licence(
        company_a, actor=company_a_staff, scope="住宅物业管理", renewal_of=approved
    )
    licensing.approve_licence(
        renewal, actor=official, valid_from=UNTIL, valid_until=datetime.date(2032, 2, 28)
    )
    assert Licence.objects.get(pk=renewal.pk).status == LicenceStatus.APPROVED
    old = Licence.objects.get(pk=approved.pk)
    assert (old.status, old.valid_until) == (LicenceStatus.APPROVED, UNTIL)


def test_the_renewal_of_a_revoked_licence_is_not_approved(
    approved, company_a, company_a_staff, official
):
    renewal = licensing.apply_for_licence(
        company_a, actor=company_a_staff, scope="住宅物业管理", renewal_of=approved
    )
    licensing.revoke_licence(approved, actor=official, reason="拒不整改")
    before = snapshot(renewal)
    with pytest.raises(LicenceError, match="was revoked"):
        licensing.approve_licence(renewal, actor=official, valid_from=FROM, valid_until=UNTIL)
    assert snapshot(renewal) == before
