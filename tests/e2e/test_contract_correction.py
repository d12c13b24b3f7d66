"""Contract filing in a browser (备案补正 and 变更备案): the company corrects a returned filing
from the contract's page and resubmits it, the filed contract is amended, the official accepts
the amendment, and the owners' committee sees the current version only."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enterprises import contracts
from enterprises.models import ServiceContract
from tests.e2e.pages import log_in, t
from tests.enterprises.pdfs import contract_pdf, pdf_bytes


@pytest.fixture
def returned(company_a, company_a_staff, estate_x, official):
    today = datetime.date.today()
    contract = contracts.submit_contract(
        actor=company_a_staff,
        company=company_a,
        estate=estate_x,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=700),
        service_level="2",
        fee_per_sqm_month="2.50",
        fee_items="",
        document=contract_pdf(),
    )
    return contracts.return_contract(contract, actor=official, reason="合同附件缺页")


def test_correct_amend_accept_and_the_committee_sees_the_current_version(
    open_page, returned, company_a_staff, official, committee_member, tmp_path
):
    pdf = tmp_path / "corrected.pdf"
    pdf.write_bytes(pdf_bytes())
    url = reverse("register_contracts:inspect", args=[returned.pk])

    company = open_page(phone=False)
    log_in(company, company_a_staff, next_url=url)
    company.goto(url)
    expect(company.locator("#version-1")).to_contain_text("合同附件缺页")
    company.locator("input[name='correct-fee_per_sqm_month']").fill("3.20")
    company.locator("input[name='correct-document']").set_input_files(str(pdf))
    company.get_by_role("button", name=t("Correct and resubmit")).click()
    expect(company.locator("#version-2")).to_contain_text("3.20")
    assert ServiceContract.objects.get(pk=returned.pk).status == "submitted"

    contracts.file_contract(returned, actor=official)
    company.goto(url)
    company.locator("input[name='amend-fee_per_sqm_month']").fill("3.60")
    company.locator("input[name='amend-document']").set_input_files(str(pdf))
    company.locator("textarea[name='amend-reason']").fill("业主大会决定调整收费标准")
    company.get_by_role("button", name=t("Submit an amendment")).click()
    expect(company.locator("#version-3")).to_contain_text("业主大会决定调整收费标准")

    regulator = open_page(phone=False)
    log_in(regulator, official, next_url=url)
    regulator.goto(url)
    regulator.get_by_role("button", name=t("Accept the amendment")).click()
    expect(regulator.locator("#version-3")).to_contain_text(t("current"))
    assert ServiceContract.objects.get(pk=returned.pk).version == 3

    owners = open_page(phone=False)
    log_in(owners, committee_member, next_url=url)
    owners.goto(url)
    expect(owners.locator("#version-3")).to_contain_text("3.60")
    expect(owners.locator("#version-1")).to_have_count(0)
    expect(owners.locator("#version-2")).to_have_count(0)
    expect(owners.get_by_role("button", name=t("Submit an amendment"))).to_have_count(0)
