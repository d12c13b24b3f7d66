"""Versions of a contract filing: correction and resubmission of a returned filing as the same
filing (备案补正), amendment of a filed contract (变更备案), the history of versions with the
regulator's reasons, every refusal leaving everything as it was, and the first version the
migration gives every existing filing."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import translation

from enterprises import contracts
from enterprises.contracts import ContractError
from enterprises.models import (
    ContractStatus,
    ContractVersion,
    Estate,
    ServiceContract,
    VersionKind,
    VersionStatus,
)
from tests.enterprises.contract_version_helpers import NEW_ENDS, amend, correct, state
from tests.enterprises.pdfs import html_named_pdf
from tests.enterprises.test_contracts import (
    ENDS,
    NOW,
    STARTS,
    audit_trail,
    stored_files,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def submitted(company_a, company_a_staff, estate_x):
    return submit(company_a_staff, company_a, estate_x)


@pytest.fixture
def returned(submitted, official):
    return contracts.return_contract(submitted, actor=official, reason="合同附件缺页")


@pytest.fixture
def filed(submitted, official):
    return contracts.file_contract(submitted, actor=official)


def history(contract) -> list[tuple]:
    return list(
        ContractVersion.objects.filter(contract=contract)
        .order_by("number")
        .values_list("number", "kind", "status", "decision_reason")
    )


# The first version -------------------------------------------------------------------------


def test_a_submission_is_its_first_version_and_filing_accepts_it(submitted, official):
    version = submitted.versions.get()
    assert (version.number, version.kind, version.status) == (1, "original", "pending")
    assert version.document.name == submitted.document.name  # the same file, not a copy
    assert (version.submitted_by, version.ends_on) == (submitted.submitted_by, ENDS)
    contracts.file_contract(submitted, actor=official)
    version.refresh_from_db()
    assert (version.status, version.decided_by, version.decided_at) == ("accepted", official, NOW)
    assert ServiceContract.objects.get(pk=submitted.pk).version == 1


def test_a_return_keeps_the_reason_on_the_version(returned):
    assert history(returned) == [(1, "original", "returned", "合同附件缺页")]


# Correction (补正) -------------------------------------------------------------------------


def test_a_returned_filing_is_corrected_and_resubmitted_as_the_same_filing(
    returned, company_a_staff, official, media_root
):
    returned_document = returned.document.name
    correct(returned, company_a_staff)
    contract = ServiceContract.objects.get(pk=returned.pk)
    assert ServiceContract.objects.count() == 1
    assert (contract.status, contract.version, contract.decision_reason) == ("submitted", 2, "")
    assert (contract.ends_on, contract.service_level, contract.fee_per_sqm_month) == (
        NEW_ENDS,
        "1",
        Decimal("3.20"),
    )
    assert contract.decided_by is None
    second = contract.versions.get(number=2)
    assert (second.kind, second.reason, second.submitted_by) == (
        "correction",
        "补齐附件",
        company_a_staff,
    )
    assert contract.document.name == second.document.name != returned_document
    assert len(stored_files(media_root)) == 2  # the returned version's file is kept
    assert audit_trail(contract)[-1] == ("enterprises.contract.corrected", company_a_staff.pk)
    contracts.file_contract(contract, actor=official)
    assert history(contract) == [
        (1, "original", "returned", "合同附件缺页"),
        (2, "correction", "accepted", ""),
    ]


def test_each_return_keeps_its_own_reason(returned, company_a_staff, official):
    correct(returned, company_a_staff)
    contracts.return_contract(returned, actor=official, reason="收费标准未列明")
    correct(returned, company_a_staff, service_level="3")
    contracts.file_contract(returned, actor=official)
    assert history(returned) == [
        (1, "original", "returned", "合同附件缺页"),
        (2, "correction", "returned", "收费标准未列明"),
        (3, "correction", "accepted", ""),
    ]
    contract = ServiceContract.objects.get(pk=returned.pk)
    assert (contract.status, contract.version, contract.service_level) == ("filed", 3, "3")


def test_a_correction_may_keep_the_returned_document(returned, company_a_staff, media_root):
    returned_document = returned.document.name
    correct(returned, company_a_staff, document=None)
    contract = ServiceContract.objects.get(pk=returned.pk)
    assert contract.versions.get(number=2).document.name == returned_document
    assert len(stored_files(media_root)) == 1


@pytest.mark.parametrize("fixture", ["filed", "submitted"])
def test_only_a_returned_filing_can_be_corrected(request, fixture, company_a_staff, media_root):
    contract = request.getfixturevalue(fixture)
    before, files = state(contract), stored_files(media_root)
    with pytest.raises(ContractError, match="Only a returned filing can be corrected"):
        correct(contract, company_a_staff)
    assert state(contract) == before
    assert stored_files(media_root) == files


@pytest.mark.parametrize("outsider", ["company_b_staff", "committee_member", "official"])
def test_only_the_company_corrects_its_filing(returned, request, outsider, media_root):
    before, files = state(returned), stored_files(media_root)
    with pytest.raises(ContractError, match="may not change the contracts"):
        correct(returned, request.getfixturevalue(outsider))
    assert state(returned) == before
    assert stored_files(media_root) == files


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": STARTS}, "must end after it starts"),
        ({"fee_per_sqm_month": "-1"}, "cannot be negative"),
        ({"service_level": "9"}, "not a service level"),
        ({"document": html_named_pdf("补正.pdf")}, "“补正.pdf” is not a PDF"),
    ],
)
def test_a_bad_correction_is_refused_and_nothing_is_stored(
    returned, company_a_staff, media_root, overrides, message
):
    before, files = state(returned), stored_files(media_root)
    with pytest.raises(ContractError, match=message):
        correct(returned, company_a_staff, **overrides)
    assert state(returned) == before
    assert stored_files(media_root) == files


def test_a_correction_over_the_size_limit_is_refused(
    returned, company_a_staff, media_root, settings
):
    settings.CONTRACT_DOCUMENT_MAX_BYTES = 10
    before = state(returned)
    with pytest.raises(ContractError, match="at most"):
        correct(returned, company_a_staff)
    assert state(returned) == before


# Amendment (变更备案) ------------------------------------------------------------------------


def test_an_amendment_waits_for_review_and_the_filed_terms_stay(filed, company_a_staff):
    before = state(filed)
    version = amend(filed, company_a_staff)
    assert (version.number, version.kind, version.status, version.reason) == (
        2,
        "amendment",
        "pending",
        "业主大会决定调价",
    )
    after = state(filed)
    assert after["terms"] == before["terms"] and after["version"] == 1
    assert after["audit"][-1] == ("enterprises.contract.amendment_submitted", company_a_staff.pk)


def test_an_accepted_amendment_becomes_the_current_version(
    filed, company_a_staff, official, estate_x, company_a
):
    first_document = filed.document.name
    amend(filed, company_a_staff)
    contracts.accept_amendment(filed, actor=official)
    contract = ServiceContract.objects.get(pk=filed.pk)
    assert (contract.status, contract.version, contract.ends_on, contract.service_level) == (
        "filed",
        2,
        NEW_ENDS,
        "1",
    )
    assert contract.document.name == contract.versions.get(number=2).document.name
    first = contract.versions.get(number=1)
    assert (first.status, first.ends_on, first.document.name) == ("accepted", ENDS, first_document)
    assert history(contract)[1] == (2, "amendment", "accepted", "")
    assert Estate.objects.get(pk=estate_x.pk).managing_company == company_a
    assert audit_trail(contract)[-1] == ("enterprises.contract.amendment_accepted", official.pk)


def test_a_returned_amendment_leaves_the_filed_contract_as_it_was(filed, company_a_staff, official):
    amend(filed, company_a_staff)
    before = state(filed)
    contracts.return_amendment(filed, actor=official, reason="未附业主大会决议")
    after = state(filed)
    assert {k: v for k, v in after.items() if k not in ("versions", "audit")} == {
        k: v for k, v in before.items() if k not in ("versions", "audit")
    }
    assert history(filed)[1] == (2, "amendment", "returned", "未附业主大会决议")
    assert after["audit"][-1] == ("enterprises.contract.amendment_returned", official.pk)
    # The company may try again.
    assert amend(filed, company_a_staff, service_level="2").number == 3


def test_only_one_amendment_at_a_time(filed, company_a_staff, media_root):
    amend(filed, company_a_staff)
    before, files = state(filed), stored_files(media_root)
    with pytest.raises(ContractError, match="submitted on 2026-03-02 is still under review"):
        amend(filed, company_a_staff, service_level="4")
    assert state(filed) == before
    assert stored_files(media_root) == files


def test_the_database_holds_one_version_under_review(filed, company_a_staff):
    version = amend(filed, company_a_staff)
    version.pk, version.number = None, 3
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()


@pytest.mark.parametrize("fixture", ["submitted", "returned"])
def test_only_a_filed_contract_can_be_amended(request, fixture, company_a_staff):
    contract = request.getfixturevalue(fixture)
    before = state(contract)
    with pytest.raises(ContractError, match="Only a filed contract can be amended"):
        amend(contract, company_a_staff)
    assert state(contract) == before


def test_an_ended_contract_cannot_be_amended(filed, official, company_a_staff):
    contracts.terminate_contract(filed, actor=official, reason="业主大会决定解聘")
    before = state(filed)
    with pytest.raises(ContractError, match="this contract is “Terminated”"):
        amend(filed, company_a_staff)
    assert state(filed) == before


@pytest.mark.parametrize(
    "outsider", ["company_b_staff", "committee_member", "evaluator", "official"]
)
def test_only_the_company_amends_its_contract(filed, request, outsider, media_root):
    before, files = state(filed), stored_files(media_root)
    with pytest.raises(ContractError, match="may not change the contracts"):
        amend(filed, request.getfixturevalue(outsider))
    assert state(filed) == before
    assert stored_files(media_root) == files


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": "  "}, "needs a reason"),
        ({"document": None}, "needs the signed change"),
        ({"document": html_named_pdf()}, "not a PDF"),
        ({"ends_on": datetime.date(2026, 3, 1)}, "would have ended on 2026-03-01"),
        ({"starts_on": NEW_ENDS}, "must end after it starts"),
        ({"fee_per_sqm_month": "2.345"}, "at most two decimals"),
    ],
)
def test_a_bad_amendment_is_refused_and_nothing_is_stored(
    filed, company_a_staff, media_root, overrides, message
):
    before, files = state(filed), stored_files(media_root)
    with pytest.raises(ContractError, match=message):
        amend(filed, company_a_staff, **overrides)
    assert state(filed) == before
    assert stored_files(media_root) == files


@pytest.mark.parametrize("who", ["company_a_staff", "committee_member", "official_2"])
def test_only_an_official_of_the_district_decides_an_amendment(filed, request, who, district_2):
    from foundation.roles import Role
    from tests.factories import make_user

    amend(filed, request.getfixturevalue("company_a_staff"))
    actor = (
        make_user("official_2", Role.OFFICIAL, district=district_2)
        if who == "official_2"
        else request.getfixturevalue(who)
    )
    before = state(filed)
    with pytest.raises(ContractError, match="may not decide"):
        contracts.accept_amendment(filed, actor=actor)
    with pytest.raises(ContractError, match="may not decide"):
        contracts.return_amendment(filed, actor=actor, reason="不同意")
    assert state(filed) == before


def test_no_amendment_no_decision(filed, official, returned_reason="补充材料"):
    before = state(filed)
    with pytest.raises(ContractError, match="no amendment under review"):
        contracts.accept_amendment(filed, actor=official)
    with pytest.raises(ContractError, match="no amendment under review"):
        contracts.return_amendment(filed, actor=official, reason=returned_reason)
    assert state(filed) == before


def test_a_returned_amendment_needs_a_reason(filed, company_a_staff, official):
    amend(filed, company_a_staff)
    before = state(filed)
    with pytest.raises(ContractError, match="needs a reason"):
        contracts.return_amendment(filed, actor=official, reason="")
    assert state(filed) == before


def test_an_amendment_that_ended_meanwhile_is_not_accepted(
    filed, company_a_staff, official, time_machine
):
    amend(filed, company_a_staff, ends_on=datetime.date(2026, 4, 30))
    time_machine.move_to(datetime.datetime(2026, 5, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
    before = state(filed)
    with pytest.raises(ContractError, match="would have ended on 2026-04-30"):
        contracts.accept_amendment(filed, actor=official)
    assert state(filed) == before


def test_an_amendment_under_review_lapses_when_the_contract_is_terminated(
    filed, company_a_staff, official
):
    amend(filed, company_a_staff)
    contracts.terminate_contract(filed, actor=official, reason="业主大会决定解聘")
    assert history(filed)[1][2] == VersionStatus.LAPSED
    assert ServiceContract.objects.get(pk=filed.pk).version == 1


def test_an_amendment_under_review_lapses_when_the_contract_expires(filed, company_a_staff):
    amend(filed, company_a_staff)
    assert contracts.expire_contracts(today=ENDS + datetime.timedelta(days=1)) == 1
    assert history(filed)[1][2] == VersionStatus.LAPSED
    assert ServiceContract.objects.get(pk=filed.pk).status == ContractStatus.EXPIRED


# Filings made without versions ---------------------------------------------------------------


def _bare_filed_contract(company, estate, official) -> ServiceContract:
    return ServiceContract.objects.create(
        company=company,
        estate=estate,
        starts_on=STARTS,
        ends_on=ENDS,
        service_level="2",
        fee_per_sqm_month="2.50",
        document="contracts/old.pdf",
        status=ContractStatus.FILED,
        decided_by=official,
        decided_at=NOW,
    )


def test_the_migration_gives_every_filing_its_first_version(company_a, estate_x, official):
    filed = _bare_filed_contract(company_a, estate_x, official)
    returned = ServiceContract.objects.create(
        company=company_a,
        estate=estate_x,
        starts_on=STARTS,
        ends_on=ENDS,
        service_level="3",
        fee_per_sqm_month="1.00",
        document="contracts/returned.pdf",
        status=ContractStatus.RETURNED,
        decision_reason="缺页",
    )
    migration = importlib.import_module("enterprises.migrations.0012_contract_versions")
    migration.first_versions(apps, None)
    migration.first_versions(apps, None)  # a second run adds nothing
    assert history(filed) == [(1, "original", "accepted", "")]
    assert history(returned) == [(1, "original", "returned", "缺页")]
    first = filed.versions.get()
    assert (first.document.name, first.decided_by, first.fee_per_sqm_month) == (
        "contracts/old.pdf",
        official,
        Decimal("2.50"),
    )


def test_a_filing_without_versions_gets_its_first_before_an_amendment(
    company_a, estate_x, official, company_a_staff
):
    contract = _bare_filed_contract(company_a, estate_x, official)
    amend(contract, company_a_staff)
    contracts.accept_amendment(contract, actor=official)
    assert [row[:3] for row in history(contract)] == [
        (1, VersionKind.ORIGINAL, "accepted"),
        (2, VersionKind.AMENDMENT, "accepted"),
    ]
    assert contract.versions.get(number=1).document.name == "contracts/old.pdf"
