"""The top app: the public Wagtail site and the staff-facing extras, on the apps below it
(foundation ← enterprises ← cases ← search ← portal).

- ``config``: settings, URLs, WSGI/ASGI and the Celery app (``portal.config.settings``)
- ``site``: the public website's views, forms, page cache and publishing workflow
- ``security``: staff sign-in hardening and the audit trail's admin screens
- ``availability``: ``/healthz`` and the pages and cache that cope with a service outage
- ``operations``: ``/metrics``, the request id on log lines, backup and restore
- ``open311``: the Open311 GeoReport v2 API for partner systems
- ``demo``: ``manage.py seed_demo``'s fictional city
- ``models``, ``templatetags``, ``management``, ``migrations``, ``templates``, ``static``,
  ``locale``: where Django and Wagtail look for them
"""

from portal.config.celery import app as celery_app

__all__ = ["celery_app"]
