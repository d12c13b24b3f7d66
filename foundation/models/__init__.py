"""The foundation's records: districts, the notification outbox, the audit log and the
workers' heartbeats. The first three keep the table names they had in the portal app
(``portal_*``), with their data."""

from foundation.models.audit import AuditEvent, AuditLogIsAppendOnly
from foundation.models.districts import District
from foundation.models.notifications import Notification
from foundation.models.workers import WorkerHeartbeat

__all__ = ["AuditEvent", "AuditLogIsAppendOnly", "District", "Notification", "WorkerHeartbeat"]
