"""The append-only audit log (审计日志): who exported, viewed or changed what, and when.

Each row is written once by ``foundation.audit.record_event`` and never changed or removed
from the application: ``save()`` refuses an existing row, ``delete()`` and the queryset's
``update()``/``delete()`` raise. Only the "view" permission exists, so no admin screen can
offer to add, edit or delete one. The fields are deliberately general (an action code, a
label, a JSON of parameters) so logins, permission changes and views of personal data can be
recorded here too.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    """Bulk changes are refused like single ones; ``bulk_update`` and cascades go through
    ``update()`` and are refused with it."""

    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be changed")

    def delete(self):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    delete.queryset_only = True
    delete.alters_data = True

    def _raw_delete(self, using):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One thing that happened, by whom (null for the system), from where, with how many rows."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # An account with audit events is deactivated, never deleted: the log keeps its name.
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=100)
    label = models.CharField(_("object"), max_length=200, blank=True)
    filters = models.JSONField(_("parameters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=8, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "portal_auditevent"  # created before the foundation split; kept with its trigger
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # No add/change/delete permissions: nobody can be granted them.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["action", "-created_at"], name="audit_action_time"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.label}".strip()

    def save(self, *args, **kwargs):
        # A set pk means an UPDATE (or, with a guessed pk, an overwrite): refuse both.
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    delete.alters_data = True
