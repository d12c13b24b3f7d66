"""When each Celery worker last started a task: the readiness check's proof that the task
queue is being consumed (``portal.availability.health``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per worker (its Celery node name), written by ``foundation.tasks.PolicyTask``
    at most every ``HEARTBEAT_SECONDS``. In the database, not in Redis: the check must still
    answer when the broker is the thing that is gone."""

    worker = models.CharField(_("worker"), max_length=200, unique=True)
    consumed_at = models.DateTimeField(_("last task started at"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker
