"""GeoReport v2 in XML: every endpoint with the specification's element names, saying exactly
what the JSON says, with the same checks, errors, language and limits; and service discovery.

Answers are parsed with defusedxml, as any XML from outside must be.
"""

import hashlib
import json
from urllib.parse import urlencode

import pytest
from defusedxml import ElementTree
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import CaseEvent, Category, Complaint
from portal.open311 import discovery, keys, mapping
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
BASE = "/api/open311/v2/"
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


@pytest.fixture(autouse=True)
def open311_urls(settings):
    settings.ROOT_URLCONF = "tests.open311_urls"


@pytest.fixture
def api_key(db) -> str:
    return keys.issue_key("12345 热线")[1]


def get(client, path: str, lang: str = "en", **params):
    return client.get(BASE + path, params, headers={"accept-language": lang})


def post(client, path: str, data: dict, lang: str = "en"):
    return client.post(
        BASE + path,
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        headers={"accept-language": lang},
    )


def payload(api_key: str, **fields) -> dict:
    return {
        "api_key": api_key,
        "service_code": "facilities",
        "description": "电梯停运三天，无人维修，老人上下楼困难。",
        "phone": "13912345678",
        "address_string": "翠湖花园",
        **fields,
    }


def xml(response):
    """The parsed document, after checking what the specification asks of every XML answer."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)


def as_dict(element) -> dict:
    return {child.tag: child.text for child in element}


def xml_errors(response) -> list[str]:
    root = xml(response)
    assert root.tag == "errors"
    assert [e.tag for e in root] == ["error"] * len(root) and len(root) > 0
    assert {e.findtext("code") for e in root} == {str(response.status_code)}
    assert all([c.tag for c in e] == ["code", "description"] for e in root)
    return [e.findtext("description") for e in root]


def as_xml_text(value) -> str | None:
    """How a JSON value reads in the XML: null and "" are an empty element."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Services ---------------------------------------------------------------------------------


def test_services_in_xml_are_the_json_services(client):
    root = xml(get(client, "services.xml", lang="zh-hans"))
    assert root.tag == "services"
    assert [s.tag for s in root] == ["service"] * len(Category)
    listed = [as_dict(s) for s in root]
    assert all(list(s) == SERVICE_FIELDS for s in listed)
    expected = get(client, "services.json", lang="zh-hans").json()
    assert listed == [{k: as_xml_text(v) for k, v in s.items()} for s in expected]
    assert listed[0]["service_name"] == "环境卫生" and listed[0]["metadata"] == "false"


def test_a_service_definition_in_xml(client):
    root = xml(get(client, "services/cleaning.xml"))
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    assert root.findtext("service_code") == "cleaning"
    assert list(root.find("attributes")) == []
    assert xml_errors(get(client, "services/plumbing.xml")) == ["Unknown service_code."]


def test_a_category_with_attributes_is_listed_with_metadata_and_defined(client, monkeypatch):
    """The day a category takes attributes, the list, the definition and both formats say
    so, with GeoReport's element names."""
    attribute = {
        "variable": True,
        "code": "FLOOR",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "Which floor?",
        "values": [{"key": "1", "name": "Ground"}, {"key": "2", "name": "First"}],
    }
    monkeypatch.setitem(mapping.ATTRIBUTES, "facilities", [attribute])
    services = {s["service_code"]: s for s in get(client, "services.json").json()}
    assert (services["facilities"]["metadata"], services["cleaning"]["metadata"]) == (True, False)
    definition = get(client, "services/facilities.json").json()
    assert definition == {"service_code": "facilities", "attributes": [attribute]}
    root = xml(get(client, "services/facilities.xml"))
    [element] = root.find("attributes")
    assert element.tag == "attribute"
    assert as_dict(element) | {"values": None} == {
        k: as_xml_text(v) for k, v in attribute.items() if k != "values"
    } | {"values": None}
    values = element.find("values")
    assert [(v.tag, as_dict(v)) for v in values] == [
        ("value", {"key": "1", "name": "Ground"}),
        ("value", {"key": "2", "name": "First"}),
    ]


# Requests ---------------------------------------------------------------------------------


def test_requests_in_xml_say_exactly_what_the_json_says(client, estate_x, official):
    estate_x.latitude, estate_x.longitude = "30.274100", "120.155100"
    estate_x.save()
    receipt = make_complaint(estate=estate_x, description="电话 13812345678，楼上漏水一个月")
    Complaint.objects.update(consent_to_publish=True)
    make_complaint()
    for lang in ("en", "zh-hans"):
        root = xml(get(client, "requests.xml", lang=lang))
        assert root.tag == "service_requests"
        assert [r.tag for r in root] == ["request", "request"]
        expected = get(client, "requests.json", lang=lang).json()
        assert [as_dict(r) for r in root] == [
            {k: as_xml_text(v) for k, v in r.items()} for r in expected
        ]
    [one] = xml(get(client, f"requests/{receipt.tracking_number}.xml"))
    assert one.findtext("service_request_id") == receipt.tracking_number
    assert (one.findtext("lat"), one.findtext("long")) == ("30.2741", "120.1551")
    body = get(client, "requests.xml").content.decode()
    assert "13812345678" not in body  # scrubbed as in JSON
    assert one.findtext("description") == "电话 [phone]，楼上漏水一个月"


def test_filters_and_their_errors_in_xml(client, estate_x):
    cleaning = make_complaint(estate=estate_x, category=Category.CLEANING).tracking_number
    make_complaint(estate=estate_x)
    root = xml(get(client, "requests.xml", service_code="cleaning"))
    assert [r.findtext("service_request_id") for r in root] == [cleaning]
    assert list(xml(get(client, "requests.xml", status="closed"))) == []
    response = get(client, "requests.xml", status="pending", page_size="0")
    assert response.status_code == 400
    assert xml_errors(response) == [
        'status: Give status as "open" or "closed".',
        "page_size: Ensure this value is greater than or equal to 1.",
    ]
    response = get(client, "requests/WY20260101ABCDEF.xml")
    assert response.status_code == 404
    assert xml_errors(response) == ["No service request has this service_request_id."]


def test_the_xml_list_takes_one_query(client, estate_x, django_assert_max_num_queries):
    for _ in range(30):
        make_complaint(estate=estate_x)
    with django_assert_max_num_queries(1):
        assert len(xml(get(client, "requests.xml"))) == 30


def test_text_xml_cannot_carry_is_dropped_and_markup_is_text(client, estate_x, official):
    """Stored text with control characters (typed before today's checks, or by staff) and
    markup must leave as a well-formed document, the markup as text."""
    complaint = make_complaint(estate=estate_x).complaint
    Complaint.objects.filter(pk=complaint.pk).update(
        consent_to_publish=True,
        description="<script>alert(1)</script> 电梯\x0b停运\x07三天 ]]> &amp;",
    )
    [request] = xml(get(client, "requests.xml"))
    assert request.findtext("description") == "<script>alert(1)</script> 电梯停运三天 ]]> &amp;"
    assert b"<script>" not in get(client, "requests.xml").content


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(["service_request_id", "service_code", "status", "start_date", "page"]),
    value=st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
)
def test_any_filter_value_answers_a_well_formed_document(client, name, value):
    """Error messages echo what was sent (``Not a service_request_id: …``)."""
    response = get(client, "requests.xml", **{name: value})
    assert response.status_code in (200, 400)
    root = xml(response)
    assert root.tag == ("service_requests" if response.status_code == 200 else "errors")


# Filing -----------------------------------------------------------------------------------


def test_a_partner_files_in_xml(client, api_key, estate_x):
    response = post(client, "requests.xml", payload(api_key))
    assert response.status_code == 201, response.content
    assert "no-store" in response["Cache-Control"]
    [created] = xml(response)
    assert [c.tag for c in created] == ["service_request_id", "service_notice", "account_id"]
    complaint = Complaint.objects.get()
    assert created.findtext("service_request_id") == complaint.tracking_number
    assert f"requests/{complaint.tracking_number}.xml" in created.findtext("service_notice")
    assert created.findtext("account_id") == ""  # present and empty: null
    assert CaseEvent.objects.filter(action="cases.complaint.submitted").count() == 1


def test_the_key_is_accepted_in_a_multipart_form_body(client, api_key, estate_x):
    response = client.post(BASE + "requests.xml", payload(api_key))  # multipart/form-data
    assert response.status_code == 201
    assert Complaint.objects.count() == 1


def test_a_key_in_the_url_is_refused_with_a_reason(client, api_key):
    data = payload(api_key)
    del data["api_key"]
    response = client.post(
        f"{BASE}requests.xml?{urlencode({'api_key': api_key})}",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 403
    assert xml_errors(response) == [
        "Send api_key in the POST body, not in the URL: URLs are logged."
    ]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_refusals_in_xml_name_the_field_and_store_nothing(client, api_key, lang):
    response = post(client, "requests.xml", payload(api_key, phone="12345"), lang=lang)
    assert response.status_code == 400
    json_response = post(client, "requests.json", payload(api_key, phone="12345"), lang=lang)
    assert xml_errors(response) == [e["description"] for e in json_response.json()]
    assert xml_errors(response)[0].startswith("phone: ")
    assert response["Content-Language"] == lang
    forbidden = post(client, "requests.xml", payload("not-a-key-at-all"), lang=lang)
    assert forbidden.status_code == 403 and xml_errors(forbidden)
    assert not Complaint.objects.exists()


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=st.dictionaries(
        st.sampled_from(["service_code", "description", "phone", "email", "lat", "address_id"]),
        st.one_of(
            st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
            st.sampled_from(["\x00", "a\x07b", "\x1b[31m", "<x>&", "]]>"]),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_any_payload_answers_a_well_formed_document(client, api_key, fields):
    """Refusals echo what was sent (``Select a valid choice. … is not one of …``)."""
    with transaction.atomic():
        response = post(client, "requests.xml", payload(api_key, **fields))
        assert response.status_code in (201, 400)
        root = xml(response)
        assert root.tag == ("service_requests" if response.status_code == 201 else "errors")
        transaction.set_rollback(True)


# The rest of the surface ------------------------------------------------------------------


def test_methods_limits_and_unknown_paths_answer_xml_errors(client, settings, time_machine):
    response = client.delete(BASE + "requests.xml")
    assert response.status_code == 405 and response["Allow"] == "GET, POST, HEAD"
    assert xml_errors(response)
    for path in ("tokens/abc.xml", "nothing.xml"):
        assert xml_errors(get(client, path)) == ["No such Open311 endpoint."]
    time_machine.move_to("2026-03-10 10:00:05 +08:00", tick=False)
    settings.OPEN311_READ_RATE_LIMIT = "1/m"
    assert get(client, "services.xml").status_code == 200
    limited = get(client, "services.xml")
    assert limited.status_code == 429 and xml_errors(limited) and limited["Retry-After"]


def test_xml_reads_are_cached_briefly_and_vary_on_language(client):
    response = get(client, "services.xml")
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in response["Vary"]


# Discovery --------------------------------------------------------------------------------


def test_discovery_in_both_formats(client):
    document = get(client, "discovery.json").json()
    assert list(document) == ["changeset", "contact", "key_service", "endpoints"]
    [endpoint] = document["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/api/open311/v2/",
        "changeset": discovery.CHANGESET,
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    assert "api_key" in document["key_service"]
    root = xml(get(client, "discovery.xml", lang="zh-hans"))
    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    assert root.findtext("contact") == "住房和城乡建设局"
    [element] = root.find("endpoints")
    assert element.tag == "endpoint"
    assert element.findtext("url") == "http://testserver/api/open311/v2/"
    assert [f.text for f in element.find("formats")] == ["text/xml", "application/json"]
    assert [f.tag for f in element.find("formats")] == ["format", "format"]


def test_the_changeset_moves_with_the_services_and_their_definitions(client):
    """The digest of everything the changeset stands for: a change to the categories, their
    names or their attributes fails here until discovery.CHANGESET is moved on (and this
    digest with it)."""
    said = []
    for lang in ("en", "zh-hans"):
        said.append(get(client, "services.json", lang=lang).json())
        said += [get(client, f"services/{c}.json", lang=lang).json() for c in Category.values]
    digest = hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()
    assert (discovery.CHANGESET, digest[:16]) == ("2026-12-05T00:00:00+08:00", DIGEST)


DIGEST = "3acb75249b02bfad"
