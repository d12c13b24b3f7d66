"""The People screens: administrators manage everyone, officials the inspectors of their
district; every other role is turned away from every screen; the list's query count does not
grow with the number of people; the buttons call the services and each leaves its audit
event."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from wagtail.users.models import UserProfile

from enterprises import people
from foundation.models import AuditEvent
from foundation.roles import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"


def signed_in(client, user):
    client.force_login(user)
    return client


def invite_form(**overrides) -> dict:
    return {"name": "李雷", "email": "li.lei@example.test", "role": Role.INSPECTOR, **overrides}


def people_actions() -> list[str]:
    events = AuditEvent.objects.filter(action__startswith="enterprises.people.")
    return list(events.order_by("pk").values_list("action", flat=True))


# The list -----------------------------------------------------------------------------------


def test_the_list_shows_roles_scope_city_wide_marker_and_status(
    client, admin, official, inspector, district_1
):
    head = make_user("head", Role.OFFICIAL, city_wide=True)
    body = signed_in(client, admin).get(reverse("people:index")).content.decode()
    for username in (official.username, inspector.username, head.username):
        assert username in body
    assert "城市全域" in body or "City-wide" in body or "全市" in body
    assert district_1.name in body


def test_an_official_lists_the_inspectors_of_their_district_only(
    client, official, inspector, other_district_inspector, admin
):
    body = signed_in(client, official).get(reverse("people:index")).content.decode()
    assert inspector.username in body
    assert other_district_inspector.username not in body
    assert f">{admin.username}<" not in body


@pytest.mark.parametrize("count", [10, 100])
def test_the_list_query_count_does_not_grow_with_people(
    count, client, admin, district_1, django_assert_max_num_queries
):
    for n in range(count):
        make_user(f"inspector{n:03}", Role.INSPECTOR, district=district_1)
    signed_in(client, admin)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("people:index"))
    assert response.status_code == 200


# Denials ------------------------------------------------------------------------------------

OUTSIDERS = ["company_a_staff", "inspector", "citizen", "committee_member", "evaluator"]


def _screens(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("people:index")),
        ("get", reverse("people:invite")),
        ("post", reverse("people:invite")),
        ("get", reverse("people:person", args=(pk,))),
        *[
            ("post", reverse(f"people:{name}", args=(pk,)))
            for name in ("change_scope", "deactivate", "reactivate", "resend", "revoke")
        ],
    ]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_other_roles_may_use_no_people_screen(outsider, request, client, inspector):
    user = request.getfixturevalue(outsider)
    signed_in(client, user)
    for method, url in _screens(inspector.pk):
        response = getattr(client, method)(url, invite_form())
        # 403, or Wagtail's redirect to the dashboard for users without admin access.
        assert response.status_code in (302, 403), (outsider, url)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("people:index")), (outsider, url)
    inspector.refresh_from_db()
    assert inspector.is_active
    assert not people_actions()


def test_anonymous_visitors_are_sent_to_sign_in(client, inspector):
    for method, url in _screens(inspector.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


def test_an_official_cannot_open_or_change_someone_outside_their_district(
    client, official, other_district_inspector, admin
):
    signed_in(client, official)
    for target in (other_district_inspector, admin):
        for method, url in _screens(target.pk)[3:]:
            assert getattr(client, method)(url).status_code == 404
    other_district_inspector.refresh_from_db()
    assert other_district_inspector.is_active


# Inviting and the buttons -------------------------------------------------------------------


def test_an_official_invites_an_inspector_of_their_district(
    client, official, district_1, django_capture_on_commit_callbacks
):
    signed_in(client, official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:invite"), invite_form(district=district_1.pk))
    person = get_user_model().objects.get(email="li.lei@example.test")
    assert response.status_code == 302
    assert response.url == reverse("people:person", args=(person.pk,))
    assert person.staff_profile.district == district_1 and not person.is_active
    assert len(mail.outbox) == 1
    assert people_actions() == [people.INVITED]


def test_an_official_cannot_pick_another_district(client, official, district_2):
    signed_in(client, official)
    response = client.post(reverse("people:invite"), invite_form(district=district_2.pk))
    assert response.status_code == 200
    assert "district" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="li.lei@example.test").exists()


@pytest.mark.parametrize("language, words", [("zh-hans", "已存在"), ("en", "already exists")])
def test_a_duplicate_email_is_refused_on_its_field_in_both_languages(
    language, words, client, admin, inspector, district_1
):
    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = language
    profile.save()
    signed_in(client, admin)
    response = client.post(
        reverse("people:invite"), invite_form(email=inspector.email, district=district_1.pk)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["email"]
    assert words in response.content.decode()  # rendered in the person's language


def test_deactivate_and_reactivate_buttons(client, admin, inspector):
    signed_in(client, admin)
    client.post(reverse("people:deactivate", args=(inspector.pk,)))
    inspector.refresh_from_db()
    assert not inspector.is_active
    client.post(reverse("people:reactivate", args=(inspector.pk,)))
    inspector.refresh_from_db()
    assert inspector.is_active
    assert people_actions() == [people.DEACTIVATED, people.REACTIVATED]


def test_a_deactivated_person_cannot_sign_in(client, admin, inspector):
    signed_in(client, admin).post(reverse("people:deactivate", args=(inspector.pk,)))
    client.logout()
    response = client.post(
        reverse("wagtailadmin_login"), {"username": inspector.username, "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, no session
    assert "_auth_user_id" not in client.session


def test_a_deactivated_persons_open_session_ends(client, admin, inspector):
    other = signed_in(type(client)(), inspector)
    assert other.get(reverse("wagtailadmin_home")).status_code == 200
    people.deactivate_person(inspector, actor=admin)
    assert other.get(reverse("wagtailadmin_home")).status_code == 302


def test_change_scope_moves_an_inspector_and_is_audited(client, admin, inspector, district_2):
    signed_in(client, admin)
    client.post(reverse("people:change_scope", args=(inspector.pk,)), {"district": district_2.pk})
    inspector.staff_profile.refresh_from_db()
    assert inspector.staff_profile.district == district_2
    event = AuditEvent.objects.get(action=people.SCOPE_CHANGED)
    assert event.filters["before"]["district"] != event.filters["after"]["district"]


def test_an_official_cannot_move_their_inspector_to_another_district(
    client, official, inspector, district_1, district_2
):
    signed_in(client, official)
    response = client.post(
        reverse("people:change_scope", args=(inspector.pk,)), {"district": district_2.pk}
    )
    assert response.status_code == 302  # district 2 is not offered: refused on the form
    inspector.staff_profile.refresh_from_db()
    assert inspector.staff_profile.district == district_1
    assert not people_actions()


def test_resend_and_revoke_buttons(client, admin, district_1, django_capture_on_commit_callbacks):
    signed_in(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:invite"), invite_form(district=district_1.pk))
    person = get_user_model().objects.get(email="li.lei@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:resend", args=(person.pk,)))
    client.post(reverse("people:revoke", args=(person.pk,)))
    assert len(mail.outbox) == 2
    assert not person.invitations.pending().exists()
    assert people_actions() == [people.INVITED, people.INVITATION_RESENT, people.INVITATION_REVOKED]


def test_the_person_page_shows_the_buttons(client, admin, inspector):
    body = signed_in(client, admin).get(reverse("people:person", args=(inspector.pk,)))
    assert body.status_code == 200
    assert reverse("people:deactivate", args=(inspector.pk,)) in body.content.decode()


@pytest.mark.parametrize("who, shown", [("admin", True), ("official", True), ("inspector", False)])
def test_the_people_menu_is_shown_to_those_who_manage_people(who, shown, request, client):
    signed_in(client, request.getfixturevalue(who))
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert (reverse("people:index") in body) == shown
