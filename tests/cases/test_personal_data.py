"""The complainant's personal data: encrypted in its columns (and readable after a key
rotation), the resident ID number checked on the form in both languages, masked for everyone
without the permission, and each unmasked view of it in the audit log."""

import csv
import io
import uuid

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from wagtail.users.models import UserProfile

from cases import dispatch, services, workflow
from cases.masking import mask_id_number
from cases.models import Category, Complaint
from cases.models.personal_data import (
    id_number_check_character,
    normalise_id_number,
    validate_id_number,
)
from foundation.audit import PERSONAL_DATA_EXPORTED, PERSONAL_DATA_VIEWED
from foundation.models import AuditEvent
from foundation.roles import Role

pytestmark = pytest.mark.django_db

NAME = "欧阳建国"
PHONE = "13912345678"
EMAIL = "ouyang.jianguo@example.net"
ID_NUMBER = "11010519491231002X"  # the example of GB 11643-1999
MASKED_ID = "110105********002X"
COLUMNS = ("contact_name", "contact_phone", "contact_email", "contact_id_number")
CHECK_ERROR = "This resident ID number is not valid: its last character does not match."


@pytest.fixture(autouse=True)
def fresh_rate_limit(settings):
    """Submission counters of this test's own (a key prefix): the Redis cache is shared."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()


def file_complaint(estate, **contact) -> Complaint:
    details = {
        "contact_name": NAME,
        "contact_phone": PHONE,
        "contact_email": EMAIL,
        "contact_id_number": ID_NUMBER,
        **contact,
    }
    return services.submit_complaint(
        actor=None,
        category=Category.FACILITIES,
        description="电梯停运三天，无人维修",
        estate=estate,
        **details,
    ).complaint


def raw_columns(pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM cases_complaint WHERE id = %s", [pk])
        return cursor.fetchone()


# At rest ----------------------------------------------------------------------------------


def test_the_columns_hold_ciphertext_and_the_model_reads_plaintext(estate_x):
    complaint = file_complaint(estate_x)
    raw = raw_columns(complaint.pk)
    stored = " ".join(raw)
    for secret in (NAME, PHONE, EMAIL, ID_NUMBER, "13912", "example.net", "19491231"):
        assert secret not in stored
    assert all(value.startswith("gAAAAA") for value in raw)  # Fernet tokens
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert [getattr(fresh, c) for c in COLUMNS] == [NAME, PHONE, EMAIL, ID_NUMBER]
    # The same value twice gives two different tokens: nothing to compare or count.
    assert raw_columns(file_complaint(estate_x).pk)[1] != raw[1]


def test_a_blank_value_is_stored_as_null_and_read_as_an_empty_string(estate_x):
    complaint = file_complaint(estate_x, contact_name="", contact_email="", contact_id_number="")
    assert raw_columns(complaint.pk)[0::2] == (None, None)
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.contact_name, fresh.contact_email, fresh.contact_id_number) == ("", "", "")
    assert Complaint.objects.values_list("contact_email", flat=True).get() == ""


def test_update_encrypts_too(estate_x):
    complaint = file_complaint(estate_x)
    Complaint.objects.filter(pk=complaint.pk).update(contact_phone="13700001111")
    assert "13700001111" not in raw_columns(complaint.pk)[1]
    assert Complaint.objects.get(pk=complaint.pk).contact_phone == "13700001111"


def test_rows_written_with_the_old_salt_are_read_after_a_rotation(settings, estate_x):
    settings.SALT_KEY = ["salt-of-2025"]
    old = file_complaint(estate_x)
    old_token = raw_columns(old.pk)[1]
    settings.SALT_KEY = ["salt-of-2026", "salt-of-2025"]
    assert Complaint.objects.get(pk=old.pk).contact_phone == PHONE
    # Saving again writes with the new salt: then the old one may go.
    Complaint.objects.get(pk=old.pk).save()
    assert raw_columns(old.pk)[1] != old_token
    settings.SALT_KEY = ["salt-of-2026"]
    assert Complaint.objects.get(pk=old.pk).contact_phone == PHONE


def test_without_the_right_key_no_plaintext_comes_back(settings, estate_x):
    settings.SALT_KEY = ["salt-of-2025"]
    complaint = file_complaint(estate_x)
    settings.SALT_KEY = ["a-stranger's-salt"]
    assert Complaint.objects.get(pk=complaint.pk).contact_phone != PHONE


def test_the_migration_encrypts_old_rows_and_can_decrypt_them_again(estate_x):
    migration = __import__(
        "cases.migrations.0009_complainant_personal_data_encrypted", fromlist=["x"]
    )
    complaint = file_complaint(estate_x)
    migration.decrypt_existing(apps, None)  # as before the migration: plaintext columns
    assert raw_columns(complaint.pk)[:3] == (NAME, PHONE, EMAIL)
    migration.encrypt_existing(apps, None)
    assert not {NAME, PHONE, EMAIL} & set(raw_columns(complaint.pk))
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.contact_name, fresh.contact_phone, fresh.contact_email) == (NAME, PHONE, EMAIL)


# The resident ID number ---------------------------------------------------------------------


def test_check_character_follows_gb_11643():
    assert id_number_check_character("11010519491231002") == "X"
    assert id_number_check_character("44052418800101001") == "4"
    validate_id_number("440524188001010014")
    validate_id_number("11010519491231002x")  # lower-case x
    assert normalise_id_number(" 11010519491231002x ") == ID_NUMBER


@pytest.mark.parametrize(
    "number",
    ["110105194912310021", "11010519491231002", "1101051949123100XX", "110105194913310028"],
)
def test_wrong_id_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        validate_id_number(number)


VALID = {
    "category": "facilities",
    "estate_name": "翠湖花园",
    "description": "3号楼电梯停运三天，物业没有任何答复。",
    "contact_phone": "13812345678",
}


@pytest.mark.parametrize(("prefix", "language"), [("", "zh-hans"), ("/en", "en")])
def test_the_form_explains_a_wrong_check_digit_in_the_pages_language(
    client, site_pages, prefix, language
):
    response = client.post(
        f"{prefix}/complain/", {**VALID, "contact_id_number": "110105194912310021"}
    )
    assert response.status_code == 200
    with translation.override(language):
        expected = gettext(CHECK_ERROR)
    assert response.context["form"].errors["contact_id_number"] == [expected]
    assert expected in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_form_stores_a_lower_case_x_as_upper_case(client, site_pages):
    response = client.post("/complain/", {**VALID, "contact_id_number": "11010519491231002x"})
    assert response.status_code == 302
    assert Complaint.objects.get().contact_id_number == ID_NUMBER


def test_the_id_number_is_optional(client, site_pages):
    assert client.post("/complain/", VALID).status_code == 302
    assert Complaint.objects.get().contact_id_number == ""


# Masked for everyone without the permission, and each unmasked view audited -----------------


def login(client, user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


def case_page(client, user, complaint) -> str:
    login(client, user)
    response = client.get(reverse("cases_admin:case", args=[complaint.pk]))
    assert response.status_code == 200
    return response.content.decode()


def views():
    return AuditEvent.objects.filter(action=PERSONAL_DATA_VIEWED)


@pytest.fixture
def dispatched(estate_x, official, inspector, company_a):
    complaint = file_complaint(estate_x)
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector, company=company_a)
    return Complaint.objects.get(pk=complaint.pk)


@pytest.mark.parametrize("user_name", ["company_a_staff", "committee_member"])
def test_roles_without_the_permission_see_every_detail_masked(
    request, client, dispatched, user_name
):
    body = case_page(client, request.getfixturevalue(user_name), dispatched)
    for secret in (NAME, PHONE, EMAIL, ID_NUMBER, "19491231"):
        assert secret not in body
    assert MASKED_ID in body and "139****5678" in body
    assert not views().exists()


def test_inspector_sees_the_details_and_each_view_is_logged(client, dispatched, inspector):
    for _ in range(2):
        body = case_page(client, inspector, dispatched)
        assert all(secret in body for secret in (NAME, PHONE, EMAIL, ID_NUMBER))
    logged = list(views().order_by("id"))
    assert len(logged) == 2
    assert {(e.actor, e.label, e.filters["complaint"]) for e in logged} == {
        (inspector, dispatched.tracking_number, dispatched.pk)
    }


def test_staff_without_the_permission_are_masked_and_not_logged(client, dispatched, inspector):
    # The permission comes with the inspector's role: take it away from the role.
    personal = Permission.objects.get(codename="view_complainant_personal_data")
    Group.objects.get(name=Role.INSPECTOR).permissions.remove(personal)
    inspector = type(inspector).objects.get(pk=inspector.pk)  # a fresh permission cache
    body = case_page(client, inspector, dispatched)
    for secret in (NAME, PHONE, EMAIL, ID_NUMBER):
        assert secret not in body
    assert MASKED_ID in body
    assert not views().exists()


def test_the_export_carries_the_id_number_only_with_the_permission(
    client, settings, dispatched, inspector, company_a_staff
):
    settings.ELASTICSEARCH_URL = ""  # the database answers the search
    url = reverse("complaint_search_export", args=["csv"])
    login(client, inspector)
    rows = list(csv.reader(io.StringIO(b"".join(client.get(url).streaming_content).decode())))
    assert rows[1][-3:] == [NAME, PHONE, ID_NUMBER]
    assert AuditEvent.objects.filter(action=PERSONAL_DATA_EXPORTED, actor=inspector).count() == 1
    login(client, company_a_staff)
    text = b"".join(client.get(url).streaming_content).decode()
    assert ID_NUMBER not in text and PHONE not in text and NAME not in text


def test_mask_keeps_region_and_tail_only():
    assert mask_id_number(ID_NUMBER) == MASKED_ID
