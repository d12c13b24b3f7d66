"""The owners' committee screens: the list, the filing form, the committee page and its
buttons are the administrators' and their district's officials'; anyone else is refused."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from enterprises.models import CommitteeMember, OwnersCommittee
from foundation.roles import Role
from tests.enterprises.committee_helpers import (  # noqa: F401 (outboxes)
    GOOD_PASSWORD,
    THREE,
    TODAY,
    accept,
    committee_actions,
    counts,
    file,
    fresh,
    members,
    outboxes,
    past_term,
    signed_in,
)
from tests.factories import EstateFactory, UserFactory, make_user

pytestmark = pytest.mark.django_db


# Screens ----------------------------------------------------------------------------------------


def test_the_list_shows_the_districts_committees(client, admin, official, estate_x, estate_y):
    file(admin, estate_x)
    file(admin, estate_y, people_=members("chair", tag="y"))
    body = signed_in(client, admin).get(reverse("committees:index")).content.decode()
    assert estate_x.name in body and estate_y.name in body
    assert "业主0" in body and "业主y0" in body  # the chairs
    body = signed_in(client, official).get(reverse("committees:index")).content.decode()
    assert estate_x.name in body and estate_y.name not in body


@pytest.mark.parametrize("count", [10, 100])
def test_the_list_query_count_does_not_grow(
    count, client, admin, district_1, django_assert_max_num_queries
):
    estates = [EstateFactory(district=district_1) for _ in range(count // 10)]
    for n in range(count):
        committee = OwnersCommittee.objects.create(
            estate=estates[n % len(estates)],
            term_starts_on=dt.date(2000 + n // len(estates), 1, 1),
            term_ends_on=dt.date(2000 + n // len(estates), 12, 31),
            filed_by=admin,
        )
        for position in ("chair", "member"):
            CommitteeMember.objects.create(
                committee=committee,
                user=UserFactory(username=f"c{n}-{position}"),
                name=f"{position}{n}",
                position=position,
            )
    signed_in(client, admin)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("committees:index"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(count, 50)


def test_the_committee_page_lists_members_with_their_invitation_status(
    client, admin, estate_x, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        committee = file(admin, estate_x)
    accept("owner0@example.test")
    body = (
        signed_in(client, admin)
        .get(reverse("committees:committee", args=(committee.pk,)))
        .content.decode()
    )
    positions = [body.index(f"owner{n}@example.test") for n in range(3)]
    assert positions == sorted(positions)  # chair, vice-chair, member
    assert body.count("已邀请") + body.count("Invited") >= 2


def filing_form(estate, **overrides) -> dict:
    data = {
        "estate": estate.pk,
        "term_starts_on": str(TODAY),
        "term_ends_on": str(TODAY + dt.timedelta(days=365)),
        "filing_number": "WYB-1",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "50",
        "members-0-name": "张主任",
        "members-0-email": "zhang@example.test",
        "members-0-phone": "",
        "members-0-position": "chair",
        "members-1-name": "李委员",
        "members-1-email": "li@example.test",
        "members-1-phone": "13911112222",
        "members-1-position": "member",
        "members-2-name": "",
        "members-2-email": "",
        "members-2-phone": "",
        "members-2-position": "member",  # an empty row: ignored
    }
    return {**data, **overrides}


def test_the_filing_form_files_and_opens_the_committee(client, official, estate_x):
    response = signed_in(client, official).post(reverse("committees:file"), filing_form(estate_x))
    committee = OwnersCommittee.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("committees:committee", args=(committee.pk,))
    assert committee.members.count() == 2


def test_the_filing_form_shows_a_bad_term_on_its_field(client, admin, estate_x):
    response = signed_in(client, admin).post(
        reverse("committees:file"), filing_form(estate_x, term_ends_on=str(TODAY))
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["term_ends_on"]
    assert not OwnersCommittee.objects.exists()


def test_the_filing_form_shows_a_refused_member_on_its_row(client, admin, estate_x, inspector):
    response = signed_in(client, admin).post(
        reverse("committees:file"), filing_form(estate_x, **{"members-1-email": inspector.email})
    )
    assert response.status_code == 200
    assert list(response.context["formset"].forms[1].errors) == ["email"]
    assert not OwnersCommittee.objects.exists()
    assert not get_user_model().objects.filter(email="zhang@example.test").exists()


def test_an_official_cannot_choose_an_estate_of_another_district(client, official, estate_y):
    response = signed_in(client, official).post(reverse("committees:file"), filing_form(estate_y))
    assert response.status_code == 200
    assert "estate" in response.context["form"].errors
    assert not OwnersCommittee.objects.exists()


def test_the_renew_button_renews_and_refuses_an_earlier_end(client, admin, estate_x):
    committee = file(admin, estate_x, ends=TODAY + dt.timedelta(days=30))
    url = reverse("committees:renew", args=(committee.pk,))
    signed_in(client, admin)
    client.post(url, {"term_ends_on": str(TODAY + dt.timedelta(days=10))})
    committee.refresh_from_db()
    assert committee.term_ends_on == TODAY + dt.timedelta(days=30)
    response = client.post(url, {"term_ends_on": str(TODAY + dt.timedelta(days=99))})
    assert response.status_code == 302
    committee.refresh_from_db()
    assert committee.term_ends_on == TODAY + dt.timedelta(days=99)


def _screens(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("committees:index")),
        ("get", reverse("committees:file")),
        ("post", reverse("committees:file")),
        ("get", reverse("committees:committee", args=(pk,))),
        ("post", reverse("committees:renew", args=(pk,))),
        ("post", reverse("committees:add_member", args=(pk,))),
        ("post", reverse("committees:remove_member", args=(pk,))),
        ("post", reverse("committees:make_chair", args=(pk,))),
        ("post", reverse("committees:resend_invitation", args=(pk,))),
    ]


SCREEN_DATA = {
    "term_ends_on": "2099-01-01",
    "new-name": "闯入者",
    "new-email": "intruder@example.test",
    "new-position": "member",
}


def seats_of(committee) -> tuple:
    return (committee.members.count(), committee.members.filter(removed_at=None).count())


@pytest.mark.parametrize(
    "outsider", ["company_a_staff", "inspector", "citizen", "committee_member", "evaluator"]
)
def test_other_roles_may_use_no_committee_screen(outsider, request, client, admin, estate_x):
    committee = file(admin, estate_x)
    signed_in(client, request.getfixturevalue(outsider))
    seats = seats_of(committee)
    member = committee.members.get(position="member")
    data = {**SCREEN_DATA, "member": member.pk}
    for method, url in _screens(committee.pk):
        response = getattr(client, method)(url, data)
        assert response.status_code in (302, 403), (outsider, url)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("committees:index")), (outsider, url)
    committee.refresh_from_db()
    assert committee.term_ends_on != dt.date(2099, 1, 1)
    assert seats_of(committee) == seats
    member.refresh_from_db()
    assert member.position == "member"


def test_anonymous_visitors_are_sent_to_sign_in(client, admin, estate_x):
    committee = file(admin, estate_x)
    for method, url in _screens(committee.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


def test_an_official_cannot_open_or_renew_another_districts_committee(
    client, admin, official, estate_y
):
    committee = file(admin, estate_y)
    signed_in(client, official)
    seats = seats_of(committee)
    data = {**SCREEN_DATA, "member": committee.members.get(position="member").pk}
    for method, url in _screens(committee.pk)[3:]:
        assert getattr(client, method)(url, data).status_code == 404
    committee.refresh_from_db()
    assert committee.term_ends_on != dt.date(2099, 1, 1)
    assert seats_of(committee) == seats


def test_the_menu_is_shown_to_administrators_and_officials_only(
    rf, admin, official, inspector, committee_member
):
    from enterprises.admin.committees import CommitteesMenuItem

    item = CommitteesMenuItem("x", "/")
    for user, shown in ((admin, True), (official, True), (inspector, False)):
        request = rf.get("/admin/")
        request.user = user
        assert item.is_shown(request) is shown
    request = rf.get("/admin/")
    request.user = committee_member
    assert not item.is_shown(request)


def test_an_official_without_a_district_sees_no_committee(client, admin, estate_x):
    file(admin, estate_x)
    nobody = make_user("nobody-official", Role.OFFICIAL)
    response = signed_in(client, nobody).get(reverse("committees:index"))
    assert response.status_code == 200
    assert response.context["rows"] == []


def test_the_filing_form_offers_the_officials_district_only(client, official, estate_x, estate_y):
    response = signed_in(client, official).get(reverse("committees:file"))
    assert response.status_code == 200
    assert list(response.context["form"].fields["estate"].queryset) == [estate_x]
    assert len(response.context["formset"].forms) == 7


def test_the_member_buttons_add_and_remove(client, official, estate_x, estate_y, admin):
    committee = file(official, estate_x)
    signed_in(client, official)
    response = client.post(
        reverse("committees:add_member", args=(committee.pk,)),
        {"new-name": "补选委员", "new-email": "bu@example.test", "new-position": "member"},
    )
    assert response.status_code == 302
    added = committee.members.get(name="补选委员")
    assert added.user.staff_profile.estate == estate_x
    remove = reverse("committees:remove_member", args=(committee.pk,))
    assert client.post(remove, {"member": added.pk}).status_code == 302
    added.refresh_from_db()
    assert added.removed_at is not None
    # A seat of another committee is not found through this one.
    other = file(admin, estate_y, people_=members("chair", "member", tag="y"))
    stranger = other.members.get(position="member")
    assert client.post(remove, {"member": stranger.pk}).status_code == 404
    assert seats_of(other) == (2, 2)


def test_the_make_chair_button_changes_the_chair_and_says_so(client, official, estate_x):
    committee = file(official, estate_x)
    old_chair = committee.members.get(position="chair")
    member = committee.members.filter(position="member").first()
    signed_in(client, official)
    page = client.get(reverse("committees:committee", args=(committee.pk,))).content.decode()
    assert reverse("committees:make_chair", args=(committee.pk,)) in page
    url = reverse("committees:make_chair", args=(committee.pk,))
    response = client.post(url, {"member": member.pk}, follow=True)
    [said] = [m.message for m in response.context["messages"]]
    assert member.name in said and ("主任" in said or "chair" in said)
    old_chair.refresh_from_db()
    member.refresh_from_db()
    assert (member.position, old_chair.position) == ("chair", "member")
    assert old_chair.removed_at is None


def test_an_expired_invitation_is_sent_again_from_the_committee_page(client, official, estate_x):
    from enterprises.models import Invitation

    committee = file(official, estate_x)
    member = committee.members.filter(position="member").first()
    Invitation.objects.filter(user=member.user).update(revoked_at=timezone.now())
    signed_in(client, official)
    url = reverse("committees:resend_invitation", args=(committee.pk,))
    page = client.get(reverse("committees:committee", args=(committee.pk,))).content.decode()
    assert page.count(url) == 1  # the others' links are live
    response = client.post(url, {"member": member.pk}, follow=True)
    [said] = [m.message for m in response.context["messages"]]
    assert member.name in said
    assert Invitation.objects.pending().filter(user=member.user).count() == 1
    page = client.get(reverse("committees:committee", args=(committee.pk,))).content.decode()
    assert page.count(url) == 0  # this member's link is live again


def test_removing_the_chair_is_answered_with_a_message(client, admin, estate_x):
    committee = file(admin, estate_x)
    chair = committee.members.get(position="chair")
    signed_in(client, admin)
    url = reverse("committees:remove_member", args=(committee.pk,))
    response = client.post(url, {"member": chair.pk}, follow=True)
    assert response.status_code == 200
    chair.refresh_from_db()
    assert chair.removed_at is None
    assert any("主任" in str(m) or "chair" in str(m) for m in response.context["messages"])
