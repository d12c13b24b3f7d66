"""Every message to a complainant is written in the language of their complaint (issue 17):
the one they used on the web form or chose on the phone, whatever language is active."""

import pytest
from django.utils import translation

from cases import clock, dispatch, workflow
from cases.models import Category, Channel
from cases.services import submit_complaint
from foundation.notifications import MemorySmsBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def filed(estate, language, phone, **extra):
    return submit_complaint(
        actor=None,
        category=Category.FACILITIES,
        description="电梯停运三天，无人维修",
        contact_phone=phone,
        estate=estate,
        estate_name=estate.name,
        language=language,
        **extra,
    ).complaint


def test_acceptance_is_sent_in_english_and_in_chinese(
    estate_x, official, sms, django_capture_on_commit_callbacks
):
    english = filed(estate_x, "en", "13900000001")
    chinese = filed(
        estate_x, "zh-hans", "13900000002", channel=Channel.HOTLINE, registered_by=official
    )
    # The official works in English: that must not decide the citizens' language.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(english, actor=official)
        workflow.accept_case(chinese, actor=official)
    texts = dict(sms)
    assert "has been accepted" in texts["13900000001"]
    assert "受理" in texts["13900000002"] and "accepted" not in texts["13900000002"]


def test_a_question_is_asked_in_english(
    estate_x, official, inspector, sms, django_capture_on_commit_callbacks
):
    complaint = filed(estate_x, "en", "13900000003")
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    sms.clear()
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        clock.request_information(complaint, actor=inspector, question="Which building?")
    [(_phone, text)] = sms
    assert "we need your answer to this question: Which building?" in text


def test_an_unknown_language_falls_back_to_the_default(
    estate_x, official, sms, django_capture_on_commit_callbacks
):
    complaint = filed(estate_x, "fr", "13900000004")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(complaint, actor=official)
    [(_phone, text)] = sms
    assert "受理" in text
