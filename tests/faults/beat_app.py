"""The portal's Celery app for the fault tests' ``celery beat`` (``-A tests.faults.beat_app``):
the two sweeps every two seconds instead of every minute, published to the test's queue
(``$FAULTS_QUEUE``). Imported by that process only, never by the test process."""

import os

from portal.config.celery import app

SWEEPS = ("search.tasks.reconcile_index", "foundation.notifications.send_pending_notifications")

app.conf.beat_schedule = {task: {"task": task, "schedule": 2.0} for task in SWEEPS}
app.conf.task_default_queue = os.environ["FAULTS_QUEUE"]
