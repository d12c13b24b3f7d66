"""Messages to people: e-mail through Django's mail framework, SMS through a small backend.

Every message carries a dedup key (e.g. ``complaint:42:accepted:sms``) stored under a unique
index, so a retried request, a repeated transition or a redelivered task never sends the same
message twice. Rows are written in the caller's transaction and sent by a Celery task after
commit: a rolled-back change sends nothing.
"""

import datetime
import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.request
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


class SmsGatewayError(OSError):
    """The gateway refused or failed the message: an OSError, so the outbox retries it."""


class HttpSmsBackend:
    """A generic HTTP SMS gateway (短信平台): one signed JSON POST per message.

    Settings (environment variables of the same name):

    - ``SMS_GATEWAY_URL``: the gateway's send endpoint (https in production);
    - ``SMS_GATEWAY_SECRET``: the shared signing secret;
    - ``SMS_GATEWAY_TEMPLATE_ID``: the approved message template the text is sent under
      (mainland gateways send only registered templates; ours has one ``${text}`` parameter);
    - ``SMS_GATEWAY_TIMEOUT``: seconds to wait for the answer (default 10).

    The body is ``{"phone", "template_id", "params": {"text"}}`` in UTF-8 JSON. The headers
    ``X-Sms-Timestamp`` (Unix seconds) and ``X-Sms-Signature`` (hex HMAC-SHA256 with the secret
    of ``"<timestamp>.<body>"``) let the gateway check who sent it and refuse replays. Any
    answer but 2xx with ``"ok": true`` (or an unreadable one), a timeout or a refused
    connection raises an ``OSError``: ``send_notification`` retries it later and the beat sweep
    after that, so a message is never lost while the gateway is down.
    """

    def __init__(self) -> None:
        self.url = settings.SMS_GATEWAY_URL
        self.secret = settings.SMS_GATEWAY_SECRET
        self.template_id = settings.SMS_GATEWAY_TEMPLATE_ID
        self.timeout = settings.SMS_GATEWAY_TIMEOUT
        if not self.url or not self.secret:
            raise SmsGatewayError("SMS_GATEWAY_URL and SMS_GATEWAY_SECRET must be set")

    def signature(self, timestamp: str, body: bytes) -> str:
        message = timestamp.encode() + b"." + body
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    def send(self, phone: str, text: str) -> None:
        body = json.dumps(
            {"phone": phone, "template_id": self.template_id, "params": {"text": text}},
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Sms-Timestamp": timestamp,
                "X-Sms-Signature": self.signature(timestamp, body),
            },
        )
        # HTTPError, URLError and timeouts are OSErrors already: they propagate as they are.
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            raw = response.read()
        try:
            answer = json.loads(raw or b"{}")
        except ValueError as exc:
            raise SmsGatewayError(f"unreadable answer from the SMS gateway: {raw[:200]!r}") from exc
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            raise SmsGatewayError(f"the SMS gateway refused the message: {raw[:200]!r}")


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


def forget_sent_texts() -> int:
    """Blank the text and recipient of messages sent more than
    ``NOTIFICATION_TEXT_RETENTION_DAYS`` ago; returns how many. Until then a clerk can tell a
    caller what was sent where; after, the outbox keeps only that it was sent, since an SMS can
    carry a tracking number with its access code. The row and its dedup key stay, so the same
    message is still never sent twice."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.NOTIFICATION_TEXT_RETENTION_DAYS)
    kept = Notification.objects.filter(sent_at__lt=cutoff).exclude(recipient="")
    return kept.update(recipient="", subject="", body="")


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
def forget_sent_notification_texts() -> int:
    """Daily beat task (idempotent): see ``forget_sent_texts``."""
    return forget_sent_texts()


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
