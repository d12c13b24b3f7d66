"""Partner systems (the 12345 hotline, a district's service desk) that file complaints through
the Open311 API (``portal.open311``).

Only a keyed digest of a key is stored, never the key: a leaked database dump opens nothing.
The first eight characters are kept in clear so an administrator can tell keys apart and the
look-up by digest touches one indexed row. A key is revoked by clearing ``active``; the row
stays, so the partner's past use can still be traced.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_PREFIX_LENGTH = 8


class PartnerApiKey(models.Model):
    """An API key (接口密钥) of a partner system allowed to file complaints."""

    name = models.CharField(_("partner"), max_length=100)
    prefix = models.CharField(
        _("key prefix"), max_length=KEY_PREFIX_LENGTH, db_index=True, editable=False
    )
    # HMAC-SHA256 of the whole key with the server's SECRET_KEY (portal.open311.keys).
    digest = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "-created_at"]
        verbose_name = _("partner API key")
        verbose_name_plural = _("partner API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
