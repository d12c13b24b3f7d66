"""Every change of who may do what is in the audit log, with the person who made it: roles
(groups), model permissions of users and groups, django-guardian object permissions, and the
superuser, staff and active flags; through the Wagtail user screen or the project's grant
functions alike. A rolled-back change leaves no event."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from enterprises import access
from foundation.models import AuditEvent
from foundation.roles import Role

pytestmark = pytest.mark.django_db


def changes(**lookup):
    return AuditEvent.objects.filter(action__startswith="portal.permissions.", **lookup)


def after(mark: int):
    """The permission events written after ``mark`` (the cast's own making is logged too)."""
    return changes(pk__gt=mark).order_by("pk")


def mark() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


def test_the_wagtail_user_screen_records_roles_and_deactivation_by_the_admin(
    admin, inspector, client
):
    start = mark()
    client.force_login(admin)
    url = reverse("wagtailusers_users:edit", args=[inspector.pk])
    form = querydict_from_html(client.get(url).content.decode(), form_id="w-editor-form")
    official = Group.objects.get(name=Role.OFFICIAL)
    form.setlist("groups", [str(official.pk)])  # inspector → official
    form.pop("is_active", None)  # unticked
    form.update({"first_name": "检查员", "last_name": "王"})
    response = client.post(url, form)
    assert response.status_code == 302, response.context["form"].errors

    events = {e.action: e for e in after(start)}
    assert set(events) == {
        "portal.permissions.groups_added",
        "portal.permissions.groups_removed",
        "portal.permissions.flags_changed",
    }
    assert all(e.actor == admin and e.label == "inspector" for e in events.values())
    assert events["portal.permissions.groups_added"].filters == {
        "user": "inspector",
        "groups": ["official"],
    }
    assert events["portal.permissions.groups_removed"].filters["groups"] == ["inspector"]
    assert events["portal.permissions.flags_changed"].filters == {
        "user": "inspector",
        "is_active": [True, False],
    }
    assert events["portal.permissions.flags_changed"].ip_address == "127.0.0.1"


def test_granting_company_staff_records_the_role_and_the_object_permission(company_a, citizen):
    start = mark()
    access.grant_company_staff(citizen, company_a)
    events = list(after(start).values_list("action", "actor", "filters"))
    assert events == [
        (
            "portal.permissions.object_granted",
            None,  # no request: the system (a command, the shell, a task)
            {
                "user": "citizen",
                "permission": "enterprises.act_for_company",
                "object": f"enterprises.Company:{company_a.pk}",
            },
        ),
        ("portal.permissions.groups_added", None, {"user": "citizen", "groups": ["company_staff"]}),
    ]


def test_ending_an_engagement_records_the_revoked_object_permission(evaluator, estate_x):
    start = mark()
    access.end_evaluator_engagement(evaluator, estate_x)
    revoked = after(start).get()
    assert revoked.action == "portal.permissions.object_revoked"
    assert revoked.filters == {
        "user": "evaluator",
        "permission": "enterprises.evaluate_estate",
        "object": f"enterprises.Estate:{estate_x.pk}",
    }


def test_user_and_group_permissions_and_removals_from_either_side(citizen):
    start = mark()
    perm = Permission.objects.get(codename="view_district")
    citizen.user_permissions.add(perm)
    citizen.user_permissions.clear()
    group = Group.objects.get(name=Role.EVALUATOR)
    group.permissions.remove(perm)  # not held: no change, no event
    group.permissions.add(perm)
    group.user_set.add(citizen)
    events = list(after(start).values_list("action", "label", "filters"))
    assert events == [
        (
            "portal.permissions.user_permissions_added",
            "citizen",
            {"user": "citizen", "permissions": ["foundation.view_district"]},
        ),
        (
            "portal.permissions.user_permissions_removed",
            "citizen",
            {"user": "citizen", "permissions": ["foundation.view_district"]},
        ),
        (
            "portal.permissions.group_permissions_added",
            "evaluator",
            {"group": "evaluator", "permissions": ["foundation.view_district"]},
        ),
        (
            "portal.permissions.groups_added",
            "citizen",
            {"user": "citizen", "groups": ["evaluator"]},
        ),
    ]


def test_superuser_and_staff_flags_are_recorded_but_a_sign_in_is_not_a_change(citizen):
    start = mark()
    citizen.is_superuser = citizen.is_staff = True
    citizen.save()
    citizen.save(update_fields=["last_login"])
    flagged = after(start).get()
    assert flagged.filters == {
        "user": "citizen",
        "is_superuser": [False, True],
        "is_staff": [False, True],
    }


def test_a_rolled_back_change_leaves_no_event(citizen):
    start = mark()
    with pytest.raises(RuntimeError), transaction.atomic():
        citizen.groups.add(Group.objects.get(name=Role.OFFICIAL))
        raise RuntimeError("the grant failed later")
    assert not after(start).exists()
