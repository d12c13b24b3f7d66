"""Celery tasks of the portal: sending notifications, by id, safe to run twice."""

import logging
import smtplib

from celery import shared_task

from foundation import notifications

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=6)
def send_notification(self, notification_id: int) -> bool:
    try:
        return notifications.deliver(notification_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.is_eager:
            logger.warning("notification %s deferred to the sweep: %s", notification_id, exc)
            return False
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc


@shared_task(acks_late=True)
def send_pending_notifications() -> int:
    """Beat sweep: send whatever is still unsent (a lost task, a gateway that was down)."""
    sent = 0
    for pk in notifications.pending_notifications().values_list("pk", flat=True)[:500]:
        try:
            sent += notifications.deliver(pk)
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("notification %s still failing: %s", pk, exc)
    return sent
