"""Uploaded files of register and supervision records are served through the record's scope,
never from the media folder: the other side's file and a guessed id are the same 404."""

import pytest
from django.test import Client
from django.urls import reverse

from cases import inspections
from tests.cases.supervision_fixtures import make_checklist, make_inspector, plan
from tests.enterprises.pdfs import pdf_bytes
from tests.enterprises.test_contracts import submit
from tests.images import jpeg_with_gps

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def contract(company_a, company_a_staff, estate_x, media_root):
    return submit(company_a_staff, company_a, estate_x)


@pytest.fixture
def inspection_with_photo(official, estate_x, district_1, media_root):
    team = [make_inspector("insp_a", district_1), make_inspector("insp_b", district_1)]
    inspection = plan(official, estate_x, team, make_checklist(official))
    inspections.start_inspection(inspection, actor=team[0])
    photo = inspections.add_photo(inspection, jpeg_with_gps(), actor=team[0], caption="消防通道")
    return inspection, photo, team[0]


def contract_file_url(contract) -> str:
    return reverse("register_contracts:file", args=(contract.pk, "document"))


def test_the_company_downloads_its_own_contract_as_a_pdf_attachment(contract, company_a_staff):
    response = client_for(company_a_staff).get(contract_file_url(contract))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_another_company_and_a_guessed_id_get_the_same_404(contract, company_b_staff):
    client = client_for(company_b_staff)
    assert client.get(contract_file_url(contract)).status_code == 404
    missing = reverse("register_contracts:file", args=(contract.pk + 999, "document"))
    assert client_for(company_b_staff).get(missing).status_code == 404


def test_a_field_that_is_not_a_file_is_not_served(contract, company_a_staff):
    url = reverse("register_contracts:file", args=(contract.pk, "fee_items"))
    assert client_for(company_a_staff).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(contract):
    response = Client().get(contract_file_url(contract))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_media_folder_itself_is_not_served(contract, company_a_staff):
    assert client_for(company_a_staff).get(contract.document.url).status_code == 404


def test_the_record_page_links_to_the_scoped_download(contract, company_a_staff):
    url = reverse("register_contracts:inspect", args=(contract.pk,))
    html = client_for(company_a_staff).get(url).content.decode()
    assert contract_file_url(contract) in html
    assert contract.document.url not in html


def test_inspection_photos_are_shown_to_the_district_and_no_one_else(
    inspection_with_photo, district_2
):
    inspection, photo, inspector = inspection_with_photo
    url = reverse("supervision_inspections:file", args=(inspection.pk, "photos", photo.pk))
    response = client_for(inspector).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "attachment" not in response.get("Content-Disposition", "")
    page = client_for(inspector).get(
        reverse("supervision_inspections:inspect", args=(inspection.pk,))
    )
    assert url in page.content.decode()
    assert photo.image.url not in page.content.decode()
    outsider = make_inspector("insp_far", district_2)
    assert client_for(outsider).get(url).status_code == 404
    guessed = reverse("supervision_inspections:file", args=(inspection.pk, "photos", photo.pk + 50))
    assert client_for(inspector).get(guessed).status_code == 404
