"""The search outbox: what changed in the database and is not yet in Elasticsearch.

A row is written in the same transaction as the change it describes, so nothing can be
committed without also being remembered for indexing. Indexing deletes the row; the beat
sweep indexes whatever rows remain (the task was lost, Redis or Elasticsearch was down).
"""

from django.db import models


class IndexOutbox(models.Model):
    doc_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "object_id"], name="outbox_unique_object")
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id}"
