"""The project's configuration: settings (read from the environment), the root URLconf, the
WSGI and ASGI entry points and the Celery application. ``DJANGO_SETTINGS_MODULE`` is
``portal.config.settings``. Nothing here holds behaviour of its own: a view, middleware or
cache backend lives in the package of its concern and is named here by its dotted path.
"""
