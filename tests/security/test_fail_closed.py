"""Scopes fail closed (issue 16): staff whose role needs a scope and who have none see
nothing — no case, no register record, no search hit, no export row — and the dashboard tells
them whom to ask. Only the explicit city-wide flag gives an official the whole city.
"""

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from cases.permissions import scope_for, visible_complaints
from enterprises.models import StaffProfile
from enterprises.permissions import has_scope, visible_companies, visible_estates
from foundation.roles import Role
from search import indexing
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db

REGISTER_LISTS = ("register_companies:index", "register_estates:index", "register_licences:index")


@pytest.fixture
def unscoped(db):
    """Staff as a mistake leaves them: an official created on Wagtail's Users screen (no
    profile), an official and an inspector whose profile names no district."""
    official_without_profile = make_user("no_profile_official", Role.OFFICIAL)
    official_without_district = make_user("no_district_official", Role.OFFICIAL, district=None)
    inspector_without_district = make_user("no_district_inspector", Role.INSPECTOR, district=None)
    return [official_without_profile, official_without_district, inspector_without_district]


@pytest.fixture
def two_districts(search_index, estate_x, estate_y):
    complaints = [
        make_complaint(estate=estate, description=f"楼道堆物无人清理 {marker}").complaint
        for estate, marker in ((estate_x, "FC-ONE"), (estate_y, "FC-TWO"))
    ]
    indexing.index_complaints([c.pk for c in complaints])
    indexing.refresh()
    return complaints


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode()


def test_staff_without_a_scope_see_no_case_and_no_register_record(unscoped, two_districts):
    for user in unscoped:
        assert scope_for(user).nothing, user
        assert not visible_complaints(user).exists(), user
        assert not visible_companies(user).exists(), user
        assert not visible_estates(user).exists(), user
        assert not has_scope(user), user


def test_staff_without_a_scope_get_no_search_hit_no_export_row_and_no_list_row(
    client, unscoped, two_districts
):
    for user in unscoped:
        client.force_login(user)
        for url in (
            reverse("complaint_search") + "?q=楼道",
            reverse("complaint_search") + "?q=楼道&export=csv",
            *(reverse(name) for name in REGISTER_LISTS),
            *(reverse(name) + "?export=csv" for name in REGISTER_LISTS[:2]),
        ):
            response = client.get(url)
            assert response.status_code < 500, (user, url)
            body = _body(response)
            for marker in ("FC-ONE", "FC-TWO", "翠湖花园", "锦绣苑"):
                assert marker not in body, (user.username, url, marker)
        client.logout()


def test_the_dashboard_tells_staff_without_a_scope_whom_to_ask(client, unscoped, official):
    message = gettext("You have not been given a scope yet")  # in the default language
    for user in unscoped:
        client.force_login(user)
        assert message in _body(client.get(reverse("wagtailadmin_home")))
    client.force_login(official)
    assert message not in _body(client.get(reverse("wagtailadmin_home")))


def test_only_the_explicit_flag_gives_an_official_the_whole_city(two_districts):
    head = make_user("head_of_department", Role.OFFICIAL)
    assert not visible_complaints(head).exists()
    StaffProfile.objects.update_or_create(user=head, defaults={"city_wide": True})
    head.refresh_from_db()
    assert set(visible_complaints(head)) == set(two_districts)
    assert has_scope(head)
