"""Owners' committee filing (业委会备案, enterprises.committees): the regulator files a term
and its members, who are invited and reach their estate once they accept; bad input is refused
naming the field with nothing created; access ends with the term (the hourly sweep) unless
renewed; the screens are the administrators' and their district's officials'."""

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from enterprises import committees, people, permissions
from enterprises.models import CommitteeMember, Invitation, OwnersCommittee
from enterprises.tasks import end_expired_committee_terms_task
from foundation.models import AuditEvent
from foundation.roles import Role
from tests.factories import EstateFactory, UserFactory, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
GOOD_PASSWORD = "Lantern-harbour-42"


@pytest.fixture(autouse=True)
def outboxes(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def members(*positions: str, tag: str = "") -> list[dict]:
    return [
        {
            "name": f"业主{tag}{n}",
            "email": f"owner{tag}{n}@example.test",
            "phone": f"1390000{n:04}" if not tag else "",
            "position": position,
        }
        for n, position in enumerate(positions)
    ]


THREE = ("chair", "vice_chair", "member")


def file(actor, estate, *, starts=TODAY, ends=None, people_=None, number="WYB-2026-001"):
    return committees.file_committee(
        actor=actor,
        estate=estate,
        term_starts_on=starts,
        term_ends_on=ends or starts + dt.timedelta(days=5 * 365),
        filing_number=number,
        members=people_ if people_ is not None else members(*THREE),
    )


def committee_actions() -> list[str]:
    events = AuditEvent.objects.filter(action__startswith="enterprises.committee.")
    return list(events.order_by("pk").values_list("action", flat=True))


def counts() -> tuple:
    return (
        OwnersCommittee.objects.count(),
        CommitteeMember.objects.count(),
        get_user_model().objects.count(),
        Invitation.objects.count(),
        AuditEvent.objects.filter(action__startswith="enterprises.").count(),
    )


def accept(email: str):
    message = next(m for m in mail.outbox if m.to == [email])
    token = re.search(r"/accounts/invitation/([^/\s]+)/", message.body).group(1)
    return people.accept_invitation(token, GOOD_PASSWORD)


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


# Filing ---------------------------------------------------------------------------------------


def test_filing_invites_the_members_and_is_audited(
    admin, estate_x, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        committee = file(admin, estate_x)
    seats = {s.position: s for s in committee.members.select_related("user")}
    assert set(seats) == {"chair", "vice_chair", "member"}
    assert committee.filed_by == admin and committee.filing_number == "WYB-2026-001"
    for seat in seats.values():
        assert not seat.user.is_active
        assert Role.OWNERS_COMMITTEE.value in seat.user.groups.values_list("name", flat=True)
        assert seat.user.staff_profile.estate == estate_x
    assert sorted(m.to[0] for m in mail.outbox) == [f"owner{n}@example.test" for n in range(3)]
    assert Invitation.objects.filter(role=Role.OWNERS_COMMITTEE, estate=estate_x).count() == 3
    assert committee_actions() == [committees.MEMBER_ADDED] * 3 + [committees.FILED]
    filed = AuditEvent.objects.get(action=committees.FILED)
    assert filed.actor == admin
    assert filed.filters["committee"] == committee.pk
    assert sorted(filed.filters["members"]) == sorted(s.user_id for s in seats.values())
    assert AuditEvent.objects.filter(action=people.INVITED).count() == 3


def test_a_member_reaches_the_estate_after_accepting(
    admin, estate_x, estate_y, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file(admin, estate_x)
    person = fresh(accept("owner0@example.test"))
    assert person.is_active
    assert list(permissions.visible_estates(person)) == [estate_x]
    assert permissions.sits_on_committee_of(person, estate_x)
    assert not permissions.sits_on_committee_of(person, estate_y)
    assert permissions.has_scope(person)
    client.force_login(person)
    body = client.get(reverse("register_estates:index")).content.decode()
    assert estate_x.name in body and estate_y.name not in body


def test_an_official_files_for_their_district(official, estate_x):
    committee = file(official, estate_x)
    assert committee.members.count() == 3


def test_an_official_of_another_district_is_refused_and_nothing_is_created(official, estate_y):
    before = counts()
    with pytest.raises(committees.CommitteeNotAllowed) as refused:
        file(official, estate_y)
    assert refused.value.field == "estate"
    assert counts() == before


@pytest.mark.parametrize("outsider", ["inspector", "company_a_staff", "committee_member"])
def test_no_one_else_may_file(outsider, request, estate_x):
    actor = request.getfixturevalue(outsider)
    before = counts()
    with pytest.raises(committees.CommitteeNotAllowed):
        file(actor, estate_x)
    assert counts() == before


BAD_INPUT = {
    "end-before-start": (
        {"starts": TODAY, "ends": TODAY - dt.timedelta(days=1)},
        "term_ends_on",
        None,
    ),
    "end-on-start": ({"starts": TODAY, "ends": TODAY}, "term_ends_on", None),
    "no-chair": ({"people_": members("member", "vice_chair")}, "members", None),
    "two-chairs": ({"people_": members("chair", "chair", "member")}, "members", None),
    "no-members": ({"people_": []}, "members", None),
    "duplicate-email": (
        {
            "people_": [
                *members("chair", "member"),
                {"name": "重复", "email": "OWNER1@example.test", "position": "member"},
            ]
        },
        "members",
        2,
    ),
    "duplicate-phone": (
        {
            "people_": [
                *members("chair", "member"),
                {"name": "重复", "email": "x@example.test", "phone": "13900000001"},
            ]
        },
        "members",
        2,
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_naming_the_field_and_nothing_is_created(case, admin, estate_x):
    kwargs, field, member = BAD_INPUT[case]
    before = counts()
    with pytest.raises(committees.CommitteeRefused) as refused:
        file(admin, estate_x, **kwargs)
    assert refused.value.field == field
    assert refused.value.member == member
    assert counts() == before
    assert not mail.outbox


def test_a_member_whose_email_belongs_to_someone_else_refuses_the_whole_filing(
    admin, estate_x, inspector
):
    people_ = members("chair", "member")
    people_[1]["email"] = inspector.email
    before = counts()
    with pytest.raises(committees.CommitteeRefused) as refused:
        file(admin, estate_x, people_=people_)
    assert refused.value.field == "members" and refused.value.member == 1
    assert refused.value.member_field == "email"
    assert "业主1" in refused.value.message  # names the member
    assert counts() == before
    assert not get_user_model().objects.filter(email="owner0@example.test").exists()


def test_a_phone_already_invited_refuses_the_filing(admin, estate_x, estate_y):
    file(admin, estate_y)
    before = counts()
    people_ = members("chair", tag="b")
    people_[0]["phone"] = "13900000000"
    with pytest.raises(committees.CommitteeRefused) as refused:
        file(admin, estate_x, people_=people_)
    assert refused.value.member == 0 and refused.value.member_field == "phone"
    assert counts() == before


def test_an_overlapping_term_of_the_same_estate_is_refused(admin, estate_x, estate_y):
    file(admin, estate_x, starts=TODAY, ends=TODAY + dt.timedelta(days=365))
    before = counts()
    with pytest.raises(committees.CommitteeRefused) as refused:
        file(
            admin,
            estate_x,
            starts=TODAY + dt.timedelta(days=365),  # the last day of the first term
            people_=members("chair", tag="b"),
        )
    assert refused.value.field == "term_starts_on"
    assert counts() == before
    # The next day, or another estate, is fine.
    file(admin, estate_x, starts=TODAY + dt.timedelta(days=366), people_=members("chair", tag="c"))
    file(admin, estate_y, starts=TODAY, people_=members("chair", tag="d"))


def test_the_database_refuses_a_bad_term_and_a_second_chair(admin, estate_x):
    committee = file(admin, estate_x)
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnersCommittee.objects.create(
            estate=estate_x, term_starts_on=TODAY, term_ends_on=TODAY, filed_by=admin
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMember.objects.create(committee=committee, user=admin, name="x", position="chair")


def test_an_official_may_give_committee_seats_on_their_district_only(
    official, inspector, estate_x, estate_y
):
    role = Role.OWNERS_COMMITTEE
    assert permissions.may_give_scope(official, role, estate=estate_x)
    assert not permissions.may_give_scope(official, role, estate=estate_y)
    assert not permissions.may_give_scope(inspector, role, estate=estate_x)


# Renewal, members and the end of the term ------------------------------------------------------


def past_term(admin, estate, **kwargs):
    return file(
        admin,
        estate,
        starts=TODAY - dt.timedelta(days=400),
        ends=TODAY - dt.timedelta(days=1),
        **kwargs,
    )


def test_renewal_extends_the_term_and_refuses_an_earlier_end(admin, official, estate_x):
    committee = file(official, estate_x, ends=TODAY + dt.timedelta(days=30))
    with pytest.raises(committees.CommitteeRefused) as refused:
        committees.renew_committee(committee, actor=admin, term_ends_on=committee.term_ends_on)
    assert refused.value.field == "term_ends_on"
    new_end = TODAY + dt.timedelta(days=400)
    committees.renew_committee(committee, actor=official, term_ends_on=new_end)
    committee.refresh_from_db()
    assert committee.term_ends_on == new_end
    assert committee_actions()[-1] == committees.RENEWED


def test_renewal_into_the_next_committees_term_is_refused(admin, estate_x):
    first = file(admin, estate_x, ends=TODAY + dt.timedelta(days=30))
    file(admin, estate_x, starts=TODAY + dt.timedelta(days=31), people_=members("chair", tag="n"))
    with pytest.raises(committees.CommitteeRefused) as refused:
        committees.renew_committee(first, actor=admin, term_ends_on=TODAY + dt.timedelta(days=60))
    assert refused.value.field == "term_ends_on"
    first.refresh_from_db()
    assert first.term_ends_on == TODAY + dt.timedelta(days=30)


def test_an_official_of_another_district_may_not_renew(official, admin, estate_y):
    committee = file(admin, estate_y)
    with pytest.raises(committees.CommitteeNotAllowed):
        committees.renew_committee(
            committee, actor=official, term_ends_on=committee.term_ends_on + dt.timedelta(days=1)
        )


def test_the_end_of_the_term_withdraws_access_once(
    admin, estate_x, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        committee = past_term(admin, estate_x)
    person = fresh(accept("owner0@example.test"))
    assert permissions.has_scope(person)

    assert committees.end_expired_terms() == 1
    person = fresh(person)
    assert person.staff_profile.estate is None
    assert not permissions.visible_estates(person).exists()
    assert not permissions.evaluated_estates(person).exists()
    assert not permissions.has_scope(person)
    home = signed_in(client, person).get(reverse("wagtailadmin_home"))
    assert 'id="no-scope-heading"' in home.content.decode()  # "ask an administrator"
    assert estate_x.name not in client.get(reverse("register_estates:index")).content.decode()
    committee.refresh_from_db()
    assert committee.ended_at is not None
    ended = AuditEvent.objects.get(action=committees.TERM_ENDED)
    assert ended.actor is None and len(ended.filters["withdrawn"]) == 3

    assert committees.end_expired_terms() == 0  # idempotent
    assert committee_actions().count(committees.TERM_ENDED) == 1


def test_the_sweep_waits_for_the_last_day_of_the_term(admin, estate_x):
    committee = file(admin, estate_x, ends=TODAY + dt.timedelta(days=10))
    assert committees.end_expired_terms(today=TODAY + dt.timedelta(days=10)) == 0
    assert committees.end_expired_terms(today=TODAY + dt.timedelta(days=11)) == 1
    committee.refresh_from_db()
    assert committee.ended_at is not None


def test_the_hourly_task_ends_expired_terms(admin, estate_x):
    past_term(admin, estate_x)
    assert end_expired_committee_terms_task() == 1
    entry = django_settings.CELERY_BEAT_SCHEDULE["enterprises-end-committee-terms"]
    assert entry["task"] == end_expired_committee_terms_task.name


def test_an_earlier_member_is_seated_again_and_keeps_access_across_terms(
    admin, estate_x, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        past_term(admin, estate_x)
    person = fresh(accept("owner0@example.test"))
    outbox = len(mail.outbox)
    again = members("chair")  # owner0, chair again
    with django_capture_on_commit_callbacks(execute=True):
        second = file(admin, estate_x, starts=TODAY, people_=again)
    assert second.members.get().user == person  # the same account, not a new invitation
    assert len(mail.outbox) == outbox
    committees.end_expired_terms()
    person = fresh(person)
    assert list(permissions.visible_estates(person)) == [estate_x]
    left = CommitteeMember.objects.get(user__email="owner1@example.test").user
    assert not permissions.visible_estates(fresh(left)).exists()  # not on the new term


def test_renewing_an_ended_committee_grants_access_again(
    admin, estate_x, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        committee = past_term(admin, estate_x)
    person = fresh(accept("owner0@example.test"))
    committees.end_expired_terms()
    assert not permissions.has_scope(fresh(person))

    committees.renew_committee(committee, actor=admin, term_ends_on=TODAY + dt.timedelta(days=90))
    committee.refresh_from_db()
    assert committee.ended_at is None
    person = fresh(person)
    assert list(permissions.visible_estates(person)) == [estate_x]
    renewed = AuditEvent.objects.filter(action=committees.RENEWED).get()
    assert renewed.filters["access_granted_again"] is True


def test_members_are_added_and_removed_with_their_access(
    admin, official, estate_x, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        committee = file(official, estate_x)
    seat = committees.add_member(
        committee, actor=official, name="补选", email="new@example.test", position="member"
    )
    assert seat.user.staff_profile.estate == estate_x
    with pytest.raises(committees.CommitteeRefused) as refused:
        committees.add_member(
            committee, actor=official, name="又一个", email="c2@example.test", position="chair"
        )
    assert refused.value.member_field == "position"
    chair = committee.members.get(position="chair")
    with pytest.raises(committees.CommitteeRefused):
        committees.remove_member(chair, actor=official)

    member = committee.members.get(position="member", user__email="owner2@example.test")
    committees.remove_member(member, actor=official)
    member.refresh_from_db()
    assert member.removed_at is not None
    assert not permissions.visible_estates(fresh(member.user)).exists()
    assert committee_actions()[-2:] == [committees.MEMBER_ADDED, committees.MEMBER_REMOVED]
    committees.remove_member(member, actor=official)  # already done: quietly nothing
    assert committee_actions().count(committees.MEMBER_REMOVED) == 1


# Screens ----------------------------------------------------------------------------------------


def signed_in(client, user):
    client.force_login(user)
    return client


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
    data = {**SCREEN_DATA, "member": committee.members.get(position="member").pk}
    for method, url in _screens(committee.pk):
        response = getattr(client, method)(url, data)
        assert response.status_code in (302, 403), (outsider, url)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("committees:index")), (outsider, url)
    committee.refresh_from_db()
    assert committee.term_ends_on != dt.date(2099, 1, 1)
    assert seats_of(committee) == seats


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
