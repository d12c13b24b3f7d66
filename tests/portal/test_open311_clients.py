"""The API as third-party GeoReport v2 clients from PyPI call it, over HTTP on loopback.

- ``georeport``: service list, service definition, requests and one request, in JSON and in
  XML (which it parses with xmltodict);
- ``civicbot``: files a request the way its Open311 client builds the form (``api_key`` in
  the form body), after checking the code against our service list; the same form posted to
  ``requests.xml`` and read back with georeport's XML parser.

(``open311`` and ``three`` on PyPI are Python 2 only: they cannot be imported here.)
"""

import pytest
import requests
import xmltodict
from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import CONFIRM_TOKEN, Open311Client
from civicbot.registry import Endpoint
from django.utils import translation
from georeport import GeoReport

from cases.models import Category, Complaint
from portal.open311 import keys

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "13912345678"
NARRATIVE = "电梯停运三天，无人维修，老人上下楼困难。"


@pytest.fixture
def api_root(live_server, settings) -> str:
    settings.ROOT_URLCONF = "tests.open311_urls"
    settings.OPEN311_READ_RATE_LIMIT = "10000/m"
    settings.OPEN311_CREATE_RATE_LIMIT = "10000/m"
    return f"{live_server.url}/api/open311/v2"


def civicbot_client(api_root: str, fmt: str) -> Open311Client:
    endpoint = Endpoint(id="portal", name="Housing regulator", base_url=api_root, write=True)
    return Open311Client(endpoint, HttpTransport(rate_limiter=RateLimiter(0)), fmt=fmt)


def form(**fields) -> dict:
    return {"description": NARRATIVE, "phone": PHONE, "address_string": "翠湖花园", **fields}


def test_third_party_clients_file_and_read_in_json_and_xml(api_root, estate_x):
    key = keys.issue_key("12345 热线")[1]

    # Filing, JSON: civicbot checks the code against the live service list, then posts.
    sent = civicbot_client(api_root, "json").create_request(
        "facilities",
        dry_run=False,
        confirm=CONFIRM_TOKEN,
        api_key=key,
        validate_remote=True,
        **form(first_name="小明", last_name="王"),
    )
    [created] = sent.response
    by_json = created["service_request_id"]
    assert created["account_id"] is None

    # Filing, XML: the form civicbot builds for requests.xml, the answer read as georeport
    # reads XML.
    prepared = civicbot_client(api_root, "xml").build_request(
        "cleaning", api_key=key, **form(lat=30.2741, lng=120.1551, address_string=None)
    )
    assert prepared.url == f"{api_root}/requests.xml" and prepared.form["api_key"] == key
    response = requests.post(prepared.url, data=prepared.form, timeout=30)
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    by_xml = xmltodict.parse(response.content)["service_requests"]["request"]
    by_xml = by_xml["service_request_id"]
    stored = {c.tracking_number: c for c in Complaint.objects.all()}
    assert set(stored) == {by_json, by_xml}
    assert (stored[by_json].contact_name, stored[by_json].estate) == ("王小明", estate_x)
    assert stored[by_xml].category == Category.CLEANING

    # Reading, in both formats.
    with translation.override("zh-hans"):  # no Accept-Language: the default language
        names = [str(c.label) for c in Category]
    for fmt in ("json", "xml"):
        client = GeoReport(api_root, output_format=fmt)
        services = client.get_service_list()
        assert [s["service_code"] for s in services] == list(Category.values)
        assert [s["service_name"] for s in services] == names
        assert {str(s["metadata"]).lower() for s in services} == {"false"}
        definition = client.get_service_definition("facilities")
        assert definition["service_code"] == "facilities"
        assert not definition["attributes"]  # [] in JSON, an empty element in XML
        listed = client.get_service_requests(status="open")
        assert [r["service_request_id"] for r in listed] == [by_xml, by_json]
        assert {r["status"] for r in listed} == {"open"}
        one = client.get_service_request(by_json)
        assert (one["service_request_id"], one["address"]) == (by_json, "翠湖花园")
        assert one["service_code"] == "facilities"
        assert PHONE not in str(listed) + str(one) and "小明" not in str(listed)
        only = client.get_service_requests(service_request_id=by_xml)
        only = only if isinstance(only, list) else [only]  # xmltodict: one is not a list
        assert [r["service_request_id"] for r in only] == [by_xml]
        with pytest.raises(requests.HTTPError) as refused:
            client.get_service_request("WY20260101ABCDEF")
        assert refused.value.response.status_code == 404

    assert civicbot_client(api_root, "json").get_request(by_xml)["service_code"] == "cleaning"


def test_a_client_sending_the_key_in_the_url_is_told_where_to_put_it(api_root):
    key = keys.issue_key("12345 热线")[1]
    response = requests.post(
        f"{api_root}/requests.xml",
        params={"api_key": key},
        data={"service_code": "facilities", **form()},
        headers={"Accept-Language": "en"},
        timeout=30,
    )
    assert response.status_code == 403
    error = xmltodict.parse(response.content)["errors"]["error"]
    assert error == {
        "code": "403",
        "description": "Send api_key in the POST body, not in the URL: URLs are logged.",
    }
    assert not Complaint.objects.exists()
