"""The citizen is told at every step (沟通反馈): dispatch (by whom, in general terms only),
reopening, closing and a transfer, once per event, after commit, in their own language."""

from types import SimpleNamespace

import pytest
from django.db import transaction

from cases import dispatch, workflow
from cases.citizen_messages import tell_complainant
from cases.models import Category
from cases.services import submit_complaint
from foundation.notifications import MemorySmsBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def filed(estate, language="zh-hans", phone="13900005555"):
    return submit_complaint(
        actor=None,
        category=Category.FACILITIES,
        description="电梯停运三天，无人维修",
        contact_phone=phone,
        estate=estate,
        estate_name=estate.name,
        language=language,
    ).complaint


@pytest.mark.parametrize(
    ("units", "language", "expected", "never"),
    [
        ({"company"}, "en", "by the property company.", "inspector"),
        ({"inspector"}, "en", "a district inspector", "property company"),
        ({"company", "inspector"}, "en", "the property company and a district inspector", None),
    ],
)
def test_dispatch_tells_who_handles_it_in_general_terms(
    estate_x,
    company_a,
    official,
    inspector,
    sms,
    django_capture_on_commit_callbacks,
    units,
    language,
    expected,
    never,
):
    complaint = filed(estate_x, language)
    workflow.accept_case(complaint, actor=official)
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.dispatch_case(
            complaint,
            actor=official,
            inspector=inspector if "inspector" in units else None,
            company=company_a if "company" in units else None,
        )
    [(phone, text)] = sms
    assert phone == "13900005555" and complaint.tracking_number in text
    assert expected in text and (never is None or never not in text)
    assert company_a.name not in text and inspector.email not in text


def test_reopening_and_closing_are_told_once_each(
    estate_x, official, inspector, sms, django_capture_on_commit_callbacks
):
    complaint = filed(estate_x, "en")
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    workflow.resolve_case(complaint, actor=official, reply="Pump replaced.")
    workflow.record_follow_up(complaint, actor=None, satisfaction="satisfied")
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.close_case(complaint, actor=official)
        workflow.close_case(complaint, actor=official)  # repeated: nothing more
    [(_phone, closed)] = sms
    assert "is closed" in closed
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.reopen_case(complaint, actor=official, reason="漏水复发")
    [(_phone, reopened)] = sms
    assert "reopened" in reopened and "漏水复发" not in reopened  # the internal reason stays in


def test_nothing_is_told_when_the_step_rolls_back(estate_x, official, inspector, sms):
    complaint = filed(estate_x)
    workflow.accept_case(complaint, actor=official)
    sms.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
        raise RuntimeError
    assert sms == []


@pytest.mark.parametrize("action", ["cases.complaint.transferred", "cases.transferred"])
def test_a_transfer_names_the_agency(estate_x, sms, django_capture_on_commit_callbacks, action):
    complaint = filed(estate_x, "en")
    # The transfer's event (cases.transfers registers its action): its action, data and id.
    event = SimpleNamespace(
        pk=10**9,
        action=action,
        data={"agency": "Donghu Fire Brigade", "reason": "Blocked fire lanes are theirs."},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tell_complainant(complaint, event) == 1
        assert tell_complainant(complaint, event) == 0  # once per event
    [(_phone, text)] = sms
    assert "transferred to Donghu Fire Brigade" in text and complaint.tracking_number in text
