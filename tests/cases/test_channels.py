"""Every complaint records its channel, and a caller's phone finds their complaints."""

import pytest

from cases import retention
from cases.models import CaseEvent, Channel, Complaint, Tier
from cases.phones import complaints_by_phone, is_mainland_mobile, normalise_phone, phone_digest
from cases.services import submit_complaint
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def test_a_web_complaint_is_web_in_the_default_language(estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    assert (complaint.channel, complaint.language) == (Channel.WEB, "zh-hans")
    assert (complaint.partner, complaint.registered_by, complaint.channel_reference) == (
        None,
        None,
        "",
    )


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("(0571) 8765 4321", "057187654321"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised_before_the_digest(typed, normal):
    assert normalise_phone(typed) == normal
    assert phone_digest(typed) == phone_digest(normal)


def test_only_a_mainland_mobile_can_take_an_sms():
    assert is_mainland_mobile("+86 139 1234 5678")
    assert not is_mainland_mobile("0571-87654321")
    assert not is_mainland_mobile("12812345678")


def test_the_digest_depends_on_the_lookup_key(settings):
    before = phone_digest("13812345678")
    settings.PHONE_LOOKUP_KEY = "another key"
    assert phone_digest("13812345678") != before
    assert len(before) == 64 and "13812345678" not in before


def test_a_phone_finds_its_complaints_by_any_spelling_and_no_others(estate_x):
    mine = {make_complaint(estate=estate_x, phone="13812345678").complaint.pk for _ in range(2)}
    make_complaint(estate=estate_x, phone="13900000000")
    found = set(complaints_by_phone("+86 138 1234 5678").values_list("pk", flat=True))
    assert found == mine
    assert not complaints_by_phone("").exists()


def test_staff_registration_records_the_channel_and_an_internal_entry(estate_x, official):
    receipt = submit_complaint(
        actor=official,
        category="facilities",
        description="电话反映：电梯停运",
        contact_phone="13812345678",
        estate=estate_x,
        tier=Tier.URGENT,
        channel=Channel.HOTLINE,
        channel_reference=" 12345-20261205-0001 ",
        registered_by=official,
        language="en",
    )
    complaint = Complaint.objects.get(pk=receipt.complaint.pk)
    assert (complaint.channel, complaint.channel_reference, complaint.language) == (
        Channel.HOTLINE,
        "12345-20261205-0001",
        "en",
    )
    assert complaint.tier == Tier.URGENT and complaint.registered_by == official
    entry = CaseEvent.objects.get(complaint=complaint, action="cases.complaint.registered")
    assert entry.is_public is False
    assert entry.data == {"channel": "hotline", "reference": "12345-20261205-0001"}


def test_removing_personal_data_removes_the_phone_digest(estate_x, official):
    from django.utils import timezone

    complaint = make_complaint(estate=estate_x).complaint
    retention._anonymise(complaint, now=timezone.now(), actor=None)
    complaint.refresh_from_db()
    assert complaint.phone_digest == "" and not complaints_by_phone("13812345678").exists()
