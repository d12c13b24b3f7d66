"""The demo of the fictional city 青岚市 behind ``manage.py seed_demo`` (``make demo``):
its fixed vocabulary (``data``), the city, people, complaints, register workflows,
supervision, enforcement results, pages and content, and the orchestration (``seed``).
Everything is deterministic and idempotent and goes through the apps' own verbs, as a person
would. Only demo seeding belongs here; the portal itself never imports this package (tests
and benchmarks may, e.g. ``files.pdf_bytes``).
"""
