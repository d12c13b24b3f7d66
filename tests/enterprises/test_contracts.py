"""Service contract filing (备案): submission with a real PDF, filing, returning, termination,
at most one filed contract per estate, and the managing company following the filed one."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from wagtail.models import ModelLogEntry

from enterprises import contracts
from enterprises.contracts import ContractError
from enterprises.models import ContractStatus, Estate, ServiceContract
from foundation import uploads
from foundation.roles import Role
from tests.enterprises.pdfs import bom_pdf, contract_pdf, html_named_pdf, pdf_bytes
from tests.factories import make_user
from tests.object_store import stored_files

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
STARTS = datetime.date(2026, 1, 1)
ENDS = datetime.date(2028, 12, 31)


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


def submit(actor, company, estate, **overrides):
    fields = {
        "starts_on": STARTS,
        "ends_on": ENDS,
        "service_level": "2",
        "fee_per_sqm_month": Decimal("2.80"),
        "fee_items": "车位管理费 80元/月\n",
        "document": contract_pdf(),
    }
    fields.update(overrides)
    return contracts.submit_contract(actor=actor, company=company, estate=estate, **fields)


@pytest.fixture
def submitted(company_a, company_a_staff, estate_x):
    return submit(company_a_staff, company_a, estate_x)


@pytest.fixture
def filed(submitted, official):
    return contracts.file_contract(submitted, actor=official)


def audit_trail(obj) -> list[tuple[str, int | None]]:
    return list(
        ModelLogEntry.objects.for_instance(obj).order_by("id").values_list("action", "user_id")
    )


def snapshot(contract) -> dict:
    row = ServiceContract.objects.select_related("estate").get(pk=contract.pk)
    return {
        "status": row.status,
        "decision_reason": row.decision_reason,
        "managing_company": row.estate.managing_company_id,
        "audit": audit_trail(row),
    }


# Submission --------------------------------------------------------------------------------


def test_company_staff_submits_a_contract_with_its_pdf(
    submitted, company_a, company_a_staff, media_root
):
    assert submitted.status == ContractStatus.SUBMITTED
    assert (submitted.company, submitted.submitted_by) == (company_a, company_a_staff)
    assert submitted.fee_items == "车位管理费 80元/月"
    files = stored_files(media_root)
    assert len(files) == 1 and files[0].read_bytes() == pdf_bytes()
    assert submitted.document.name.startswith(f"contracts/{submitted.estate_id}/")
    assert audit_trail(submitted) == [("enterprises.contract.submitted", company_a_staff.pk)]


def test_staff_of_another_company_cannot_submit(company_a, company_b_staff, estate_x, media_root):
    with pytest.raises(ContractError, match="on behalf of"):
        submit(company_b_staff, company_a, estate_x)
    assert not ServiceContract.objects.exists()
    assert stored_files(media_root) == []


def test_a_web_page_named_pdf_is_refused_and_nothing_is_stored(
    company_a, company_a_staff, estate_x, media_root
):
    with pytest.raises(ContractError, match="“合同.pdf” is not a PDF document"):
        submit(company_a_staff, company_a, estate_x, document=html_named_pdf("合同.pdf"))
    assert not ServiceContract.objects.exists()
    assert stored_files(media_root) == []


def test_a_pdf_behind_a_byte_order_mark_is_refused(
    company_a, company_a_staff, estate_x, media_root
):
    with pytest.raises(ContractError, match="not a PDF document"):
        submit(company_a_staff, company_a, estate_x, document=bom_pdf())
    assert stored_files(media_root) == []


def test_a_document_over_the_configured_limit_is_refused(
    company_a, company_a_staff, estate_x, media_root, settings
):
    settings.CONTRACT_DOCUMENT_MAX_BYTES = len(pdf_bytes()) - 1
    with pytest.raises(ContractError, match="“contract.pdf” is .* at most"):
        submit(company_a_staff, company_a, estate_x)
    assert not ServiceContract.objects.exists()
    assert stored_files(media_root) == []


def test_the_default_limit_is_twenty_megabytes(settings):
    assert not hasattr(settings, "CONTRACT_DOCUMENT_MAX_BYTES")
    body = pdf_bytes()
    at_limit = body + b"\n" * (uploads.DEFAULT_MAX_BYTES - len(body))
    uploads.validate_pdf(SimpleUploadedFile("big.pdf", at_limit))
    with pytest.raises(ValidationError, match="“big.pdf” is 20.0"):
        uploads.validate_pdf(SimpleUploadedFile("big.pdf", at_limit + b"\n"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": STARTS}, "must end after it starts"),
        ({"ends_on": STARTS - datetime.timedelta(days=1)}, "must end after it starts"),
        ({"fee_per_sqm_month": Decimal("-0.01")}, "cannot be negative"),
        ({"fee_per_sqm_month": "two yuan"}, "is not a number"),
        ({"fee_per_sqm_month": Decimal("2.805")}, "at most two decimals"),
        ({"service_level": "6"}, "not a service level"),
    ],
)
def test_invalid_terms_are_refused_and_nothing_is_stored(
    company_a, company_a_staff, estate_x, media_root, overrides, message
):
    with pytest.raises(ContractError, match=message):
        submit(company_a_staff, company_a, estate_x, **overrides)
    assert not ServiceContract.objects.exists()
    assert stored_files(media_root) == []


def test_a_free_contract_is_accepted(company_a, company_a_staff, estate_x):
    contract = submit(company_a_staff, company_a, estate_x, fee_per_sqm_month=0)
    assert contract.fee_per_sqm_month == Decimal("0")


# Filing ------------------------------------------------------------------------------------


def test_filing_makes_the_contract_company_the_managing_company(
    company_a, company_b, company_b_staff, estate_x, official
):
    assert estate_x.managing_company == company_a
    contract = submit(company_b_staff, company_b, estate_x)
    contracts.file_contract(contract, actor=official)
    contract.refresh_from_db()
    assert (contract.status, contract.decided_by, contract.decided_at) == (
        ContractStatus.FILED,
        official,
        NOW,
    )
    assert Estate.objects.get(pk=estate_x.pk).managing_company == company_b
    assert audit_trail(contract)[-1] == ("enterprises.contract.filed", official.pk)
    entry = ModelLogEntry.objects.for_instance(contract).order_by("-id").first()
    assert entry.data["previous_company"] == company_a.pk


def test_company_staff_cannot_file_its_own_contract(submitted, company_a_staff):
    before = snapshot(submitted)
    with pytest.raises(ContractError, match="may not decide"):
        contracts.file_contract(submitted, actor=company_a_staff)
    assert snapshot(submitted) == before


def test_official_of_another_district_cannot_file_or_return(submitted, official_2):
    before = snapshot(submitted)
    with pytest.raises(ContractError, match="may not decide"):
        contracts.file_contract(submitted, actor=official_2)
    with pytest.raises(ContractError, match="may not decide"):
        contracts.return_contract(submitted, actor=official_2, reason="附件缺页")
    assert snapshot(submitted) == before


def test_filing_twice_is_quiet(filed, official):
    contracts.file_contract(filed, actor=official)
    actions = [action for action, _user in audit_trail(filed)]
    assert actions.count("enterprises.contract.filed") == 1


def test_a_second_filing_for_the_estate_is_refused_naming_the_filed_one(
    filed, company_a, company_b, company_b_staff, estate_x, official
):
    second = submit(company_b_staff, company_b, estate_x, starts_on=datetime.date(2026, 6, 1))
    before = snapshot(second)
    with pytest.raises(ContractError) as refusal:
        contracts.file_contract(second, actor=official)
    message = str(refusal.value)
    assert company_a.name in message and "2026-01-01 to 2028-12-31" in message
    assert "terminate it" in message
    assert snapshot(second) == before
    assert Estate.objects.get(pk=estate_x.pk).managing_company == company_a
    assert (
        ServiceContract.objects.filter(estate=estate_x, status=ContractStatus.FILED).get() == filed
    )


def test_after_termination_another_contract_can_be_filed(
    filed, company_b, company_b_staff, estate_x, official
):
    contracts.terminate_contract(filed, actor=official, reason="业主大会决定解聘")
    second = submit(company_b_staff, company_b, estate_x)
    contracts.file_contract(second, actor=official)
    assert (
        ServiceContract.objects.filter(estate=estate_x, status=ContractStatus.FILED).get() == second
    )
    assert Estate.objects.get(pk=estate_x.pk).managing_company == company_b


def test_an_ended_contract_cannot_be_filed(company_a, company_a_staff, estate_x, official):
    old = submit(company_a_staff, company_a, estate_x, ends_on=datetime.date(2026, 3, 1))
    before = snapshot(old)
    with pytest.raises(ContractError, match="ended on 2026-03-01"):
        contracts.file_contract(old, actor=official)
    assert snapshot(old) == before


def test_the_database_holds_at_most_one_filed_contract_per_estate(filed):
    second = ServiceContract.objects.get(pk=filed.pk)
    second.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


@pytest.mark.django_db(transaction=True)
def test_two_officials_filing_at_once_file_only_one(
    company_a, company_a_staff, company_b, company_b_staff, estate_x, official, admin
):
    first = submit(company_a_staff, company_a, estate_x)
    second = submit(company_b_staff, company_b, estate_x)
    barrier = threading.Barrier(2)
    outcomes = {}

    def file(contract, actor):
        barrier.wait()
        try:
            with translation.override("en"):  # the language is per thread
                contracts.file_contract(contract, actor=actor)
            outcomes[contract.pk] = "filed"
        except ContractError as refusal:
            outcomes[contract.pk] = str(refusal)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=file, args=(first, official)),
        threading.Thread(target=file, args=(second, admin)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    results = list(outcomes.values())
    assert len(results) == 2 and results.count("filed") == 1
    assert "already has a filed contract" in next(r for r in results if r != "filed")
    winner = ServiceContract.objects.get(estate=estate_x, status=ContractStatus.FILED)
    assert Estate.objects.get(pk=estate_x.pk).managing_company_id == winner.company_id


# Returning ---------------------------------------------------------------------------------


def test_official_returns_a_contract_with_a_reason(submitted, official):
    contracts.return_contract(submitted, actor=official, reason=" 合同附件缺页 ")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.decision_reason) == (
        ContractStatus.RETURNED,
        "合同附件缺页",
    )
    assert audit_trail(submitted)[-1] == ("enterprises.contract.returned", official.pk)


def test_a_return_needs_a_reason(submitted, official):
    before = snapshot(submitted)
    with pytest.raises(ContractError, match="needs a reason"):
        contracts.return_contract(submitted, actor=official, reason="")
    assert snapshot(submitted) == before


@pytest.mark.parametrize(
    "verb",
    [
        lambda c, who: contracts.file_contract(c, actor=who),
        lambda c, who: contracts.terminate_contract(c, actor=who, reason="解聘"),
    ],
    ids=["file", "terminate"],
)
def test_a_returned_contract_can_be_neither_filed_nor_terminated(submitted, official, verb):
    contracts.return_contract(submitted, actor=official, reason="合同附件缺页")
    before = snapshot(submitted)
    with pytest.raises(ContractError, match="cannot become"):
        verb(submitted, official)
    assert snapshot(submitted) == before


def test_a_filed_contract_cannot_be_returned(filed, official):
    before = snapshot(filed)
    with pytest.raises(ContractError, match="cannot become"):
        contracts.return_contract(filed, actor=official, reason="补充材料")
    assert snapshot(filed) == before


# Termination -------------------------------------------------------------------------------


def test_official_terminates_and_the_estate_has_no_managing_company(filed, estate_x, official):
    contracts.terminate_contract(filed, actor=official, reason="业主大会决定解聘")
    filed.refresh_from_db()
    assert (filed.status, filed.decision_reason) == (ContractStatus.TERMINATED, "业主大会决定解聘")
    assert Estate.objects.get(pk=estate_x.pk).managing_company is None
    assert audit_trail(filed)[-1] == ("enterprises.contract.terminated", official.pk)


def test_the_company_itself_may_terminate(filed, estate_x, company_a_staff):
    contracts.terminate_contract(filed, actor=company_a_staff, reason="协商一致提前解除")
    assert ServiceContract.objects.get(pk=filed.pk).status == ContractStatus.TERMINATED
    assert Estate.objects.get(pk=estate_x.pk).managing_company is None
    assert audit_trail(filed)[-1] == ("enterprises.contract.terminated", company_a_staff.pk)


@pytest.mark.parametrize("outsider", ["company_b_staff", "official_2", "committee_member"])
def test_outsiders_cannot_terminate(filed, request, outsider):
    before = snapshot(filed)
    with pytest.raises(ContractError, match="may not terminate"):
        contracts.terminate_contract(filed, actor=request.getfixturevalue(outsider), reason="解聘")
    assert snapshot(filed) == before


def test_a_termination_needs_a_reason(filed, official):
    before = snapshot(filed)
    with pytest.raises(ContractError, match="needs a reason"):
        contracts.terminate_contract(filed, actor=official, reason=" ")
    assert snapshot(filed) == before


def test_a_submitted_contract_cannot_be_terminated(submitted, official):
    before = snapshot(submitted)
    with pytest.raises(ContractError, match="cannot become"):
        contracts.terminate_contract(submitted, actor=official, reason="解聘")
    assert snapshot(submitted) == before
