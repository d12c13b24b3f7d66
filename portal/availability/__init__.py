"""How the portal reports on and survives its backing services: ``/healthz`` (the state of
the database, broker, workers and search node) and what the site answers when a request
cannot be served (the static 503 page when PostgreSQL is unreachable, the plain 400 and 500
pages, a Redis cache that degrades to misses). Only probes and fallbacks belong here.
"""
