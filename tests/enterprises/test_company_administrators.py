"""Company self-service (企业管理员): the regulator grants a company staff member the right to
administer the company's staff; they invite, resend, revoke, deactivate and reactivate their
colleagues, within the company only; the regulator sees who each company's people are."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from cases.models import CaseStatus
from cases.permissions import visible_complaints
from enterprises import access, people
from foundation.models import AuditEvent
from foundation.roles import Role, roles_of
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Lantern-harbour-42"


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def company_admin(company_a, admin):
    user = make_user("company_a_admin", None)
    access.grant_company_staff(user, company_a)
    people.grant_company_administration(user, actor=admin)
    return user


def actions() -> list[str]:
    events = AuditEvent.objects.filter(action__startswith="enterprises.people.")
    return list(events.order_by("pk").values_list("action", flat=True))


def token_in(text: str) -> str:
    return re.search(r"/accounts/invitation/([^/\s]+)/", text).group(1)


def invite_colleague(actor, company, capture, **overrides):
    kwargs = {
        "email": "zhao.min@example.test",
        "name": "赵敏",
        "role": Role.COMPANY_STAFF,
        "company": company,
        **overrides,
    }
    with capture(execute=True):
        return people.invite_person(actor=actor, **kwargs)


# The right ----------------------------------------------------------------------------------


def test_an_official_of_the_district_grants_and_withdraws_the_right(
    official, company_a_staff, client
):
    people.grant_company_administration(company_a_staff, actor=official)
    assert people.is_company_administrator(company_a_staff)
    people.withdraw_company_administration(company_a_staff, actor=official)
    assert not people.is_company_administrator(company_a_staff)
    assert actions() == [
        people.COMPANY_ADMINISTRATION_GRANTED,
        people.COMPANY_ADMINISTRATION_WITHDRAWN,
    ]


def test_an_official_of_another_district_cannot_grant_the_right(company_b_staff, official):
    with pytest.raises(people.NotAllowed):
        people.grant_company_administration(company_b_staff, actor=official)
    assert not people.is_company_administrator(company_b_staff)


def test_a_company_administrator_cannot_grant_the_right_to_themselves_or_a_colleague(
    company_admin, company_a_staff
):
    for person in (company_admin, company_a_staff):
        with pytest.raises(people.NotAllowed):
            people.grant_company_administration(person, actor=company_admin)
    assert not people.is_company_administrator(company_a_staff)


def test_the_grant_buttons_post_to_the_service(client, official, company_a_staff):
    client.force_login(official)
    page = client.get(reverse("people:person", args=(company_a_staff.pk,))).content.decode()
    assert reverse("people:grant_company_administration", args=(company_a_staff.pk,)) in page
    client.post(reverse("people:grant_company_administration", args=(company_a_staff.pk,)))
    assert people.is_company_administrator(company_a_staff)
    client.post(reverse("people:withdraw_company_administration", args=(company_a_staff.pk,)))
    assert not people.is_company_administrator(company_a_staff)


def test_a_company_administrator_cannot_use_the_grant_screen(
    client, company_admin, company_a_staff
):
    client.force_login(company_admin)
    url = reverse("people:grant_company_administration", args=(company_a_staff.pk,))
    assert client.post(url).status_code in (302, 403)
    assert not people.is_company_administrator(company_a_staff)


# Inviting a colleague -------------------------------------------------------------------------


def test_a_colleague_invited_by_the_company_administrator_sees_only_the_companys_cases(
    company_admin, company_a, company_b, estate_x, estate_y, django_capture_on_commit_callbacks
):
    ours = make_complaint(estate=estate_x).complaint
    theirs = make_complaint(estate=estate_y).complaint
    undispatched = make_complaint(estate=estate_x).complaint
    type(ours).objects.filter(pk=ours.pk).update(
        status=CaseStatus.ASSIGNED, dispatched_company=company_a
    )
    type(ours).objects.filter(pk=theirs.pk).update(
        status=CaseStatus.ASSIGNED, dispatched_company=company_b
    )
    invitation = invite_colleague(company_admin, company_a, django_capture_on_commit_callbacks)
    colleague = people.accept_invitation(token_in(mail.outbox[0].body), GOOD_PASSWORD)
    assert colleague == invitation.user and colleague.is_active
    assert roles_of(colleague) == {Role.COMPANY_STAFF}
    assert set(visible_complaints(colleague)) == {ours}
    assert undispatched not in visible_complaints(colleague)
    assert not people.is_company_administrator(colleague)
    assert actions() == [
        people.COMPANY_ADMINISTRATION_GRANTED,
        people.INVITED,
        people.INVITATION_ACCEPTED,
    ]


def test_inviting_into_another_company_is_refused_on_the_company_field(
    company_admin, company_b, django_capture_on_commit_callbacks
):
    with pytest.raises(people.NotAllowed) as refusal:
        invite_colleague(company_admin, company_b, django_capture_on_commit_callbacks)
    assert refusal.value.field == "company"
    assert not get_user_model().objects.filter(email="zhao.min@example.test").exists()


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.OFFICIAL, Role.ADMINISTRATOR])
def test_inviting_another_role_is_refused(
    role, company_admin, company_a, district_1, django_capture_on_commit_callbacks
):
    with pytest.raises(people.NotAllowed):
        invite_colleague(
            company_admin,
            None,
            django_capture_on_commit_callbacks,
            role=role,
            district=district_1,
        )
    assert actions() == [people.COMPANY_ADMINISTRATION_GRANTED]


def test_the_form_refuses_another_company_and_another_role_naming_the_field(
    client, company_admin, company_b, district_1
):
    client.force_login(company_admin)
    form = {"name": "赵敏", "email": "zhao.min@example.test"}
    response = client.post(
        reverse("people:invite"), {**form, "role": Role.COMPANY_STAFF, "company": company_b.pk}
    )
    assert "company" in response.context["form"].errors
    response = client.post(
        reverse("people:invite"), {**form, "role": Role.INSPECTOR, "district": district_1.pk}
    )
    assert "role" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="zhao.min@example.test").exists()


def test_plain_company_staff_may_not_invite(
    client, company_a_staff, company_a, django_capture_on_commit_callbacks
):
    with pytest.raises(people.NotAllowed):
        invite_colleague(company_a_staff, company_a, django_capture_on_commit_callbacks)
    client.force_login(company_a_staff)
    for url in (reverse("people:index"), reverse("people:invite")):
        # 403, or Wagtail's redirect to the dashboard.
        assert client.get(url).status_code in (302, 403)


# Managing colleagues ------------------------------------------------------------------------


def test_a_company_administrator_resends_revokes_deactivates_and_reactivates_a_colleague(
    company_admin, company_a, company_a_staff, django_capture_on_commit_callbacks
):
    invitation = invite_colleague(company_admin, company_a, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        people.resend_invitation(invitation.user, actor=company_admin)
    people.revoke_invitation(invitation.user, actor=company_admin)
    company_a_staff.set_password(GOOD_PASSWORD)
    company_a_staff.save()
    people.deactivate_person(company_a_staff, actor=company_admin)
    people.reactivate_person(company_a_staff, actor=company_admin)
    assert actions()[1:] == [
        people.INVITED,
        people.INVITATION_RESENT,
        people.INVITATION_REVOKED,
        people.DEACTIVATED,
        people.REACTIVATED,
    ]


def test_a_company_administrator_cannot_deactivate_someone_of_another_company(
    client, company_admin, company_b_staff, inspector
):
    for person in (company_b_staff, inspector):
        with pytest.raises(people.NotAllowed):
            people.deactivate_person(person, actor=company_admin)
    client.force_login(company_admin)
    response = client.post(reverse("people:deactivate", args=(company_b_staff.pk,)))
    assert response.status_code == 404
    company_b_staff.refresh_from_db()
    assert company_b_staff.is_active


def test_a_company_administrator_cannot_deactivate_another_company_administrator(
    company_admin, company_a, admin
):
    other = make_user("company_a_admin_2", None)
    access.grant_company_staff(other, company_a)
    people.grant_company_administration(other, actor=admin)
    with pytest.raises(people.NotAllowed):
        people.deactivate_person(other, actor=company_admin)


# Lists --------------------------------------------------------------------------------------


def test_the_company_administrators_list_shows_only_their_company(
    client, company_admin, company_a_staff, company_b_staff, inspector
):
    client.force_login(company_admin)
    body = client.get(reverse("people:index")).content.decode()
    assert company_a_staff.username in body
    assert company_b_staff.username not in body
    assert inspector.username not in body


@pytest.mark.parametrize("count", [10, 100])
def test_the_company_administrators_list_query_count_does_not_grow(
    count, client, company_admin, company_a, django_assert_max_num_queries
):
    for n in range(count):
        access.grant_company_staff(make_user(f"staff{n:03}", None), company_a)
    client.force_login(company_admin)
    # Most of these are the admin's chrome for company staff (each menu item asks whether
    # the company has records of its kind); the list itself is three queries at any size.
    with django_assert_max_num_queries(32):
        response = client.get(reverse("people:index"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(count, 50)  # not themselves


def test_the_regulator_sees_each_companys_staff_and_administrators(
    client, official, admin, company_admin, company_a_staff, company_b_staff
):
    for viewer in (official, admin):
        client.force_login(viewer)
        body = client.get(reverse("people:index")).content.decode()
        assert company_admin.username in body and company_a_staff.username in body
        assert "企业管理员" in body or "Company administrator" in body
    client.force_login(official)
    body = client.get(reverse("people:index")).content.decode()
    assert company_b_staff.username not in body  # another district's company
    page = client.get(reverse("people:person", args=(company_a_staff.pk,))).content.decode()
    assert reverse("people:deactivate", args=(company_a_staff.pk,)) not in page
