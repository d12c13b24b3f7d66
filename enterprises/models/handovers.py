"""The handover (交接) from a dismissed company to the one hired in its place, after the
owners' vote: a checklist confirmed by the outgoing company, the incoming company and the
committee; when all three have confirmed, the contracts change and so does the estate's
managing company (``enterprises.handovers``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoverStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    COMPLETED = "completed", _("Completed")


class HandoverCategory(models.TextChoices):
    DOCUMENTS = "documents", _("Documents")
    KEYS = "keys", _("Keys")
    FUNDS = "funds", _("Funds")
    FACILITIES = "facilities", _("Facilities")


class HandoverParty(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing company")
    INCOMING = "incoming", _("Incoming company")
    COMMITTEE = "committee", _("Owners' committee")


class Handover(models.Model):
    vote = models.OneToOneField(
        "enterprises.Vote",
        on_delete=models.PROTECT,
        related_name="handover",
        verbose_name=_("vote"),
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="handovers",
        verbose_name=_("estate"),
    )
    outgoing_contract = models.ForeignKey(
        "enterprises.ServiceContract", on_delete=models.PROTECT, related_name="+"
    )
    incoming_contract = models.ForeignKey(
        "enterprises.ServiceContract", on_delete=models.PROTECT, related_name="+"
    )
    terminates_on = models.DateField(_("outgoing contract terminated on"))
    due_on = models.DateField(_("handover due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=HandoverStatus.choices, default=HandoverStatus.OPEN
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    overdue_flagged_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.estate} · {self.terminates_on}"


class HandoverItem(models.Model):
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("category"), max_length=16, choices=HandoverCategory.choices)
    description = models.CharField(_("item"), max_length=300)

    class Meta:
        ordering = ["handover", "category", "pk"]
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")

    def __str__(self) -> str:
        return self.description


class HandoverConfirmation(models.Model):
    """One party's confirmation that the checklist was handed over as listed."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="confirmations")
    party = models.CharField(_("party"), max_length=16, choices=HandoverParty.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["handover", "confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "party"], name="handover_confirmed_once")
        ]

    def __str__(self) -> str:
        return f"{self.handover} · {self.get_party_display()}"
