"""Tiers that route: the tier's rule (a row, else the default), urgent alerts to the on-duty
official and the company (one SMS per recipient, after commit, none on rollback), pinned
cases first in the workbench, and the official's sign-off of a serious case's resolution."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import dispatch, sign_off, tiers, workflow
from cases.admin.workbench import my_queue
from cases.models import (
    CaseStatus,
    DutyAssignment,
    SignOffStatus,
    Tier,
    TierRule,
)
from cases.services import submit_complaint
from cases.workflow import TransitionNotAllowed
from foundation.models import Notification
from foundation.notifications import MemorySmsBackend
from foundation.roles import Role
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db
DUTY_PHONE = "13700001111"
COMPANY_PHONE = "02188886666"


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


@pytest.fixture
def on_duty(official, district_1):
    today = timezone.localdate()
    return DutyAssignment.objects.create(
        district=district_1,
        official=official,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
        phone=DUTY_PHONE,
    )


def file(estate, tier=Tier.GENERAL):
    return submit_complaint(
        actor=None,
        category="facilities",
        description="电梯困人",
        contact_phone="13900002222",
        estate=estate,
        estate_name=estate.name,
        tier=tier,
    ).complaint


def test_rules_fall_back_to_the_defaults_and_a_row_wins():
    assert tiers.rule_for(Tier.URGENT).pinned and tiers.rule_for(Tier.URGENT).pk is None
    assert tiers.needs_sign_off(Tier.SERIOUS) and not tiers.needs_sign_off(Tier.GENERAL)
    TierRule.objects.create(tier=Tier.SERIOUS, needs_sign_off=False, pinned=True)
    assert not tiers.needs_sign_off(Tier.SERIOUS) and tiers.rule_for(Tier.SERIOUS).pinned
    with pytest.raises(ValueError):
        tiers.rule_for("volcano")


def test_an_urgent_case_texts_the_duty_official_and_the_company_once_after_commit(
    estate_x, company_a, on_duty, sms, django_capture_on_commit_callbacks
):
    company_a.contact_phone = COMPANY_PHONE
    company_a.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complaint = file(estate_x, Tier.URGENT)
        assert sms == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert sorted(phone for phone, _text in sms) == sorted([DUTY_PHONE, COMPANY_PHONE])
    assert all(complaint.tracking_number in text for _phone, text in sms)
    assert "13900002222" not in " ".join(text for _phone, text in sms)  # no personal data
    # Accepted as urgent again, alerted again: nothing more (one per case and recipient).
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(complaint, actor=on_duty.official, tier=Tier.URGENT)
        assert tiers.alert_if_urgent(complaint) == 0
    assert len([p for p, _t in sms if p in (DUTY_PHONE, COMPANY_PHONE)]) == 2


def test_nothing_is_sent_when_the_transaction_rolls_back(estate_x, on_duty, sms):
    with pytest.raises(RuntimeError), transaction.atomic():
        file(estate_x, Tier.URGENT)
        raise RuntimeError("the caller fails after the alert was queued")
    assert not Notification.objects.filter(dedup_key__contains=":urgent:").exists()
    assert sms == []


def test_a_general_case_alerts_nobody_and_urgent_accepted_later_does(
    estate_x, official, on_duty, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file(estate_x)
    assert not Notification.objects.filter(dedup_key__contains=":urgent:").exists()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(complaint, actor=official, tier=Tier.URGENT)
    assert DUTY_PHONE in [phone for phone, _text in sms]


def test_with_nobody_on_duty_the_district_officials_are_mailed(estate_x, official, sms):
    file(estate_x, Tier.URGENT)
    mailed = Notification.objects.filter(dedup_key__contains=f":urgent:user:{official.pk}")
    assert [n.recipient for n in mailed] == [official.email]


def test_a_rule_row_can_silence_urgent_alerts(estate_x, on_duty, sms):
    TierRule.objects.create(tier=Tier.URGENT, pinned=True)
    file(estate_x, Tier.URGENT)
    assert not Notification.objects.filter(dedup_key__contains=":urgent:").exists()


def test_pinned_cases_come_first_in_the_queue_without_extra_queries(
    client, estate_x, official, django_assert_max_num_queries
):
    general = file(estate_x)
    urgent = file(estate_x, Tier.URGENT)
    serious = file(estate_x, Tier.SERIOUS)
    ordered = tiers.pinned_first(my_queue(official), "created_at", "pk")
    assert [c.pk for c in ordered] == [urgent.pk, general.pk, serious.pk]
    TierRule.objects.create(tier=Tier.URGENT, pinned=False)
    TierRule.objects.create(tier=Tier.SERIOUS, pinned=True)
    ordered = tiers.pinned_first(my_queue(official), "created_at", "pk")
    assert [c.pk for c in ordered] == [serious.pk, general.pk, urgent.pk]
    client.force_login(official)
    url = reverse("cases_admin:workbench_queue")
    client.get(url)  # warm the caches
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert [c.pk for c in response.context["object_list"]][0] == serious.pk


# Sign-off of a serious case (两级审核) ----------------------------------------------------


@pytest.fixture
def serious_in_progress(estate_x, official, inspector):
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official, tier=Tier.SERIOUS)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    complaint.refresh_from_db()
    assert complaint.status == CaseStatus.IN_PROGRESS
    return complaint


@pytest.fixture
def second_official(district_1):
    return make_user("second_official", Role.OFFICIAL, district=district_1)


def test_an_inspectors_resolution_waits_for_an_officials_sign_off(
    serious_in_progress, inspector, official, django_capture_on_commit_callbacks, sms, english
):
    case = serious_in_progress
    workflow.resolve_case(case, actor=inspector, reply="已维修。")
    workflow.resolve_case(case, actor=inspector, reply="已维修。")  # a double click
    case.refresh_from_db()
    proposal = case.sign_offs.get()
    assert case.status == CaseStatus.IN_PROGRESS and proposal.status == SignOffStatus.PENDING
    assert case.events.filter(action="cases.complaint.sign_off_requested").count() == 1
    with pytest.raises(TransitionNotAllowed, match="already waiting"):
        workflow.resolve_case(case, actor=official, reply="另一个答复")
    with django_capture_on_commit_callbacks(execute=True):
        sign_off.sign_off_resolution(proposal, actor=official)
    case.refresh_from_db()
    proposal.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.public_reply == "已维修。"
    assert proposal.status == SignOffStatus.SIGNED_OFF and proposal.decided_by == official
    assert [phone for phone, _text in sms] == ["13812345678"]  # the citizen, told once
    assert sign_off.sign_off_resolution(proposal, actor=official) == proposal  # repeated


def test_nobody_signs_off_their_own_resolution(
    serious_in_progress, official, second_official, english
):
    workflow.resolve_case(serious_in_progress, actor=official, reply="已维修。")
    proposal = serious_in_progress.sign_offs.get()
    with pytest.raises(TransitionNotAllowed, match="another official"):
        sign_off.sign_off_resolution(proposal, actor=official)
    sign_off.sign_off_resolution(proposal, actor=second_official)
    serious_in_progress.refresh_from_db()
    assert serious_in_progress.status == CaseStatus.RESOLVED


@pytest.mark.parametrize(
    "who", ["inspector", "company_a_staff", "other_district_official", "citizen"]
)
def test_only_an_official_of_the_district_signs_off(request, serious_in_progress, inspector, who):
    if who == "other_district_official":
        actor = make_user(
            "official_2", Role.OFFICIAL, district=request.getfixturevalue("district_2")
        )
    else:
        actor = request.getfixturevalue(who)
    workflow.resolve_case(serious_in_progress, actor=inspector, reply="已维修。")
    proposal = serious_in_progress.sign_offs.get()
    with pytest.raises(TransitionNotAllowed):
        sign_off.sign_off_resolution(proposal, actor=actor)
    proposal.refresh_from_db()
    serious_in_progress.refresh_from_db()
    assert proposal.status == SignOffStatus.PENDING
    assert serious_in_progress.status == CaseStatus.IN_PROGRESS


def test_a_sent_back_resolution_needs_a_note_and_leaves_the_case_open(
    serious_in_progress, inspector, official, english
):
    workflow.resolve_case(serious_in_progress, actor=inspector, reply="已维修。")
    proposal = serious_in_progress.sign_offs.get()
    with pytest.raises(TransitionNotAllowed, match="note"):
        sign_off.send_back_resolution(proposal, actor=official, note="  ")
    sign_off.send_back_resolution(proposal, actor=official, note="缺少维修照片")
    proposal.refresh_from_db()
    assert proposal.status == SignOffStatus.SENT_BACK and proposal.note == "缺少维修照片"
    with pytest.raises(TransitionNotAllowed, match="already decided"):
        sign_off.sign_off_resolution(proposal, actor=official)
    mailed = Notification.objects.filter(recipient=inspector.email, subject__contains="sent back")
    assert mailed.count() == 1
    workflow.resolve_case(serious_in_progress, actor=inspector, reply="已维修，附照片。")
    assert serious_in_progress.sign_offs.filter(status=SignOffStatus.PENDING).count() == 1
    serious_in_progress.refresh_from_db()
    assert serious_in_progress.status == CaseStatus.IN_PROGRESS


def test_the_case_page_offers_the_decision_to_another_official_only(
    client, serious_in_progress, inspector, official
):
    workflow.resolve_case(serious_in_progress, actor=inspector, reply="已维修。")
    proposal = serious_in_progress.sign_offs.get()
    url = reverse("cases_admin:case_decide_sign_off", args=(serious_in_progress.pk, proposal.pk))
    client.force_login(inspector)
    client.post(url, {f"decide_sign_off-{proposal.pk}-decision": "sign_off"})
    proposal.refresh_from_db()
    assert proposal.status == SignOffStatus.PENDING
    client.force_login(official)
    page = client.get(reverse("cases_admin:case", args=(serious_in_progress.pk,)))
    assert url in page.content.decode()
    client.post(url, {f"decide_sign_off-{proposal.pk}-decision": "sign_off"})
    proposal.refresh_from_db()
    assert proposal.status == SignOffStatus.SIGNED_OFF


def test_the_companys_to_sign_list_shows_the_urgent_case_first(
    client, estate_x, company_a, company_a_staff, official, django_assert_max_num_queries
):
    general, urgent = file(estate_x), file(estate_x, Tier.URGENT)
    for complaint in (general, urgent):
        workflow.accept_case(complaint, actor=official)
        dispatch.dispatch_case(complaint, actor=official, company=company_a)
    client.force_login(company_a_staff)
    url = reverse("cases_admin:workbench_to_sign")
    client.get(url)  # warm the caches
    with django_assert_max_num_queries(31):
        response = client.get(url)
    assert [c.pk for c in response.context["object_list"]] == [urgent.pk, general.pk]
