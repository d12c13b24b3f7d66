"""The foundation under every domain app (enterprises ← cases ← search ← portal).

What may enter: mechanisms that several apps share and that name no domain model — roles and
districts, the audit log and its writers, the notification outbox and the SMS backend
interface, uploads and file serving, spreadsheets, the Celery task policy and the one
state-machine helper. What may not: anything that knows a company, an estate, a complaint or
a page. This package imports Django, Wagtail and Celery only; every app may import it, it
imports no app (checked by import-linter in ``make test``).
"""
