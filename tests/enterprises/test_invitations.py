"""Invitations (enterprises.people): the person exists from the invitation, inactive, with
role and scope; the link is sent by e-mail (and SMS); it works once, for 72 hours, and only
the newest; every action is audited; refusals name the field and leave nothing behind."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError

from enterprises import people, permissions
from enterprises.models import Invitation
from foundation.models import AuditEvent
from foundation.notifications import MemorySmsBackend
from foundation.roles import Role, roles_of

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)
GOOD_PASSWORD = "Lantern-harbour-42"


@pytest.fixture(autouse=True)
def outboxes(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def token_in(text: str) -> str:
    return re.search(r"/accounts/invitation/([^/\s]+)/", text).group(1)


def invite(actor, capture, **overrides):
    kwargs = {
        "email": "wang.fang@example.test",
        "name": "王芳",
        "role": Role.INSPECTOR,
        "district": None,
        **overrides,
    }
    with capture(execute=True):
        return people.invite_person(actor=actor, **kwargs)


def actions() -> list[str]:
    """The people events (group changes are audited too, by portal.security)."""
    events = AuditEvent.objects.filter(action__startswith="enterprises.people.")
    return list(events.order_by("pk").values_list("action", flat=True))


def test_an_invitation_creates_an_inactive_person_and_mails_a_link(
    admin, district_1, django_capture_on_commit_callbacks, outboxes
):
    invitation = invite(
        admin, django_capture_on_commit_callbacks, district=district_1, phone="13900001111"
    )
    person = invitation.user
    assert not person.is_active and not person.has_usable_password()
    assert Role.INSPECTOR in roles_of(person)
    assert person.staff_profile.district == district_1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wang.fang@example.test"]
    token = token_in(mail.outbox[0].body)
    assert Invitation.objects.get().token_hash != token  # only a hash is kept
    # In both languages: the invitee's is not known yet.
    assert "受邀" in mail.outbox[0].body and "you are invited" in mail.outbox[0].body
    assert f"/en/accounts/invitation/{token}/" in mail.outbox[0].body
    assert [phone for phone, _text in outboxes] == ["13900001111"]
    assert invitation.expires_at - invitation.created_at == dt.timedelta(hours=72)
    assert actions() == [people.INVITED]


def test_accepting_sets_the_password_activates_and_is_audited(
    admin, district_1, django_capture_on_commit_callbacks
):
    invite(admin, django_capture_on_commit_callbacks, district=district_1)
    person = people.accept_invitation(token_in(mail.outbox[0].body), GOOD_PASSWORD)
    person.refresh_from_db()
    assert person.is_active and person.check_password(GOOD_PASSWORD)
    assert actions() == [people.INVITED, people.INVITATION_ACCEPTED]


def test_a_weak_password_is_refused_and_nothing_changes(
    admin, district_1, django_capture_on_commit_callbacks
):
    invite(admin, django_capture_on_commit_callbacks, district=district_1)
    with pytest.raises(ValidationError):
        people.accept_invitation(token_in(mail.outbox[0].body), "123")
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is None and not invitation.user.is_active


@pytest.mark.parametrize("how", ["reused", "revoked", "expired", "forged", "replaced"])
def test_a_link_that_is_no_longer_good_changes_nothing(
    how, admin, district_1, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON, tick=False):
        invite(admin, django_capture_on_commit_callbacks, district=district_1)
    token = token_in(mail.outbox[0].body)
    person = get_user_model().objects.get(email="wang.fang@example.test")
    moment = NOON
    if how == "reused":
        with time_machine.travel(NOON, tick=False):
            people.accept_invitation(token, GOOD_PASSWORD)
    elif how == "revoked":
        with time_machine.travel(NOON, tick=False):
            people.revoke_invitation(person, actor=admin)
    elif how == "expired":
        moment = NOON + dt.timedelta(hours=72, seconds=1)
    elif how == "forged":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif how == "replaced":
        with (
            time_machine.travel(NOON, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            people.resend_invitation(person, actor=admin)
    person.refresh_from_db()
    before = (person.password, person.is_active)
    events = len(actions())
    with time_machine.travel(moment, tick=False), pytest.raises(people.InvitationInvalid):
        people.accept_invitation(token, "Another-password-77")
    person.refresh_from_db()
    assert (person.password, person.is_active) == before
    assert len(actions()) == events


def test_the_link_still_works_just_before_72_hours(
    admin, district_1, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON, tick=False):
        invite(admin, django_capture_on_commit_callbacks, district=district_1)
    with time_machine.travel(NOON + dt.timedelta(hours=71, minutes=59), tick=False):
        assert people.accept_invitation(token_in(mail.outbox[0].body), GOOD_PASSWORD).is_active


def test_resend_sends_a_new_link_that_works(admin, district_1, django_capture_on_commit_callbacks):
    invitation = invite(admin, django_capture_on_commit_callbacks, district=district_1)
    with django_capture_on_commit_callbacks(execute=True):
        people.resend_invitation(invitation.user, actor=admin)
    assert len(mail.outbox) == 2
    assert people.accept_invitation(token_in(mail.outbox[1].body), GOOD_PASSWORD).is_active
    assert people.INVITATION_RESENT in actions()


@pytest.mark.parametrize(
    "field, overrides",
    [
        ("email", {"email": "ADMIN@example.test"}),
        ("username", {"username": "inspector"}),
    ],
)
def test_a_duplicate_is_refused_naming_the_field_and_nothing_is_created(
    field, overrides, admin, inspector, district_1, django_capture_on_commit_callbacks
):
    users = get_user_model().objects.count()
    with pytest.raises(people.PersonRefused) as refusal:
        invite(admin, django_capture_on_commit_callbacks, district=district_1, **overrides)
    assert refusal.value.field == field
    assert get_user_model().objects.count() == users
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_pending_invitation_blocks_a_second_one_for_the_same_email(
    admin, district_1, django_capture_on_commit_callbacks
):
    invite(admin, django_capture_on_commit_callbacks, district=district_1)
    with pytest.raises(people.PersonRefused) as refusal:
        invite(admin, django_capture_on_commit_callbacks, district=district_1)
    assert refusal.value.field == "email"
    assert Invitation.objects.count() == 1


def test_an_official_invites_inspectors_of_their_own_district_only(
    official, district_1, district_2, django_capture_on_commit_callbacks
):
    with pytest.raises(people.NotAllowed):
        invite(official, django_capture_on_commit_callbacks, district=district_2)
    with pytest.raises(people.NotAllowed):
        invite(
            official, django_capture_on_commit_callbacks, role=Role.OFFICIAL, district=district_1
        )
    assert not get_user_model().objects.filter(email="wang.fang@example.test").exists()
    invitation = invite(official, django_capture_on_commit_callbacks, district=district_1)
    assert invitation.user.staff_profile.district == district_1


@pytest.mark.parametrize("who", ["inspector", "company_a_staff", "citizen"])
def test_other_roles_invite_nobody(who, request, district_1, django_capture_on_commit_callbacks):
    with pytest.raises(people.NotAllowed):
        invite(
            request.getfixturevalue(who), django_capture_on_commit_callbacks, district=district_1
        )


@pytest.mark.parametrize(
    "role, scope, field",
    [
        (Role.OFFICIAL, {}, "district"),
        (Role.INSPECTOR, {}, "district"),
        (Role.COMPANY_STAFF, {}, "company"),
        (Role.OWNERS_COMMITTEE, {}, "estate"),
        (Role.CITIZEN, {}, "role"),
    ],
)
def test_a_role_without_its_scope_is_refused(
    role, scope, field, admin, django_capture_on_commit_callbacks
):
    with pytest.raises(people.PersonRefused) as refusal:
        invite(admin, django_capture_on_commit_callbacks, role=role, **scope)
    assert refusal.value.field == field
    assert not Invitation.objects.exists()


def test_company_staff_and_city_wide_officials_get_their_scope(
    admin, company_a, django_capture_on_commit_callbacks
):
    staff = invite(
        admin, django_capture_on_commit_callbacks, role=Role.COMPANY_STAFF, company=company_a
    ).user
    assert list(permissions.companies_acted_for(staff)) == [company_a]
    head = invite(
        admin,
        django_capture_on_commit_callbacks,
        email="head@example.test",
        role=Role.OFFICIAL,
        city_wide=True,
    ).user
    assert head.staff_profile.city_wide


def test_a_duplicate_phone_is_refused_naming_the_field(
    admin, district_1, django_capture_on_commit_callbacks
):
    invite(admin, django_capture_on_commit_callbacks, district=district_1, phone="13900001111")
    with pytest.raises(people.PersonRefused) as refusal:
        invite(
            admin,
            django_capture_on_commit_callbacks,
            email="other@example.test",
            district=district_1,
            phone="13900001111",
        )
    assert refusal.value.field == "phone"
    assert Invitation.objects.count() == 1


def test_deactivating_an_invited_person_withdraws_the_link(
    admin, district_1, django_capture_on_commit_callbacks
):
    invitation = invite(admin, django_capture_on_commit_callbacks, district=district_1)
    people.deactivate_person(invitation.user, actor=admin)
    with pytest.raises(people.InvitationInvalid):
        people.accept_invitation(token_in(mail.outbox[0].body), GOOD_PASSWORD)
    with pytest.raises(people.PersonRefused):
        people.reactivate_person(invitation.user, actor=admin)
    assert actions() == [people.INVITED, people.DEACTIVATED]


def test_nobody_deactivates_themselves(admin):
    with pytest.raises(people.NotAllowed):
        people.deactivate_person(admin, actor=admin)
    admin.refresh_from_db()
    assert admin.is_active
