"""Search follows the case domain through its signals (``cases.signals``); cases never
imports search.

The receivers run inside the writer's transaction, so the outbox row commits or rolls back
with the change, and the index task is queued only once it commits (``search.tasks``).
"""

from django.dispatch import receiver

from cases.signals import complaint_changed
from search import tasks


@receiver(complaint_changed, dispatch_uid="search.queue_changed_complaints")
def queue_changed_complaints(sender, *, complaint_ids: list[int], **kwargs) -> None:
    tasks.queue_for_indexing(complaint_ids)
