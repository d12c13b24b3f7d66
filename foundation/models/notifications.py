"""The notification outbox: one row per message, written in the caller's transaction."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one person on one channel, sent at most once (see
    ``foundation.notifications``)."""

    EMAIL = "email"
    SMS = "sms"
    CHANNELS = [(EMAIL, _("E-mail")), (SMS, _("SMS"))]

    dedup_key = models.CharField(max_length=120, unique=True)
    channel = models.CharField(max_length=8, choices=CHANNELS)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "portal_notification"  # created before the foundation split; kept
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.dedup_key
