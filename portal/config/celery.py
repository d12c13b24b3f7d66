"""Celery application.

Without ``CELERY_BROKER_URL`` the settings switch Celery to eager mode, so the demo needs no
broker: tasks run in-process right after the transaction that queued them commits.

Workers and beat log through the project's ``LOGGING`` (text or JSON, with the request id
that queued the task), not through Celery's own set-up: a ``setup_logging`` receiver tells
Celery to leave logging alone.
"""

import logging
import logging.config
import os

from celery import Celery
from celery.signals import setup_logging

# Connect the task signals: the request id from the web process to the worker, and the
# count of failed tasks for /metrics.
from portal.operations import request_ids, task_failures  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.config.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect(dispatch_uid="portal.celery.logging")
def _project_logging(loglevel=None, **_: object) -> None:
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:  # `celery worker --loglevel=…` still decides the level
        logging.getLogger().setLevel(loglevel)
