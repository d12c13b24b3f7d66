"""Life cycles through the admin: add screens and transition buttons call the owning module.

Creating a licence, contract, disclosure or evaluation goes through the module's function. A
decision by the right official works and leaves its audit entry; anyone else is refused (403
inside the scope, 404 outside it) and nothing changes; a refusal by the module about the
record (bad dates, wrong state, not a PDF) comes back as an error.
"""

import datetime

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import ModelLogEntry

from enterprises import contracts, licensing
from enterprises.models import (
    AppealStatus,
    ContractStatus,
    CreditAppeal,
    CreditRecord,
    Disclosure,
    Evaluation,
    Licence,
    LicenceStatus,
    ServiceContract,
)
from tests.enterprises.pdfs import contract_pdf, html_named_pdf

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)
APPROVAL = {"approve-valid_from": "2026-03-01", "approve-valid_until": "2029-02-28"}


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def applied(company_a, company_a_staff) -> Licence:
    return licensing.apply_for_licence(company_a, actor=company_a_staff, scope="住宅物业管理")


@pytest.fixture
def approved(applied, official) -> Licence:
    return licensing.approve_licence(
        applied, actor=official, valid_from=TODAY, valid_until=datetime.date(2029, 3, 1)
    )


@pytest.fixture
def submitted_contract(company_a, estate_x, company_a_staff):
    return contracts.submit_contract(
        actor=company_a_staff,
        company=company_a,
        estate=estate_x,
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2029, 3, 31),
        service_level="2",
        fee_per_sqm_month="2.50",
        fee_items="",
        document=contract_pdf(),
    )


@pytest.fixture
def credit_record(company_a) -> CreditRecord:
    return CreditRecord.objects.create(
        company=company_a,
        kind="complaint",
        points=-2,
        explanation="投诉属实",
        source_label="TS-1",
        source_key="complaint:1",
        occurred_on=TODAY,
        valid_until=TODAY + datetime.timedelta(days=365),
    )


def press(client, screen: str, button: str, obj, data: dict | None = None):
    return client.post(reverse(f"register_{screen}:{button}", args=[obj.pk]), data or {})


def audit(obj) -> list[tuple[str, int | None]]:
    return list(
        ModelLogEntry.objects.for_instance(obj)
        .order_by("timestamp", "id")
        .values_list("action", "user_id")
    )


def levels(response) -> list[int]:
    return [message.level for message in get_messages(response.wsgi_request)]


def refused_in_admin(response) -> bool:
    """Wagtail answers a refused admin screen with a redirect to the dashboard."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def back_to_inspect(response, screen: str, obj) -> bool:
    return response.status_code == 302 and response.url == reverse(
        f"register_{screen}:inspect", args=[obj.pk]
    )


# Licences ----------------------------------------------------------------------------------


def test_official_approves_a_licence_and_the_audit_entry_is_written(client, applied, official):
    client.force_login(official)
    response = press(client, "licences", "approve", applied, APPROVAL)
    assert back_to_inspect(response, "licences", applied)
    assert levels(response) == [messages.SUCCESS]
    applied.refresh_from_db()
    assert (applied.status, applied.valid_until) == (
        LicenceStatus.APPROVED,
        datetime.date(2029, 2, 28),
    )
    assert ("enterprises.licence.approved", official.pk) in audit(applied)


def test_company_staff_cannot_approve_their_own_application(client, applied, company_a_staff):
    client.force_login(company_a_staff)
    response = press(client, "licences", "approve", applied, APPROVAL)
    assert response.status_code == 403
    assert applied.company.name in response.content.decode()  # the module's reason
    applied.refresh_from_db()
    assert applied.status == LicenceStatus.APPLIED
    assert audit(applied) == [("enterprises.licence.applied", company_a_staff.pk)]


@pytest.mark.parametrize("outsider", ["company_b_staff", "other_district_inspector"])
def test_outsiders_do_not_find_the_licence(client, request, applied, outsider):
    client.force_login(request.getfixturevalue(outsider))
    response = press(client, "licences", "approve", applied, APPROVAL)
    assert response.status_code == 404
    applied.refresh_from_db()
    assert applied.status == LicenceStatus.APPLIED


def test_an_inspector_of_the_district_is_refused(client, applied, inspector):
    client.force_login(inspector)
    response = press(client, "licences", "reject", applied, {"reject-reason": "材料不全"})
    assert response.status_code == 403
    applied.refresh_from_db()
    assert applied.status == LicenceStatus.APPLIED


def test_a_get_on_a_transition_is_not_allowed(client, applied, official):
    client.force_login(official)
    response = client.get(reverse("register_licences:approve", args=[applied.pk]), APPROVAL)
    assert response.status_code == 405
    applied.refresh_from_db()
    assert applied.status == LicenceStatus.APPLIED


def test_dates_the_module_refuses_come_back_as_an_error(client, applied, official):
    client.force_login(official)
    backwards = {"approve-valid_from": "2029-02-28", "approve-valid_until": "2026-03-01"}
    response = press(client, "licences", "approve", applied, backwards)
    assert back_to_inspect(response, "licences", applied)
    assert levels(response) == [messages.ERROR]
    applied.refresh_from_db()
    assert applied.status == LicenceStatus.APPLIED
    assert len(audit(applied)) == 1


def test_a_rejection_without_a_reason_changes_nothing(client, applied, official):
    client.force_login(official)
    response = press(client, "licences", "reject", applied, {"reject-reason": ""})
    assert levels(response) == [messages.ERROR]
    applied.refresh_from_db()
    assert (applied.status, applied.decision_reason) == (LicenceStatus.APPLIED, "")


def test_a_rejected_application_cannot_be_approved(client, applied, official):
    licensing.reject_licence(applied, actor=official, reason="材料不全")
    client.force_login(official)
    response = press(client, "licences", "approve", applied, APPROVAL)
    assert levels(response) == [messages.ERROR]
    applied.refresh_from_db()
    assert applied.status == LicenceStatus.REJECTED


def test_official_suspends_and_reinstates_a_licence(client, approved, official):
    client.force_login(official)
    press(
        client,
        "licences",
        "suspend",
        approved,
        {"suspend-reason": "整改期间", "suspend-penalty_reference": "东罚〔2026〕3号"},
    )
    approved.refresh_from_db()
    assert (approved.status, approved.penalty_reference) == (
        LicenceStatus.SUSPENDED,
        "东罚〔2026〕3号",
    )
    press(client, "licences", "reinstate", approved, {"reinstate-note": "已整改"})
    approved.refresh_from_db()
    assert approved.status == LicenceStatus.APPROVED
    trail = audit(approved)
    assert trail[-2] == ("enterprises.licence.suspended", official.pk)
    assert trail[-1][1] == official.pk  # the reinstatement, by the official


def test_company_staff_apply_for_a_renewal_from_their_licence(client, approved, company_a_staff):
    client.force_login(company_a_staff)
    press(client, "licences", "renew", approved, {"renew-scope": "住宅及商业物业管理"})
    renewal = Licence.objects.get(renewal_of=approved)
    assert (renewal.status, renewal.scope) == (LicenceStatus.APPLIED, "住宅及商业物业管理")


def test_the_inspect_screen_offers_only_the_users_buttons(
    client, applied, official, company_a_staff
):
    approve_url = reverse("register_licences:approve", args=[applied.pk])
    inspect_url = reverse("register_licences:inspect", args=[applied.pk])
    client.force_login(official)
    assert approve_url in client.get(inspect_url).content.decode()
    client.force_login(company_a_staff)
    page = client.get(inspect_url)
    assert page.status_code == 200
    assert approve_url not in page.content.decode()
    assert page.context["transitions"] == []


# Service contracts -------------------------------------------------------------------------


def test_official_files_a_contract(client, submitted_contract, official, estate_x, company_a):
    client.force_login(official)
    response = press(client, "contracts", "file", submitted_contract)
    assert back_to_inspect(response, "contracts", submitted_contract)
    submitted_contract.refresh_from_db()
    assert submitted_contract.status == ContractStatus.FILED
    assert ("enterprises.contract.filed", official.pk) in audit(submitted_contract)


def test_company_staff_cannot_return_their_own_contract(
    client, submitted_contract, company_a_staff
):
    client.force_login(company_a_staff)
    response = press(client, "contracts", "return", submitted_contract, {"return-reason": "x"})
    assert response.status_code == 403
    submitted_contract.refresh_from_db()
    assert submitted_contract.status == ContractStatus.SUBMITTED


def test_company_staff_terminate_their_filed_contract(
    client, submitted_contract, official, company_a_staff
):
    contracts.file_contract(submitted_contract, actor=official)
    client.force_login(company_a_staff)
    press(client, "contracts", "terminate", submitted_contract, {"terminate-reason": "合同解除"})
    submitted_contract.refresh_from_db()
    assert submitted_contract.status == ContractStatus.TERMINATED


# Disclosures ------------------------------------------------------------------------------


@pytest.fixture
def draft(company_a, estate_x) -> Disclosure:
    return Disclosure.objects.create(
        company=company_a, estate=estate_x, kind="fees", period="2026", body="收费标准"
    )


def test_company_staff_publish_their_draft(client, draft, company_a_staff):
    client.force_login(company_a_staff)
    press(client, "disclosures", "publish", draft)
    draft.refresh_from_db()
    assert draft.published
    assert audit(draft) == [("enterprises.disclosure.published", company_a_staff.pk)]


def test_an_official_cannot_publish_for_a_company(client, draft, official):
    client.force_login(official)
    response = press(client, "disclosures", "publish", draft)
    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.published


# Credit appeals ---------------------------------------------------------------------------


def test_company_staff_appeal_and_the_official_upholds(
    client, credit_record, company_a_staff, official
):
    client.force_login(company_a_staff)
    press(client, "credit_records", "appeal", credit_record, {"appeal-reason": "投诉不属实"})
    appeal = CreditAppeal.objects.get(record=credit_record)
    assert audit(appeal) == [("enterprises.credit.appealed", company_a_staff.pk)]

    refused = press(client, "credit_appeals", "uphold", appeal, {"uphold-decision": "自行撤销"})
    assert refused.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.SUBMITTED

    client.force_login(official)
    press(client, "credit_appeals", "uphold", appeal, {"uphold-decision": "经核实投诉不属实"})
    appeal.refresh_from_db()
    credit_record.refresh_from_db()
    assert (appeal.status, credit_record.withdrawn) == (AppealStatus.UPHELD, True)


def test_staff_of_another_company_cannot_appeal(client, credit_record, company_b_staff):
    client.force_login(company_b_staff)
    response = press(
        client, "credit_records", "appeal", credit_record, {"appeal-reason": "投诉不属实"}
    )
    assert response.status_code == 404
    assert not CreditAppeal.objects.exists()


# Creation goes through the owning module --------------------------------------------------


def test_company_staff_apply_for_a_licence_through_the_add_screen(
    client, company_a, company_a_staff
):
    client.force_login(company_a_staff)
    response = client.post(
        reverse("register_licences:add"), {"company": company_a.pk, "scope": "住宅物业管理"}
    )
    licence = Licence.objects.get()
    assert response.url == reverse("register_licences:inspect", args=[licence.pk])
    assert (licence.status, licence.applied_by) == (LicenceStatus.APPLIED, company_a_staff)
    assert ModelLogEntry.objects.for_instance(licence).get().action == (
        "enterprises.licence.applied"
    )


def test_company_staff_cannot_apply_for_another_company(client, company_b, company_a_staff):
    client.force_login(company_a_staff)
    response = client.post(
        reverse("register_licences:add"), {"company": company_b.pk, "scope": "住宅物业管理"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "company" in response.context["form"].errors
    assert not Licence.objects.exists()


def test_an_official_has_no_licence_application_screen(client, official, company_a):
    client.force_login(official)
    response = client.get(reverse("register_licences:add"))
    assert refused_in_admin(response)


def test_a_contract_is_submitted_with_its_pdf(client, company_a, estate_x, company_a_staff):
    client.force_login(company_a_staff)
    data = {
        "company": company_a.pk,
        "estate": estate_x.pk,
        "starts_on": "2026-04-01",
        "ends_on": "2029-03-31",
        "service_level": "2",
        "fee_per_sqm_month": "2.50",
        "fee_items": "车位管理费 80元/月",
    }
    refused = client.post(reverse("register_contracts:add"), {**data, "document": html_named_pdf()})
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()
    assert not ServiceContract.objects.exists()

    client.post(reverse("register_contracts:add"), {**data, "document": contract_pdf()})
    contract = ServiceContract.objects.get()
    assert (contract.status, contract.submitted_by) == ("submitted", company_a_staff)
    assert ModelLogEntry.objects.for_instance(contract).get().action == (
        "enterprises.contract.submitted"
    )


def test_an_evaluator_submits_an_evaluation_of_its_estate(client, estate_x, estate_y, evaluator):
    client.force_login(evaluator)
    scores = {
        "basic_management": 90,
        "cleaning": 85,
        "greening": 80,
        "public_order": 88,
        "facility_maintenance": 75,
        "customer_service": 92,
    }
    client.post(
        reverse("register_evaluations:add"), {"estate": estate_y.pk, "period": "2025", **scores}
    )
    assert not Evaluation.objects.exists()
    client.post(
        reverse("register_evaluations:add"), {"estate": estate_x.pk, "period": "2025", **scores}
    )
    evaluation = Evaluation.objects.get()
    assert (evaluation.estate, evaluation.evaluator) == (estate_x, evaluator)


def test_a_draft_disclosure_is_reworked_but_a_published_one_is_final(
    client, company_a, estate_x, company_a_staff
):
    client.force_login(company_a_staff)
    client.post(
        reverse("register_disclosures:add"),
        {
            "company": company_a.pk,
            "estate": estate_x.pk,
            "kind": "fees",
            "period": "2026",
            "body": "初稿",
        },
    )
    draft = Disclosure.objects.get()
    edit_url = reverse("register_disclosures:edit", args=[draft.pk])
    client.post(edit_url, {"body": "修订稿"})
    draft.refresh_from_db()
    assert (draft.body, draft.published) == ("修订稿", False)

    Disclosure.objects.filter(pk=draft.pk).update(published=True)
    response = client.post(edit_url, {"body": "发布后改动"})
    assert refused_in_admin(response)
    draft.refresh_from_db()
    assert draft.body == "修订稿"
