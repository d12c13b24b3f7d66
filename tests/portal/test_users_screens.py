"""Wagtail's Users screens: "Add a user" opens the People screens' invitation (a user made on
Wagtail's own form would have no role, no scope and no invitation in the audit log); whoever
may not add users is refused as before, and editing stays Wagtail's."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NEW_USER = {
    "username": "made-on-wagtails-form",
    "email": "made@example.test",
    "first_name": "未",
    "last_name": "邀",
    "password1": "A-long-enough-passw0rd!",
    "password2": "A-long-enough-passw0rd!",
}


@pytest.mark.parametrize("method", ["get", "post"])
def test_adding_a_user_opens_the_invitation_and_creates_nobody(client, admin, method):
    users_before = get_user_model().objects.count()
    client.force_login(admin)
    send = getattr(client, method)
    response = send(reverse("wagtailusers_users:add"), NEW_USER, follow=True)
    assert response.redirect_chain[-1][0] == reverse("people:invite")
    assert response.status_code == 200
    said = [str(m) for m in response.context["messages"]]
    assert any("by invitation" in text for text in said)
    assert get_user_model().objects.count() == users_before


def test_the_users_list_still_opens_and_offers_the_invitation(client, admin):
    client.force_login(admin)
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert reverse("wagtailusers_users:add") in html  # Wagtail's button, now to the invitation


@pytest.mark.parametrize("who", ["inspector", "official", "company_a_staff"])
def test_whoever_may_not_add_users_is_refused_as_before(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("wagtailusers_users:add"))
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or response.url != reverse("people:invite")


def test_an_administrator_still_edits_an_account_on_wagtails_form(client, admin, inspector):
    client.force_login(admin)
    response = client.get(reverse("wagtailusers_users:edit", args=[inspector.pk]))
    assert response.status_code == 200 and b'name="email"' in response.content
