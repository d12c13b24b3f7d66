"""The Open311 API's payloads and every public GET filter under hostile input, and markup a
citizen typed shown escaped wherever the case is shown (tracking page, staff case page, API).

Never a 500; a refused payload answers GeoReport's error list in the caller's language and
stores nothing.
"""

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from cases import workflow
from cases.models import Complaint
from portal.models import (
    CompanyDirectoryPage,
    DrawResultsPage,
    EnforcementIndexPage,
    SearchPage,
    StatisticsPage,
)
from portal.open311 import keys
from portal.open311.forms import ServiceRequestForm
from tests.factories import make_complaint
from tests.security.bad_input.conftest import (
    FEW,
    SCRIPT,
    assert_escaped,
    assert_not_server_error,
    counts,
    hostile_text,
    rolled_back,
)

pytestmark = pytest.mark.django_db
API = "/api/open311/v2/"
PAYLOAD = {
    "service_code": "facilities",
    "description": "电梯停运三天，无人维修，老人上下楼困难。",
    "phone": "13812345678",
    "address_string": "翠湖花园",
}
GET_PARAMS = ["q", "p", "page", "district", "company", "year", "n", "grade", "kind", "sort"]


@pytest.fixture
def api_key(db) -> str:
    return keys.issue_key("12345 热线")[1]


@pytest.fixture
def public_pages(site_pages):
    home = site_pages["home"]
    for model, slug in [
        (CompanyDirectoryPage, "companies"),
        (EnforcementIndexPage, "enforcement"),
        (DrawResultsPage, "draws"),
        (SearchPage, "search"),
        (StatisticsPage, "statistics"),
    ]:
        home.add_child(instance=model(title=slug, slug=slug))
    return [
        "/companies/",
        "/enforcement/",
        "/draws/",
        "/search/",
        "/statistics/",
        "/track/",
        "/open-data/",
        "/en/companies/",
        "/en/search/",
    ]


def post(client, data, lang: str = "en", **extra):
    return client.post(
        API + "requests.json",
        urlencode(data, doseq=True),
        content_type="application/x-www-form-urlencoded",
        headers={"accept-language": lang},
        **extra,
    )


# Open311 ------------------------------------------------------------------------------------


@FEW
@given(
    fields=st.dictionaries(
        st.sampled_from([*ServiceRequestForm.base_fields, "api_key"]),
        hostile_text,
        min_size=1,
        max_size=4,
    )
)
def test_a_hostile_payload_is_refused_or_filed_never_a_500(client, api_key, fields):
    with rolled_back():
        before = counts()
        response = post(client, {"api_key": api_key, **PAYLOAD, **fields})
        assert_not_server_error(response)
        body = response.json()
        if response.status_code == 201:
            complaint = Complaint.objects.get(tracking_number=body[0]["service_request_id"])
            assert "\x00" not in complaint.description + complaint.estate_name
        else:
            assert response.status_code in (400, 403)
            assert all(e["code"] == response.status_code and e["description"] for e in body)
            assert counts() == before


@pytest.mark.parametrize(
    ("lang", "message"),
    [("zh-hans", "Null characters are not allowed."), ("en", "Null characters are not allowed.")],
)
def test_a_nul_is_refused_in_the_callers_language(client, api_key, lang, message):
    response = post(client, {"api_key": api_key, **PAYLOAD, "first_name": "李\x00"}, lang=lang)
    assert response.status_code == 400
    with translation.override(lang):
        expected = f"first_name: {translation.gettext(message)}"
    assert expected in [e["description"] for e in response.json()]
    assert not Complaint.objects.exists()


def test_control_characters_in_names_and_addresses_are_dropped(client, api_key):
    data = {
        **PAYLOAD,
        "first_name": "Lei\x1b",
        "last_name": "\x85Li",
        "address_string": "翠湖\x07花园",
    }
    assert post(client, {"api_key": api_key, **data}).status_code == 201
    complaint = Complaint.objects.get()
    assert (complaint.contact_name, complaint.estate_name) == ("Lei Li", "翠湖花园")


@pytest.mark.parametrize(
    "body",
    [
        '{"service_code": ["facilities"], "description": {"a": null}, "lat": NaN}',
        "[1e999, null, true]",
        '{"phone": 1e400}',
    ],
)
def test_json_is_not_accepted_and_never_a_500(client, api_key, body):
    response = client.post(
        f"{API}requests.json?api_key={api_key}", body, content_type="application/json"
    )
    assert response.status_code in (400, 403, 415)
    assert response.json()[0]["description"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"service_request_id": "\x00"},
        {"service_request_id": ",".join(["A1"] * 101)},
        {"start_date": "9999-12-31T23:59:59-18:21"},
        {"page": "9" * 5000},
        {"page_size": "-1"},
        {"status": "<script>"},
        {"service_code": SCRIPT * 100},
        {"end_date": "NaN"},
    ],
)
def test_hostile_request_filters_answer_400_in_geo_report_form(client, params):
    response = client.get(API + "requests.json", params)
    assert response.status_code == 400
    assert all(e["code"] == 400 for e in response.json())


# Every public GET filter --------------------------------------------------------------------


@FEW
@given(params=st.dictionaries(st.sampled_from(GET_PARAMS), hostile_text, min_size=1, max_size=5))
def test_hostile_query_strings_on_public_pages_are_never_a_500(client, public_pages, params):
    for path in public_pages:
        response = client.get(path, params)
        assert_not_server_error(response)
        if response.status_code == 200 and "html" in response["Content-Type"]:
            assert_escaped(response.content.decode())


@pytest.mark.parametrize("path", ["/companies/", "/search/", "/en/companies/"])
def test_a_nul_in_a_search_box_is_ignored_not_a_500(client, public_pages, path):
    response = client.get(path, {"q": "翠湖\x00花园"})
    assert response.status_code == 200


# Shown escaped wherever the case is shown ---------------------------------------------------


@pytest.fixture
def hostile_complaint(estate_x, admin):
    receipt = make_complaint(estate=estate_x, description=f"{SCRIPT} 电梯停运三天无人维修")
    complaint = receipt.complaint
    complaint.estate_name = '"><img src=x onerror=alert(1)>'
    complaint.consent_to_publish = True
    complaint.save(update_fields=["estate_name", "consent_to_publish"])
    workflow.accept_case(complaint, actor=admin)
    return receipt


def test_the_tracking_page_shows_typed_markup_escaped(client, site_pages, hostile_complaint):
    receipt = hostile_complaint
    client.post(
        "/en/track/",
        {"tracking_number": receipt.tracking_number, "access_code": receipt.access_code},
    )
    response = client.get("/en/track/case/", {"n": receipt.tracking_number})
    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in body  # the estate as the citizen typed it
    assert_escaped(body)


def test_the_staff_case_page_shows_typed_markup_escaped(client, hostile_complaint, admin):
    client.force_login(admin)
    response = client.get(reverse("cases_admin:case", args=[hostile_complaint.complaint.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert_escaped(body)


def test_the_api_returns_typed_markup_as_json_text_never_html(client, hostile_complaint):
    number = hostile_complaint.tracking_number
    response = client.get(f"{API}requests/{number}.json")
    assert response["Content-Type"].startswith("application/json")
    description = json.loads(response.content)[0]["description"]
    assert "alert(1)" in description  # published with consent, as text in JSON
