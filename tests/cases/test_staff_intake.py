"""Staff intake (代录, cases.staff_intake) as a service: who may register, the channel, the
duplicate of the same call, and the access code by SMS to a mainland mobile only, after
commit."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from cases import staff_intake as intake
from cases.models import CaseEvent, Channel, Complaint, Tier
from foundation.models import Notification
from foundation.notifications import MemorySmsBackend
from foundation.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(db):
    return make_user("clerk", Role.INTAKE_CLERK)


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def register(actor, estate, **changes):
    fields = {
        "actor": actor,
        "channel": Channel.HOTLINE,
        "channel_reference": "12345-0001",
        "category": "facilities",
        "description": "来电反映：3号楼电梯停运两天",
        "contact_phone": "13812345678",
        "estate": estate,
        "estate_name": estate.name if estate else "不在名录的小区",
        **changes,
    }
    return intake.register_for_caller(**fields)


def test_a_clerk_registers_a_call_which_records_channel_and_clerk(clerk, estate_x, sms):
    registration = register(clerk, estate_x, tier=Tier.URGENT, language="en")
    complaint = Complaint.objects.get(pk=registration.receipt.complaint.pk)
    assert (complaint.channel, complaint.registered_by, complaint.tier) == (
        Channel.HOTLINE,
        clerk,
        Tier.URGENT,
    )
    assert complaint.district_id == estate_x.district_id
    entry = CaseEvent.objects.get(complaint=complaint, action="cases.complaint.registered")
    assert entry.is_public is False and entry.user == clerk


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.OFFICIAL, Role.ADMINISTRATOR])
def test_regulator_staff_may_register_too(role, estate_x, sms):
    staff = make_user(f"staff-{role}", role, district=estate_x.district)
    assert register(staff, estate_x).receipt.complaint.registered_by == staff


@pytest.mark.parametrize("who", ["citizen", "company_a_staff", "committee_member", "evaluator"])
def test_others_may_not_register_and_nothing_is_stored(who, request, estate_x, sms):
    actor = request.getfixturevalue(who)
    with pytest.raises(intake.NotAllowed):
        register(actor, estate_x)
    assert not Complaint.objects.exists() and not sms


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": Channel.WEB}, "channel"),
        ({"channel": Channel.PARTNER}, "channel"),
        ({"tier": "apocalyptic"}, "tier"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_choices_are_refused_on_their_field(clerk, estate_x, changes, field, sms):
    with pytest.raises(intake.IntakeRefused) as refused:
        register(clerk, estate_x, **changes)
    assert refused.value.field == field
    assert not Complaint.objects.exists()


def test_the_caller_gets_the_code_by_sms_in_their_language(
    clerk, estate_x, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(clerk, estate_x, contact_phone="+86 139-0000-1111", language="en")
    assert registration.sms_sent
    [(phone, text)] = sms
    assert phone == "13900001111"
    assert registration.receipt.tracking_number in text
    assert registration.receipt.access_code in text
    assert "Tracking number" in text  # English, as the caller chose


def test_a_landline_gets_no_sms_but_the_case_is_registered(clerk, estate_x, sms):
    registration = register(clerk, estate_x, contact_phone="0571-87654321")
    assert not registration.sms_sent
    assert not sms and not Notification.objects.exists()
    assert registration.receipt.complaint.contact_phone == "0571-87654321"


def test_the_sms_leaves_only_after_commit(clerk, estate_x, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register(clerk, estate_x)
    assert not sms and callbacks
    for callback in callbacks:
        callback()
    assert len(sms) == 1


def test_a_rolled_back_registration_sends_nothing(clerk, estate_x, sms):
    with pytest.raises(RuntimeError), transaction.atomic():
        register(clerk, estate_x)
        raise RuntimeError("the clerk's request failed later")
    assert not sms and not Complaint.objects.exists()


def test_the_same_call_twice_within_ten_minutes_needs_a_confirmation(clerk, estate_x, sms):
    first = register(clerk, estate_x).receipt.complaint
    with pytest.raises(intake.DuplicateRegistration) as duplicate:
        register(clerk, estate_x, contact_phone="138 1234 5678")  # another spelling
    assert duplicate.value.earlier == first
    assert duplicate.value.field == "confirm_duplicate"
    assert Complaint.objects.count() == 1
    assert Notification.objects.filter(channel=Notification.SMS).count() == 1

    second = register(clerk, estate_x, confirm_duplicate=True)
    assert second.confirmed_duplicate_of == first
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"contact_phone": "13900000000"},
        {"category": "security"},
        {"estate_name": "另一个小区"},
    ],
)
def test_another_phone_estate_or_category_is_no_duplicate(clerk, estate_x, changes, sms):
    register(clerk, None)
    register(clerk, None, **changes)
    assert Complaint.objects.count() == 2


def test_a_free_text_estate_is_a_duplicate_by_its_name(clerk, sms):
    register(clerk, None, estate_name="不在名录的小区")
    with pytest.raises(intake.DuplicateRegistration):
        register(clerk, None, estate_name=" 不在名录的小区 ")


def test_a_call_after_ten_minutes_is_no_duplicate(clerk, estate_x, sms):
    first = register(clerk, estate_x).receipt.complaint
    Complaint.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - intake.DUPLICATE_WINDOW - dt.timedelta(seconds=1)
    )
    register(clerk, estate_x)
    assert Complaint.objects.count() == 2


def test_a_web_complaint_of_the_same_caller_counts_as_the_earlier_case(clerk, estate_x, sms):
    from tests.factories import make_complaint

    web = make_complaint(estate=estate_x, phone="13812345678").complaint
    with pytest.raises(intake.DuplicateRegistration) as duplicate:
        register(clerk, estate_x)
    assert duplicate.value.earlier == web
