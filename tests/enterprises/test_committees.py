"""Owners' committee filing (业委会备案, enterprises.committees): the regulator files a term
and its members, who are invited and reach their estate once they accept; bad input is refused
naming the field with nothing created; access ends with the term (the hourly sweep) unless
renewed. The screens are in test_committee_screens.py."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from enterprises import committees, people, permissions
from enterprises.models import CommitteeMember, Invitation, OwnersCommittee
from enterprises.tasks import end_expired_committee_terms_task
from foundation.models import AuditEvent
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

pytestmark = pytest.mark.django_db


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


@pytest.mark.usefixtures("english")
def test_the_chair_is_changed_during_the_term_and_the_old_chair_stays_a_member(
    admin, official, estate_x, estate_y
):
    committee = file(official, estate_x)
    old_chair = committee.members.get(position="chair")
    vice = committee.members.exclude(position="chair").first()
    committees.make_chair(vice, actor=official)
    vice.refresh_from_db()
    old_chair.refresh_from_db()
    assert (vice.position, old_chair.position, old_chair.removed_at) == ("chair", "member", None)
    assert committee.members.filter(position="chair", removed_at=None).count() == 1
    assert committee_actions()[-1] == committees.CHAIR_CHANGED
    committees.make_chair(vice, actor=official)  # already the chair: quietly nothing
    assert committee_actions().count(committees.CHAIR_CHANGED) == 1
    # Refused, nothing changed: a member who left, and an official of another district.
    committees.remove_member(old_chair, actor=official)
    with pytest.raises(committees.CommitteeRefused, match="no longer sits"):
        committees.make_chair(old_chair, actor=official)
    other_district = file(admin, estate_y, people_=members("chair", "member", tag="y"))
    with pytest.raises(committees.CommitteeNotAllowed):
        committees.make_chair(other_district.members.get(position="member"), actor=official)
    assert other_district.members.get(position="chair").name == "业主y0"


@pytest.mark.usefixtures("english")
def test_a_member_invitation_is_sent_again_by_whoever_files_the_committee(
    admin, official, estate_x, estate_y
):
    from enterprises.models import Invitation

    committee = file(official, estate_x)
    member = committee.members.get(position="member")
    before = Invitation.objects.filter(user=member.user).count()
    invitation = committees.resend_member_invitation(member, actor=official)
    assert invitation.user == member.user and invitation.estate == estate_x
    assert Invitation.objects.pending().filter(user=member.user).get() == invitation
    assert Invitation.objects.filter(user=member.user).count() == before + 1
    # Refused, nothing sent: another district's official, a member who left.
    other = file(admin, estate_y, people_=members("chair", "member", tag="y"))
    with pytest.raises(committees.CommitteeNotAllowed):
        committees.resend_member_invitation(other.members.get(position="member"), actor=official)
    committees.remove_member(member, actor=official)
    with pytest.raises(committees.CommitteeRefused, match="no longer sits"):
        committees.resend_member_invitation(member, actor=official)
    assert Invitation.objects.filter(user=member.user).count() == before + 1
