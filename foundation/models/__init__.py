"""The foundation's records: districts, the notification outbox and the audit log. Their
tables keep the names they had in the portal app (``portal_*``), with their data."""

from foundation.models.audit import AuditEvent, AuditLogIsAppendOnly
from foundation.models.districts import District
from foundation.models.notifications import Notification

__all__ = ["AuditEvent", "AuditLogIsAppendOnly", "District", "Notification"]
