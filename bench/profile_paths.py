"""Where the time of each path of ``bench/side_by_side.py`` goes: pyinstrument samples of
``--requests`` requests per path, their own time summed by what the code is doing.

Usage (after a ``side_by_side.py`` run has seeded its database):

    .venv/bin/python bench/profile_paths.py --requests 30

Buckets, by the file a sampled frame runs in: template rendering (Django templates, Wagtail's
components and tables), database (the driver and Django's ORM), cache and broker round trips
(redis, kombu), encryption (cryptography, Fernet), permissions (guardian, our permission
modules), SLA calendar, our other code, and the rest (Django's request handling, middleware).
"""

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import side_by_side  # noqa: E402

BUCKETS = [
    ("templates", ("django/template", "wagtail/admin/ui", "laces/", "templatetags")),
    ("database", ("psycopg", "django/db/")),
    ("cache/broker", ("redis/", "kombu/", "celery/", "django/core/cache", "django_ratelimit")),
    ("encryption", ("cryptography/", "encrypted_fields", "personal_data.py", "argon2")),
    ("permissions", ("guardian/", "permissions.py", "policy.py", "foundation/roles.py")),
    ("SLA calendar", ("cases/sla.py", "cases/calendar.py", "holidays/")),
    ("search client", ("elasticsearch/", "elastic_transport", "urllib3/")),
    ("our other code", ("/cases/", "/search/", "/portal/", "/enterprises/", "/foundation/")),
]


def bucket(path: str) -> str:
    for name, parts in BUCKETS:
        if any(part in path for part in parts):
            return name
    return "framework (request, middleware, forms)"


def self_times(frame, totals: Counter) -> None:
    """pyinstrument keeps a frame's own time in synthetic children ("[self]", "[await]"):
    they count for the frame that holds them."""
    real = [child for child in frame.children if not child.is_synthetic]
    own = frame.time - sum(child.time for child in real)
    totals[bucket(frame.file_path or "")] += max(own, 0.0)
    for child in real:
        self_times(child, totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    admin, name = side_by_side.configure()
    args.reuse, args.cases, args.users, args.worked = True, 0, 0, 0
    plan = side_by_side.prepare(args, admin, name)
    from pyinstrument import Profiler

    for path, kind, ours, anchor in side_by_side.pairs(plan):
        for side, step in (("ours", ours), ("anchor", anchor)):
            client = side_by_side.client_for(kind, plan)
            for _ in range(3):
                step.run_client(client)
            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(args.requests):
                    step.run_client(client)
            totals: Counter = Counter()
            root = profiler.last_session.root_frame()
            self_times(root, totals)
            whole = sum(totals.values()) or 1.0
            shares = ", ".join(f"{k} {v / whole:.0%}" for k, v in totals.most_common(5))
            print(f"{path:<13} {side:<7} {shares}", flush=True)


if __name__ == "__main__":
    main()
