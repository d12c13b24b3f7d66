"""The intake clerk / hotline operator (受理员/话务员): given by administrators, without a
scope; opens the admin and registers calls, sees no case and no personal data."""

import pytest
from django.urls import reverse

from cases import permissions as case_permissions
from enterprises import people, permissions
from enterprises.admin.people_forms import InviteForm
from foundation.roles import Role, roles_of
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db


def invite_clerk(actor, **scope):
    return people.invite_person(
        actor=actor,
        email="wu.jiayi@regulator.test",
        name="吴佳怡",
        role=Role.INTAKE_CLERK,
        **scope,
    )


def test_an_administrator_invites_a_clerk_without_a_scope(admin):
    assert Role.INTAKE_CLERK.value in dict(InviteForm(actor=admin).fields["role"].choices)
    person = invite_clerk(admin).user
    assert roles_of(person) == {Role.INTAKE_CLERK}
    assert people.main_role(person) == Role.INTAKE_CLERK


def test_a_clerk_is_given_no_district(admin, district_1):
    with pytest.raises(people.PersonRefused) as refused:
        invite_clerk(admin, district=district_1)
    assert refused.value.field == "district"


def test_an_official_may_not_give_the_role(official):
    assert Role.INTAKE_CLERK.value not in dict(InviteForm(actor=official).fields["role"].choices)
    with pytest.raises(people.NotAllowed):
        invite_clerk(official)


def test_a_clerk_registers_but_sees_no_case_and_no_personal_data(client, estate_x):
    clerk = make_user("clerk", Role.INTAKE_CLERK)
    make_complaint(estate=estate_x)
    assert clerk.has_perm("wagtailadmin.access_admin")
    assert permissions.has_scope(clerk)  # no "ask for a scope" panel on the dashboard
    assert case_permissions.can_register_for_callers(clerk)
    assert not case_permissions.can_look_up_callers(clerk)
    assert not case_permissions.visible_complaints(clerk).exists()
    client.force_login(clerk)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_the_people_list_names_the_clerks_work_instead_of_no_scope(client, admin):
    person = invite_clerk(admin).user
    client.force_login(admin)
    body = client.get(reverse("people:person", args=(person.pk,))).content.decode()
    assert "全市受理" in body or "City-wide intake" in body
