"""The public complaint form under hostile text: never a 500; an invalid submission is refused
with a message in the page's language and stores nothing; a valid one with markup in it is
stored as typed (minus control characters) and shown escaped.

The rule for control characters: NUL is refused with a clear error (PostgreSQL cannot store
it); in the description, other control characters are refused too (partners of the Open311 API
rely on that 400); in one-line fields (estate, address, name) they are dropped silently.
"""

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Complaint
from portal.site.complaint_forms import HONEYPOT, ComplaintForm
from tests.security.bad_input.conftest import (
    FEW,
    SCRIPT,
    assert_escaped,
    assert_not_server_error,
    counts,
    hostile_text,
    rolled_back,
    zh,
)

pytestmark = pytest.mark.django_db

VALID = {
    "category": "facilities",
    "estate_name": "翠湖花园",
    "description": "3号楼电梯停运三天，物业没有任何答复。",
    "contact_phone": "13812345678",
}
# Read from the form, so a field added later (an ID number, ...) is attacked too.
TEXT_FIELDS = [
    name
    for name, field in ComplaintForm.base_fields.items()
    if name not in ("files", HONEYPOT) and isinstance(field, forms.CharField)
]
ALL_FIELDS = [name for name in ComplaintForm.base_fields if name not in ("files", HONEYPOT)]
ONE_LINE = ["estate_name", "address", "contact_name"]


@FEW
@given(
    fields=st.dictionaries(st.sampled_from(ALL_FIELDS), hostile_text, min_size=1, max_size=4),
    english=st.booleans(),
)
def test_hostile_text_in_any_field_is_refused_or_stored_never_a_500(
    client, site_pages, fields, english
):
    prefix = "/en" if english else ""
    with rolled_back():
        before = counts()
        response = client.post(f"{prefix}/complain/", {**VALID, **fields})
        assert_not_server_error(response)
        if response.status_code == 302:
            complaint = Complaint.objects.get()
            stored = [complaint.description, complaint.estate_name, complaint.address]
            assert not any("\x00" in text or "\x1b" in text for text in stored)
            assert complaint.description == ({**VALID, **fields}["description"]).strip()
        else:
            assert response.status_code == 200
            assert response.context["form"].errors
            assert counts() == before
            assert_escaped(response.content.decode())


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize(("prefix", "language"), [("", "zh-hans"), ("/en", "en")], ids=["zh", "en"])
def test_a_nul_in_any_text_field_is_refused_in_the_pages_language(
    client, site_pages, field, prefix, language
):
    before = counts()
    response = client.post(f"{prefix}/complain/", {**VALID, field: "翠湖\x00花园"})
    assert response.status_code == 200
    with translation.override(language):
        expected = translation.gettext("Null characters are not allowed.")
    assert expected in response.context["form"].errors[field]
    assert counts() == before


def test_the_nul_message_is_chinese_by_default(client, site_pages):
    response = client.post("/complain/", {**VALID, "description": "电梯停运\x00三天没人修理"})
    assert zh("Null characters are not allowed.") in response.content.decode()


@pytest.mark.parametrize("character", ["\x1b", "\x07", "\x7f", "\x85", "\x9b"])
def test_control_characters_in_one_line_fields_are_dropped(client, site_pages, character):
    data = {name: f"3号楼{character}2单元" for name in ONE_LINE}
    assert client.post("/en/complain/", {**VALID, **data}).status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.estate_name, complaint.address) == ("3号楼2单元", "3号楼2单元")
    assert complaint.contact_name == "3号楼2单元"


def test_control_characters_in_the_description_are_refused_clearly(client, site_pages):
    response = client.post("/complain/", {**VALID, "description": "电梯停运三天\x1b[31m无人维修"})
    assert response.status_code == 200
    assert zh("The description contains control characters.") in str(
        response.context["form"].errors["description"]
    )
    assert not Complaint.objects.exists()


def test_markup_in_every_field_is_stored_as_typed_and_escaped_on_the_receipt(client, site_pages):
    hostile = {
        "estate_name": f"{SCRIPT}花园",
        "address": '"><img src=x onerror=alert(1)>',
        "description": f"{SCRIPT} 电梯停运三天 javascript:alert(1)",
        "contact_name": f"{SCRIPT}",
    }
    response = client.post("/en/complain/", {**VALID, **hostile}, follow=True)
    assert response.status_code == 200
    assert_escaped(response.content.decode())
    complaint = Complaint.objects.get()
    assert complaint.estate_name == hostile["estate_name"]
    assert complaint.address == hostile["address"]
    assert complaint.description == hostile["description"]
    assert complaint.contact_name == hostile["contact_name"]


@pytest.mark.parametrize(
    "data",
    [
        {"category": ["facilities", "no-such-category"]},  # duplicated: the last one counts
        {"category": "<script>"},
        {"contact_phone": ["13812345678", "x" * 50]},
        {"contact_email": "a@b.c\x00"},
        {"description": "短"},
        {"description": "长" * 2001},
    ],
    ids=["duplicate-category", "markup-category", "duplicate-phone", "nul-email", "short", "long"],
)
def test_wrong_or_duplicated_values_are_refused_and_nothing_stored(client, site_pages, data):
    before = counts()
    response = client.post("/en/complain/", {**VALID, **data})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() & set(data)
    assert counts() == before


@pytest.mark.parametrize("missing", ["category", "estate_name", "description", "contact_phone"])
def test_a_missing_required_field_is_refused_by_name(client, site_pages, missing):
    data = {k: v for k, v in VALID.items() if k != missing}
    response = client.post("/complain/", data)
    assert response.status_code == 200
    assert zh("This field is required.") in response.context["form"].errors[missing]
    assert not Complaint.objects.exists()


def test_a_body_over_the_form_memory_limit_is_refused_early(client, site_pages, settings):
    """A million characters (9 MB form-encoded) is more than DATA_UPLOAD_MAX_MEMORY_SIZE."""
    response = client.post("/en/complain/", {**VALID, "description": "长" * 1_000_000})
    assert response.status_code == 400
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", '{"category": "facilities", "description": ["a", {"b": null}]}'),
        ("text/plain", "category=facilities\x00"),
        ("multipart/form-data", "no boundary at all"),
        ("multipart/form-data; boundary=x", "--x\r\nbroken"),
    ],
    ids=["json", "text", "multipart-no-boundary", "multipart-broken"],
)
def test_a_body_of_the_wrong_kind_is_never_a_500(client, site_pages, content_type, body):
    response = client.post("/en/complain/", body, content_type=content_type)
    assert response.status_code in (200, 400)
    assert not Complaint.objects.exists()
