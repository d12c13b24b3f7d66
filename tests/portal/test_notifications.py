"""Notifications go out once per dedup key, only after commit, and survive a mail outage."""

import pytest
from django.core import mail
from django.db import transaction

from foundation import notifications
from foundation.models import Notification
from foundation.notifications import MemorySmsBackend, send_notification, send_pending_notifications

pytestmark = pytest.mark.django_db
MESSAGE = {"subject": "投诉已受理", "body": "您的投诉 WY20261121ABCDEF 已受理。"}


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def test_each_channel_is_sent_once_after_commit(django_capture_on_commit_callbacks, sms_outbox):
    with django_capture_on_commit_callbacks(execute=True):
        queued = notifications.notify(
            dedup_key="complaint:1:accepted",
            email="a@example.test",
            phone="13812345678",
            **MESSAGE,
        )
    assert queued == 2
    assert [m.to for m in mail.outbox] == [["a@example.test"]]
    assert sms_outbox == [("13812345678", MESSAGE["body"])]
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


def test_the_same_key_never_sends_twice(django_capture_on_commit_callbacks, sms_outbox):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            notifications.notify(dedup_key="complaint:1:resolved", phone="13812345678", **MESSAGE)
    assert len(sms_outbox) == 1
    # A redelivered task finds the message already sent.
    assert send_notification.delay(Notification.objects.get().pk).get() is False
    assert len(sms_outbox) == 1


def test_rolled_back_change_queues_and_sends_nothing(
    django_capture_on_commit_callbacks, sms_outbox
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notifications.notify(dedup_key="complaint:2:accepted", phone="13812345678", **MESSAGE)
        raise RuntimeError("the transition failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert sms_outbox == []


def test_mail_outage_leaves_the_message_for_the_sweep(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(dedup_key="complaint:3:accepted", email="c@example.test", **MESSAGE)
    assert Notification.objects.get().sent_at is None  # refused connection: not marked sent

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_pending_notifications.delay().get() == 1
    assert [m.to for m in mail.outbox] == [["c@example.test"]]
    assert send_pending_notifications.delay().get() == 0
