"""Celery application.

Without ``CELERY_BROKER_URL`` the settings switch Celery to eager mode, so the demo needs no
broker: tasks run in-process right after the transaction that queued them commits.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.config.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
