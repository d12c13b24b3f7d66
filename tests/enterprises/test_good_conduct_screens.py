"""The good conduct and training screens as their users work them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enterprises.models import ClaimStatus, CreditRecord, GoodConductClaim, TrainingSession
from tests.enterprises.pdfs import contract_pdf

pytestmark = pytest.mark.django_db


def declaration(company, estate, evidence) -> dict:
    return {
        "company": company.pk,
        "estate": estate.pk,
        "kind": "exemplary",
        "title": "拾金不昧",
        "description": "保安拾到业主钱包并归还。",
        "occurred_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "evidence": evidence,
    }


def test_a_company_declares_and_an_official_verifies(
    client, company_a_staff, company_a, estate_x, official
):
    client.force_login(company_a_staff)
    response = client.post(
        reverse("register_good_conduct:add"), declaration(company_a, estate_x, contract_pdf())
    )
    claim = GoodConductClaim.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("register_good_conduct:inspect", args=[claim.pk])
    page = client.get(response.url)
    assert "拾金不昧" in page.content.decode()
    assert reverse("register_good_conduct:verify", args=[claim.pk]) not in page.content.decode()

    client.force_login(official)
    page = client.get(reverse("register_good_conduct:inspect", args=[claim.pk]))
    assert reverse("register_good_conduct:verify", args=[claim.pk]) in page.content.decode()
    client.post(
        reverse("register_good_conduct:verify", args=[claim.pk]), {"verify-decision": "属实"}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED
    assert CreditRecord.objects.filter(source_key=f"good_conduct:{claim.pk}").exists()


def test_evidence_that_is_not_a_photo_or_pdf_is_shown_on_its_field(
    client, company_a_staff, company_a, estate_x
):
    client.force_login(company_a_staff)
    fake = SimpleUploadedFile("award.pdf", b"<html>not a pdf</html>", "application/pdf")
    response = client.post(
        reverse("register_good_conduct:add"), declaration(company_a, estate_x, fake)
    )
    assert response.status_code == 200
    assert "evidence" in response.context["form"].errors
    assert not GoodConductClaim.objects.exists()


def test_another_companys_estate_is_not_offered(
    client, company_a_staff, company_a, estate_y, company_b
):
    client.force_login(company_a_staff)
    response = client.get(reverse("register_training:add"))
    offered = {pk for pk, _label in response.context["form"].fields["estate"].choices if pk}
    assert estate_y.pk not in {getattr(pk, "value", pk) for pk in offered}
    response = client.post(
        reverse("register_training:add"),
        {
            "company": company_a.pk,
            "estate": estate_y.pk,
            "held_on": timezone.localdate().isoformat(),
            "topic": "消防演练",
            "hours": "2",
            "staff_count": "10",
        },
    )
    assert response.status_code == 200 and not TrainingSession.objects.exists()


def test_the_training_list_costs_the_same_queries_for_more_rows(
    client, company_a_staff, company_a, official, django_assert_max_num_queries
):
    from enterprises.good_conduct import record_training

    for n in range(12):
        record_training(
            actor=company_a_staff,
            company=company_a,
            held_on=timezone.localdate(),
            topic=f"培训 {n}",
            hours=1,
            staff_count=5,
        )
    client.force_login(official)
    client.get(reverse("register_training:index"))  # warm caches
    with django_assert_max_num_queries(25):
        response = client.get(reverse("register_training:index"))
    assert response.status_code == 200 and "培训 11" in response.content.decode()
