"""Messages to people: e-mail through Django's mail framework, SMS through a small backend.

Every message carries a dedup key (e.g. ``complaint:42:accepted:sms``) stored under a unique
index, so a retried request, a repeated transition or a redelivered task never sends the same
message twice. Rows are written in the caller's transaction and sent by a Celery task after
commit: a rolled-back change sends nothing.
"""

import logging
import smtplib
from typing import Protocol

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from foundation.models import Notification
from foundation.tasks import PolicyTask

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogSmsBackend:
    """The default: writes the message to the log (the demo has no SMS gateway)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class MemorySmsBackend:
    """For tests: keeps what was sent in ``outbox``, like Django's locmem mail backend."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySmsBackend.outbox.append((phone, text))


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def notify(
    *, dedup_key: str, subject: str, body: str, email: str = "", phone: str = "", sms: str = ""
) -> int:
    """Queue the message on each channel the person gave; returns how many were new.
    ``sms``, when given, is the shorter text sent by SMS instead of ``body``."""
    queued = 0
    for channel, recipient in ((Notification.EMAIL, email), (Notification.SMS, phone)):
        if not recipient:
            continue
        text = sms if channel == Notification.SMS and sms else body
        try:
            with transaction.atomic():  # a savepoint: a duplicate must not spoil the caller
                notification = Notification.objects.create(
                    dedup_key=f"{dedup_key}:{channel}",
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=text,
                )
        except IntegrityError:
            continue  # already queued or sent once: never twice
        send_notification.delay_on_commit(notification.pk)
        queued += 1
    return queued


def deliver(notification_id: int) -> bool:
    """Send one queued message unless it went out already; True if sent now."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.sent_at is not None:
            return False
        if notification.channel == Notification.EMAIL:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient],
            )
        else:
            sms_backend().send(notification.recipient, notification.body)
        notification.sent_at = timezone.now()
        notification.attempts += 1
        notification.save(update_fields=["sent_at", "attempts"])
    return True


def pending_notifications():
    """Messages not sent yet: the sweep retries them (the task was lost or the gateway down)."""
    return Notification.objects.filter(sent_at__isnull=True)


# Tasks (beat runs the sweep; see CELERY_BEAT_SCHEDULE) ------------------------------------


@shared_task(base=PolicyTask, bind=True, max_retries=6)
def send_notification(self, notification_id: int) -> bool:
    try:
        return deliver(notification_id)
    except (smtplib.SMTPException, OSError) as exc:
        return self.retry_later(
            exc,
            deferred_result=False,
            what=f"notification {notification_id}",
            first=30,
            longest=3600,
        )


@shared_task(base=PolicyTask)
def send_pending_notifications() -> int:
    """Beat sweep: send whatever is still unsent (a lost task, a gateway that was down)."""
    sent = 0
    for pk in pending_notifications().values_list("pk", flat=True)[:500]:
        try:
            sent += deliver(pk)
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("notification %s still failing: %s", pk, exc)
    return sent
