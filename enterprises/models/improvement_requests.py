"""Improvement requests (整改要求) from an estate's owners' committee to the company managing it.

The committee sends a request with a deadline; the company answers; the committee accepts the
answer or escalates it to the regulator, which opens a case (``cases.committee_requests``): the
case's tracking number is kept here as text, since the register knows nothing of cases.
``enterprises.improvement_requests`` holds every change of ``status``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    SENT = "sent", _("Sent, awaiting the company's answer")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Answer accepted")
    ESCALATED = "escalated", _("Escalated to the regulator")


class ImprovementRequest(models.Model):
    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="improvement_requests",
        verbose_name=_("estate"),
    )
    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="improvement_requests",
        verbose_name=_("company"),
    )
    text = models.TextField(_("request"))
    deadline = models.DateField(_("answer by"))
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SENT
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answer = models.TextField(_("company's answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decision_note = models.TextField(_("committee's note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    case_tracking_number = models.CharField(_("case tracking number"), max_length=32, blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("improvement request")
        verbose_name_plural = _("improvement requests")

    def __str__(self) -> str:
        return f"{self.estate} {self.sent_at:%Y-%m-%d} #{self.pk}"
