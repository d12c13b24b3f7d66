"""Invitations (邀请): the one-time link a new person receives to choose a password.

Only a hash of the token is stored, so a copy of the database opens no account. An invitation
is pending until it is accepted, revoked (also when a new link replaces it) or expired.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VALID_FOR = timedelta(hours=72)


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        return self.filter(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )


class Invitation(models.Model):
    """One link sent to one person; the person (an inactive user) exists from the moment of
    the invitation, with the role and scope given here (``enterprises.people``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("person"),
    )
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=32)
    district = models.ForeignKey(
        "foundation.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("district"),
    )
    city_wide = models.BooleanField(_("city-wide"), default=False)
    company = models.ForeignKey(
        "enterprises.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("company"),
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("estate"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def is_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
