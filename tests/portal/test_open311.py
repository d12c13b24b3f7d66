"""The Open311 GeoReport v2 API: the standard's fields, filters and errors, filing by partner
keys, rate limits, and the promise that no personal data ever leaves through it."""

import json
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from cases import dispatch, merging, workflow
from cases.models import CaseEvent, CaseStatus, Category, Channel, Complaint, PartnerApiKey
from portal.open311 import keys
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
BASE = "/api/open311/v2/"

SERVICE_FIELDS = {
    "service_code": str,
    "service_name": str,
    "description": str,
    "metadata": bool,
    "type": str,
    "keywords": str,
    "group": str,
}
# GeoReport v2's request fields; a None means the field may be null.
REQUEST_FIELDS = {
    "service_request_id": (str,),
    "status": (str,),
    "status_notes": (str, type(None)),
    "service_name": (str,),
    "service_code": (str,),
    "description": (str,),
    "agency_responsible": (str,),
    "service_notice": (str, type(None)),
    "requested_datetime": (str,),
    "updated_datetime": (str,),
    "expected_datetime": (str, type(None)),
    "address": (str,),
    "address_id": (str, type(None)),
    "zipcode": (str, type(None)),
    "lat": (float, type(None)),
    "long": (float, type(None)),
    "media_url": (str, type(None)),
}


@pytest.fixture(autouse=True)
def open311_urls(settings):
    """The API mounted as portal/config/urls.py will mount it."""
    settings.ROOT_URLCONF = "tests.open311_urls"


@pytest.fixture
def api_key(db) -> str:
    return keys.issue_key("12345 热线")[1]


def get(client, path: str, lang: str = "en", **params):
    return client.get(BASE + path, params, headers={"accept-language": lang})


def post(client, data: dict, lang: str = "en"):
    return client.post(
        BASE + "requests.json",
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


def descriptions(response) -> list[str]:
    body = response.json()
    assert all(set(e) == {"code", "description"} for e in body)
    assert {e["code"] for e in body} == {response.status_code}
    return [e["description"] for e in body]


def resolve(complaint, official, inspector, reply: str) -> None:
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    workflow.resolve_case(complaint, actor=official, reply=reply)


# Services ---------------------------------------------------------------------------------


def test_services_are_the_categories_with_every_georeport_field(client):
    response = get(client, "services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = response.json()
    assert [s["service_code"] for s in services] == list(Category.values)
    for service in services:
        assert {k: type(v) for k, v in service.items()} == SERVICE_FIELDS
        assert (service["metadata"], service["type"]) == (False, "realtime")
        assert service["group"] == "Property service complaints"
    assert services[0]["service_name"] == "Cleaning"


def test_service_names_follow_accept_language(client):
    services = get(client, "services.json", lang="zh-hans").json()
    with translation.override("zh-hans"):
        assert services[0]["service_name"] == str(Category.CLEANING.label) == "环境卫生"


def test_a_service_definition_has_the_standards_shape_and_no_attributes(client):
    """The complaint form asks every category the same: no attributes, metadata false."""
    response = get(client, "services/cleaning.json")
    assert response.status_code == 200
    assert response.json() == {"service_code": "cleaning", "attributes": []}


def test_an_unknown_service_definition_is_a_404_error(client):
    response = get(client, "services/no_such_service.json")
    assert response.status_code == 404
    assert descriptions(response) == ["Unknown service_code."]


# Requests: fields -------------------------------------------------------------------------


def test_a_request_has_every_georeport_field_and_the_estate_only(client, estate_x):
    estate_x.latitude, estate_x.longitude = "30.274100", "120.155100"
    estate_x.save()
    receipt = make_complaint(estate=estate_x)
    [listed] = get(client, "requests.json").json()
    [detail] = get(client, f"requests/{receipt.tracking_number}.json").json()
    assert listed == detail
    for field, types in REQUEST_FIELDS.items():
        assert isinstance(detail[field], types), field
    assert set(detail) == set(REQUEST_FIELDS)
    assert detail["service_request_id"] == receipt.tracking_number
    assert (detail["status"], detail["service_code"]) == ("open", "facilities")
    assert detail["service_name"] == "Facilities and equipment (lifts, water, power)"
    assert (detail["address"], detail["address_id"]) == ("翠湖花园", str(estate_x.pk))
    assert (detail["lat"], detail["long"]) == (30.2741, 120.1551)
    assert detail["requested_datetime"].endswith("+08:00")
    assert detail["description"] == ""  # no consent


def test_without_coordinates_or_a_register_estate_there_is_no_location(client):
    make_complaint()  # typed, unmatched estate name
    [request] = get(client, "requests.json").json()
    assert (request["address"], request["address_id"], request["lat"]) == ("", None, None)


def test_an_unknown_request_is_a_404_error(client):
    assert get(client, "requests/WY20260101ABCDEF.json").status_code == 404
    assert get(client, "requests/%E2%9C%93.json").status_code == 404


# Requests: status and filters ---------------------------------------------------------------


@pytest.fixture
def three_cases(estate_x, official, inspector, time_machine):
    """One submitted (open), one resolved, one rejected, filed on three days."""
    time_machine.move_to("2026-03-09 10:00 +08:00")
    submitted = make_complaint(estate=estate_x, category=Category.CLEANING).complaint
    time_machine.move_to("2026-03-10 10:00 +08:00")
    resolved = make_complaint(estate=estate_x).complaint
    resolve(resolved, official, inspector, reply="已更换电梯主板，恢复运行。")
    time_machine.move_to("2026-03-11 10:00 +08:00")
    rejected = make_complaint(estate=estate_x, category=Category.FEES).complaint
    workflow.reject_case(rejected, actor=official, reason="不属于物业服务范围。")
    return submitted, resolved, rejected


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def test_statuses_map_to_open_and_closed_with_notes(client, three_cases):
    submitted, resolved, rejected = three_cases
    by_id = {r["service_request_id"]: r for r in get(client, "requests.json").json()}
    statuses = [by_id[c.tracking_number]["status"] for c in three_cases]
    assert statuses == ["open", "closed", "closed"]
    assert by_id[submitted.tracking_number]["status_notes"] is None
    assert by_id[resolved.tracking_number]["status_notes"] == "已更换电梯主板，恢复运行。"
    assert by_id[rejected.tracking_number]["status_notes"] == "Not accepted by the regulator."


def test_a_merged_duplicate_is_closed_and_points_to_its_primary(client, estate_x, inspector):
    primary = make_complaint(estate=estate_x).complaint
    duplicate = make_complaint(estate=estate_x, phone="13900000002").complaint
    merging.merge_complaint(duplicate, into=primary, actor=inspector)
    [request] = get(client, f"requests/{duplicate.tracking_number}.json").json()
    assert request["status"] == "closed"
    assert primary.tracking_number in request["status_notes"]


def test_newest_first_and_filters(client, three_cases):
    submitted, resolved, rejected = [c.tracking_number for c in three_cases]
    assert ids(get(client, "requests.json")) == [rejected, resolved, submitted]
    assert ids(get(client, "requests.json", status="open")) == [submitted]
    assert ids(get(client, "requests.json", status="closed")) == [rejected, resolved]
    assert ids(get(client, "requests.json", service_code="cleaning")) == [submitted]
    assert ids(get(client, "requests.json", service_code="cleaning,fees")) == [rejected, submitted]
    dates = {"start_date": "2026-03-10T00:00:00+08:00", "end_date": "2026-03-10T23:59:59+08:00"}
    assert ids(get(client, "requests.json", **dates)) == [resolved]
    assert ids(get(client, "requests.json", start_date="2026-03-10T03:00:00Z")) == [rejected]


def test_service_request_ids_override_the_other_filters(client, three_cases):
    submitted, resolved, _ = [c.tracking_number for c in three_cases]
    response = get(
        client, "requests.json", service_request_id=f"{submitted},{resolved}", status="open"
    )
    assert ids(response) == [resolved, submitted]


def test_pages_of_at_most_100(client, three_cases):
    submitted, resolved, rejected = [c.tracking_number for c in three_cases]
    assert ids(get(client, "requests.json", page_size=2)) == [rejected, resolved]
    assert ids(get(client, "requests.json", page_size=2, page=2)) == [submitted]
    assert get(client, "requests.json", page_size=101).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45T00:00:00Z"},
        {"start_date": "2026-03-11T00:00:00Z", "end_date": "2026-03-10T00:00:00Z"},
        {"status": "pending"},
        {"service_code": "plumbing"},
        {"service_request_id": "WY2026'--"},
        {"page_size": "0"},
        {"page": "x"},
    ],
)
def test_bad_filters_are_400_errors(client, params):
    response = get(client, "requests.json", **params)
    assert response.status_code == 400
    assert descriptions(response)


@pytest.mark.parametrize("rows", [10, 100])
def test_the_list_takes_one_query(client, estate_x, rows, django_assert_max_num_queries):
    for _ in range(rows):
        make_complaint(estate=estate_x)
    with django_assert_max_num_queries(1):
        assert len(ids(get(client, "requests.json"))) == rows


def test_reads_may_be_cached_briefly_errors_not(client):
    assert get(client, "services.json")["Cache-Control"] == "public, max-age=60"
    assert "no-store" in get(client, "requests/NOPE.json")["Cache-Control"]


# Filing -----------------------------------------------------------------------------------


def test_a_partner_files_a_complaint(client, api_key, estate_x):
    response = post(
        client,
        payload(api_key, first_name="小明", last_name="王", email="wang@example.com"),
    )
    assert response.status_code == 201, response.content
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["account_id"] is None
    complaint = Complaint.objects.get()
    assert created["service_request_id"] == complaint.tracking_number
    assert (complaint.category, complaint.status) == (Category.FACILITIES, CaseStatus.SUBMITTED)
    assert complaint.description == "电梯停运三天，无人维修，老人上下楼困难。"
    assert (complaint.contact_name, complaint.contact_phone) == ("王小明", "13912345678")
    assert complaint.contact_email == "wang@example.com"
    assert (complaint.estate, complaint.estate_name) == (estate_x, "翠湖花园")
    assert complaint.district == estate_x.district
    assert complaint.consent_to_publish is False
    assert CaseEvent.objects.filter(action="cases.complaint.submitted").count() == 1
    assert PartnerApiKey.objects.get().last_used_at is not None
    [shown] = get(client, f"requests/{complaint.tracking_number}.json").json()
    assert shown["status"] == "open"


def test_locations_by_address_id_or_coordinates(client, api_key, estate_x):
    by_estate = payload(api_key, address_string="", address_id=estate_x.pk)
    assert post(client, by_estate).status_code == 201
    by_id = Complaint.objects.get()
    assert (by_id.estate, by_id.estate_name) == (estate_x, "翠湖花园")
    coordinates = payload(api_key, address_string="", lat="30.2741", long="120.1551")
    assert post(client, coordinates).status_code == 201
    by_point = Complaint.objects.exclude(pk=by_id.pk).get()
    assert (by_point.estate, by_point.estate_name) == (None, "30.2741, 120.1551")


def test_an_unmatched_address_is_kept_for_staff_and_never_shown(client, api_key):
    response = post(client, payload(api_key, address_string="幸福路12号"))
    assert response.status_code == 201
    assert Complaint.objects.get().estate_name == "幸福路12号"
    [shown] = get(client, "requests.json").json()
    assert shown["address"] == ""


def test_the_api_needs_no_csrf_token(api_key, estate_x):
    assert post(Client(enforce_csrf_checks=True), payload(api_key)).status_code == 201


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": ""}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"description": "太短了九个字符。"}, "description"),
        ({"description": "长" * 2001}, "description"),
        ({"description": "电梯停运三天\x07无人维修，老人困难。"}, "description"),
        ({"service_code": "plumbing"}, "service_code"),
        ({"address_string": ""}, None),
        ({"address_string": "", "lat": "30.1"}, None),
        ({"lat": "91", "long": "120"}, "lat"),
        ({"address_id": "999999"}, "address_id"),
        ({"email": "not-an-address"}, "email"),
        ({"first_name": "名" * 40, "last_name": "姓" * 40}, None),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
    ],
)
def test_a_bad_payload_is_a_400_error_and_stores_nothing(client, api_key, fields, field):
    response = post(client, payload(api_key, **fields))
    assert response.status_code == 400
    messages = descriptions(response)
    if field:
        assert any(m.startswith(f"{field}: ") for m in messages), messages
    assert not Complaint.objects.exists()


def test_errors_speak_the_callers_language(client, api_key):
    english = descriptions(post(client, payload(api_key, phone="")))
    chinese = descriptions(post(client, payload(api_key, phone=""), lang="zh-hans"))
    assert english == ["phone: This field is required."]
    assert chinese == ["phone: 必需字段"]


def test_a_failure_inside_the_intake_rolls_everything_back(api_key, estate_x, monkeypatch):
    def fail(ids):
        raise RuntimeError("the outbox is gone")

    monkeypatch.setattr("search.tasks.queue_for_indexing", fail)
    response = post(Client(raise_request_exception=False), payload(api_key))
    assert response.status_code == 500
    assert not Complaint.objects.exists()
    assert not CaseEvent.objects.exists()


# Keys -------------------------------------------------------------------------------------


def test_create_api_key_prints_the_key_once_and_stores_a_digest(client, estate_x):
    out = StringIO()
    call_command("create_api_key", "12345 热线", stdout=out)
    key = out.getvalue().rsplit(": ", 1)[1].strip()
    record = PartnerApiKey.objects.get()
    assert (record.name, record.prefix, record.active) == ("12345 热线", key[:8], True)
    assert key not in {record.digest, record.name} and len(record.digest) == 64
    assert post(client, payload(key)).status_code == 201


@pytest.mark.parametrize("key", [None, "", "not-a-key-at-all", "x" * 300])
def test_a_missing_or_unknown_key_is_a_403_error(client, key, estate_x):
    data = payload(key or "")
    if key is None:
        del data["api_key"]
    response = post(client, data)
    assert response.status_code == 403
    assert descriptions(response) == ["A valid api_key is required to create a service request."]
    assert not Complaint.objects.exists()


def test_a_revoked_key_is_a_403_error(client, api_key):
    assert keys.revoke_key(api_key[:8]) == 1
    assert post(client, payload(api_key)).status_code == 403
    assert not Complaint.objects.exists()


def test_a_key_in_the_query_string_is_not_accepted(client, api_key):
    data = payload(api_key)
    del data["api_key"]
    response = client.post(
        f"{BASE}requests.json?api_key={api_key}",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 403


# Rate limits ------------------------------------------------------------------------------


def test_readers_are_limited_per_address(client, settings, time_machine):
    time_machine.move_to("2026-03-10 10:00:05 +08:00", tick=False)
    settings.OPEN311_READ_RATE_LIMIT = "2/m"
    assert get(client, "services.json").status_code == 200
    assert get(client, "requests.json").status_code == 200
    response = get(client, "services.json")
    assert response.status_code == 429
    assert descriptions(response) and int(response["Retry-After"]) > 0
    other_address = client.get(BASE + "services.json", REMOTE_ADDR="10.0.0.2")
    assert other_address.status_code == 200


def test_filing_is_limited_per_key(client, api_key, settings, time_machine, estate_x):
    time_machine.move_to("2026-03-10 10:00:05 +08:00", tick=False)
    settings.OPEN311_CREATE_RATE_LIMIT = "1/m"
    assert post(client, payload(api_key)).status_code == 201
    response = post(client, payload(api_key))
    assert response.status_code == 429
    assert descriptions(response)
    other_key = keys.issue_key("区便民服务中心")[1]
    assert post(client, payload(other_key)).status_code == 201
    assert Complaint.objects.count() == 2


def test_guessing_keys_is_limited_per_address(client, settings, time_machine):
    time_machine.move_to("2026-03-10 10:00:05 +08:00", tick=False)
    settings.OPEN311_READ_RATE_LIMIT = "2/m"
    assert [post(client, payload(f"guess-number-{n}")).status_code for n in range(3)] == [
        403,
        403,
        429,
    ]


# The rest of the surface ------------------------------------------------------------------


def test_other_methods_and_paths_answer_in_the_error_format(client):
    response = client.delete(BASE + "requests.json")
    assert response.status_code == 405 and response["Allow"] == "GET, POST, HEAD"
    assert descriptions(response)
    for path in ("tokens/abc.json", "services.yaml", "requests/"):
        response = get(client, path)
        assert response.status_code == 404
        assert descriptions(response) == ["No such Open311 endpoint."]


def test_the_openapi_schema_is_served(client):
    response = get(client, "openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.0")
    assert schema["servers"] == [{"url": "/api/open311/v2"}]
    assert set(schema["paths"]) == {
        "/services.json",
        "/services/{service_code}.json",
        "/requests.json",
        "/requests/{service_request_id}.json",
        "/discovery.json",
    }


# De-identification --------------------------------------------------------------------------

ROOM = "3号楼2单元501室"
PHONE = "13812345678"
ID_NUMBER = "110101199003071234"
EMAIL = "wang.xm@example.com"


@pytest.mark.parametrize(
    ("first_name", "last_name", "name_forms"),
    [
        ("小明", "王", ["王小明", "小明"]),
        ("Xiaoming", "Wang", ["Xiaoming Wang", "Wang Xiaoming", "Xiaoming", "Wang"]),
    ],
)
@pytest.mark.parametrize("consent", [False, True])
def test_no_personal_data_leaves_through_any_read(
    client, api_key, estate_x, official, inspector, first_name, last_name, name_forms, consent
):
    said = "、".join(name_forms)
    narrative = (
        f"我是{said}，住{ROOM}，楼上漏水一个月，物业不管。电话 {PHONE}，"
        f"身份证 {ID_NUMBER}，邮箱 {EMAIL}。"
    )
    person = {"first_name": first_name, "last_name": last_name, "phone": PHONE, "email": EMAIL}
    # One at the register's estate, resolved with a careless reply; one with the room typed
    # into the address.
    for address in ("翠湖花园", f"翠湖花园{ROOM}"):
        data = payload(api_key, description=narrative, address_string=address, **person)
        assert post(client, data).status_code == 201
    Complaint.objects.update(consent_to_publish=consent)
    resolved = Complaint.objects.get(estate=estate_x)
    resolve(
        resolved, official, inspector, reply=f"已联系{name_forms[0]}（{PHONE}），{ROOM}已修复。"
    )
    bodies = []
    for lang in ("en", "zh-hans"):
        reads = [("requests.json", {}), ("requests.json", {"status": "closed,open"})]
        for number in Complaint.objects.values_list("tracking_number", flat=True):
            reads += [
                ("requests.json", {"service_request_id": number}),
                (f"requests/{number}.json", {}),
            ]
        for path, params in reads:
            response = get(client, path, lang=lang, **params)
            assert response.status_code == 200
            bodies.append(response.content.decode())
            bodies.append(json.dumps(response.json()))  # \u escapes too
    secrets = [ROOM, PHONE, ID_NUMBER, EMAIL, "501", *name_forms]
    for body in bodies:
        assert not [s for s in secrets if s in body], body
    requests = {r["address"]: r for r in json.loads(bodies[0])}
    assert set(requests) == {"翠湖花园", ""}  # the typed address is not shown
    for request in requests.values():
        if consent:
            assert "楼上漏水一个月" in request["description"]
            assert "[phone]" in request["description"]
        else:
            assert request["description"] == ""
    assert "已修复" in requests["翠湖花园"]["status_notes"]


@pytest.mark.parametrize(
    "start_date",
    ["0147-01-19T22:42:03-18:21", "2026-13-01T00:00:00Z", "10000-01-01T00:00:00Z"],
)
def test_dates_out_of_range_are_a_clear_400_not_a_server_error(client, start_date):
    """Found by the schema fuzzer: an offset of -18:21 reached PostgreSQL and failed there."""
    response = client.get("/api/open311/v2/requests.json", {"start_date": start_date})
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_a_request_records_its_partner_as_the_channel_and_its_language(client, api_key):
    assert post(client, payload(api_key)).status_code == 201
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.partner.name, complaint.language) == (
        Channel.PARTNER,
        "12345 热线",
        "en",
    )
