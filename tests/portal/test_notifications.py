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


def test_a_sent_text_is_forgotten_after_the_retention_days_and_never_sent_again(
    settings, time_machine, django_capture_on_commit_callbacks, sms_outbox
):
    """An SMS can carry an access code: after ``NOTIFICATION_TEXT_RETENTION_DAYS`` the outbox
    keeps only that it was sent (the dedup key stays, so it still goes out once only)."""
    settings.NOTIFICATION_TEXT_RETENTION_DAYS = 30
    time_machine.move_to("2026-03-01 10:00:00+08:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(dedup_key="complaint:9:code", phone="13812345678", **MESSAGE)
        notifications.notify(dedup_key="complaint:9:unsent", email="a@example.test", **MESSAGE)
    Notification.objects.filter(dedup_key__startswith="complaint:9:unsent").update(sent_at=None)

    time_machine.move_to("2026-03-31 09:59:00+08:00", tick=False)  # 30 days less a minute
    assert notifications.forget_sent_notification_texts() == 0
    time_machine.move_to("2026-03-31 10:01:00+08:00", tick=False)
    assert notifications.forget_sent_notification_texts() == 1
    assert notifications.forget_sent_notification_texts() == 0  # idempotent

    sent = Notification.objects.get(dedup_key="complaint:9:code:sms")
    assert (sent.recipient, sent.subject, sent.body) == ("", "", "")
    assert sent.sent_at is not None
    unsent = Notification.objects.get(dedup_key="complaint:9:unsent:email")
    assert (unsent.recipient, unsent.body) == ("a@example.test", MESSAGE["body"])  # still due
    with django_capture_on_commit_callbacks(execute=True):
        again = notifications.notify(dedup_key="complaint:9:code", phone="13812345678", **MESSAGE)
    assert again == 0 and len(sms_outbox) == 1


def test_the_outbox_is_swept_daily(settings):
    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == notifications.forget_sent_notification_texts.name
    ]
    assert entry["schedule"].hour == {3}
