"""What the case domain tells the layers above it (search), which subscribe; cases never
imports them.

Sent inside the writer's transaction: a receiver that writes an outbox row then commits or
rolls back with the change itself, and one that fails rolls the change back.
"""

from collections.abc import Iterable

from django.dispatch import Signal

from cases.models import Complaint

# Sent with ``complaint_ids`` (sorted, unique): what these complaints show may have changed.
complaint_changed = Signal()


def complaints_changed(complaint_ids: Iterable[int]) -> None:
    """Send ``complaint_changed``; call it inside the transaction that made the change."""
    complaint_changed.send(sender=Complaint, complaint_ids=sorted(set(complaint_ids)))
