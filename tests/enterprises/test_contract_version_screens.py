"""The correction and amendment buttons of the contracts screen, the versions on the contract's
page (the whole history for the regulator and the company, the current version for the owners'
committee), the downloads of older versions' files through the same scope, and the current
version on the company's public page."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from enterprises import contracts
from enterprises.models import ContractStatus, ServiceContract
from portal.models import CompanyDirectoryPage
from tests.enterprises.contract_version_helpers import amend, correct
from tests.enterprises.pdfs import contract_pdf, html_named_pdf
from tests.enterprises.test_contracts import NOW, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def submitted(company_a, company_a_staff, estate_x):
    return submit(company_a_staff, company_a, estate_x)


@pytest.fixture
def returned(submitted, official):
    return contracts.return_contract(submitted, actor=official, reason="RETURN-REASON-1")


@pytest.fixture
def amended(submitted, official, company_a_staff):
    """Filed (v1), amended and accepted (v2, current), and amended again (v3, under review)."""
    contracts.file_contract(submitted, actor=official)
    amend(submitted, company_a_staff, fee_items="AMENDED-FEES-V2")
    contracts.accept_amendment(submitted, actor=official)
    amend(submitted, company_a_staff, fee_items="PENDING-FEES-V3", service_level="4")
    return ServiceContract.objects.get(pk=submitted.pk)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def press(user, button: str, contract, data: dict | None = None):
    url = reverse(f"register_contracts:{button}", args=[contract.pk])
    return client_for(user).post(url, data or {})


def levels(response) -> list[int]:
    return [m.level for m in get_messages(response.wsgi_request)]


def page(user, contract) -> str:
    response = client_for(user).get(reverse("register_contracts:inspect", args=[contract.pk]))
    assert response.status_code == 200
    return response.content.decode()


def version_file(contract, number: int) -> str:
    version = contract.versions.get(number=number)
    return reverse("register_contracts:file", args=(contract.pk, "versions", version.pk))


TERMS = {
    "starts_on": "2026-01-01",
    "ends_on": "2029-12-31",
    "service_level": "1",
    "fee_per_sqm_month": "3.20",
    "fee_items": "车位管理费 90元/月",
}


def form(prefix: str, **fields) -> dict:
    return {f"{prefix}-{name}": value for name, value in {**TERMS, **fields}.items()}


# The buttons -----------------------------------------------------------------------------------


def test_the_company_corrects_a_returned_filing_from_its_page(returned, company_a_staff):
    assert 'action="{}"'.format(reverse("register_contracts:correct", args=[returned.pk])) in page(
        company_a_staff, returned
    )
    response = press(
        company_a_staff, "correct", returned, form("correct", document=contract_pdf("fixed.pdf"))
    )
    assert levels(response) == [messages.SUCCESS]
    returned.refresh_from_db()
    assert (returned.status, returned.version, returned.service_level) == ("submitted", 2, "1")


def test_a_correction_that_is_not_a_pdf_is_shown_as_an_error(returned, company_a_staff):
    response = press(
        company_a_staff, "correct", returned, form("correct", document=html_named_pdf())
    )
    assert levels(response) == [messages.ERROR]
    assert ServiceContract.objects.get(pk=returned.pk).status == ContractStatus.RETURNED


def test_another_company_cannot_reach_the_correction(returned, company_b_staff):
    response = press(company_b_staff, "correct", returned, form("correct"))
    assert response.status_code == 404
    assert ServiceContract.objects.get(pk=returned.pk).version == 1


def test_the_committee_sees_the_filing_but_may_not_amend_it(amended, committee_member):
    response = press(
        committee_member,
        "amend",
        amended,
        form("amend", document=contract_pdf(), reason="业委会要求"),
    )
    assert response.status_code == 403
    assert amended.versions.count() == 3


def test_amend_then_accept_and_return_through_the_buttons(
    submitted, official, company_a_staff, estate_x
):
    contracts.file_contract(submitted, actor=official)
    assert "amend-reason" in page(company_a_staff, submitted)
    response = press(
        company_a_staff,
        "amend",
        submitted,
        form("amend", document=contract_pdf(), reason="调整收费标准"),
    )
    assert levels(response) == [messages.SUCCESS]
    official_page = page(official, submitted)
    assert "accept_amendment" in official_page and "return_amendment" in official_page
    assert "amend-reason" not in page(company_a_staff, submitted)  # one at a time
    assert levels(press(official, "accept_amendment", submitted)) == [messages.SUCCESS]
    submitted.refresh_from_db()
    assert (submitted.version, submitted.fee_per_sqm_month) == (2, Decimal("3.20"))

    again = form("amend", document=contract_pdf(), reason="再调")
    press(company_a_staff, "amend", submitted, again)
    response = press(official, "return_amendment", submitted, {"return_amendment-reason": "缺决议"})
    assert levels(response) == [messages.SUCCESS]
    submitted.refresh_from_db()
    assert submitted.version == 2
    assert submitted.versions.get(number=3).decision_reason == "缺决议"


def test_the_company_cannot_decide_its_own_amendment(amended, company_a_staff):
    assert press(company_a_staff, "accept_amendment", amended).status_code == 403
    assert ServiceContract.objects.get(pk=amended.pk).version == 2


# The versions on the contract's page ----------------------------------------------------------


@pytest.mark.parametrize("who", ["company_a_staff", "official", "inspector"])
def test_staff_and_the_company_see_every_version(amended, request, who):
    html = page(request.getfixturevalue(who), amended)
    for number in (1, 2, 3):
        assert f'id="version-{number}"' in html
    assert "AMENDED-FEES-V2" in html and "PENDING-FEES-V3" in html


@pytest.mark.parametrize("who", ["committee_member", "evaluator"])
def test_the_committee_sees_the_current_version_only(amended, request, who):
    html = page(request.getfixturevalue(who), amended)
    assert 'id="version-2"' in html and "AMENDED-FEES-V2" in html
    assert 'id="version-1"' not in html and 'id="version-3"' not in html
    assert "PENDING-FEES-V3" not in html


def test_the_returned_versions_show_the_regulators_reason(returned, company_a_staff):
    correct(returned, company_a_staff)
    html = page(company_a_staff, returned)
    assert "RETURN-REASON-1" in html and 'id="version-2"' in html


def test_the_versions_list_takes_the_same_queries_for_many_versions(
    returned, company_a_staff, official, django_assert_max_num_queries
):
    client = client_for(company_a_staff)
    url = reverse("register_contracts:inspect", args=[returned.pk])
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for _ in range(6):
        correct(returned, company_a_staff)
        contracts.return_contract(returned, actor=official, reason="再补")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count('id="version-') == 7


# Downloads of the versions' files --------------------------------------------------------------


def test_the_company_downloads_an_older_version(amended, company_a_staff):
    response = client_for(company_a_staff).get(version_file(amended, 1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_committee_downloads_the_current_version_only(amended, committee_member):
    client = client_for(committee_member)
    assert client.get(version_file(amended, 2)).status_code == 200
    assert client.get(version_file(amended, 1)).status_code == 404
    assert client.get(version_file(amended, 3)).status_code == 404


def test_another_company_gets_404_for_every_version(amended, company_b_staff):
    client = client_for(company_b_staff)
    for number in (1, 2, 3):
        assert client.get(version_file(amended, number)).status_code == 404


def test_a_version_of_another_contract_is_not_served_under_this_one(
    amended, company_a_staff, company_b, company_b_staff, estate_y
):
    other = submit(company_b_staff, company_b, estate_y)
    url = reverse("register_contracts:file", args=(amended.pk, "versions", other.versions.get().pk))
    assert client_for(company_a_staff).get(url).status_code == 404


# The public company page -----------------------------------------------------------------------


def test_the_public_company_page_shows_the_current_version(
    amended, site_pages, company_a, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    site_pages["home"].add_child(instance=CompanyDirectoryPage(title="企业名录", slug="companies"))
    html = Client().get(f"/companies/{company_a.pk}/").content.decode()
    row = html.split('class="filed-contract">', 1)[1].split("</td>", 1)[0]
    assert "2026-01-01 – 2029-12-31" in row  # the accepted amendment's dates
    assert "3.20" in row
    assert "PENDING" not in html and "AMENDED-FEES" not in html  # no fee items, no pending


def test_the_public_page_shows_no_contract_before_filing(
    submitted, site_pages, company_a, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    site_pages["home"].add_child(instance=CompanyDirectoryPage(title="企业名录", slug="companies"))
    html = Client().get(f"/companies/{company_a.pk}/").content.decode()
    assert html.split('class="filed-contract">', 1)[1].startswith("—")


def test_accepting_an_amendment_refreshes_the_cached_public_page(
    submitted, site_pages, company_a, official, company_a_staff, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    site_pages["home"].add_child(instance=CompanyDirectoryPage(title="企业名录", slug="companies"))
    contracts.file_contract(submitted, actor=official)
    url = f"/companies/{company_a.pk}/"
    assert "2028-12-31" in Client().get(url).content.decode()
    amend(submitted, company_a_staff, ends_on=datetime.date(2030, 6, 30))
    contracts.accept_amendment(submitted, actor=official)
    assert "2030-06-30" in Client().get(url).content.decode()
