"""Load test: the portal under gunicorn on PostgreSQL with a real Celery worker, driven by
locust, against a trivial view on the same server as the ceiling.

Usage (the services of ``make test``: ``eval "$(scripts/services.sh start)"`` exports
DATABASE_URL, CELERY_BROKER_URL and ELASTICSEARCH_URL, which this reads):

    .venv/bin/python bench/load_test.py --cases 100000 --users 1000 --duration 30

1. Creates its own database (``portal_load``) on that PostgreSQL server, migrates, seeds the
   complaints and users fast (``bench/load/seed.py``), the demo's public pages and a few cases
   worked through the app's services, and indexes everything into Elasticsearch under the
   prefix ``load-bench`` (the database search fallback when ELASTICSEARCH_URL is unset).
2. Starts gunicorn (``portal.config.wsgi``, ``bench.load.settings``: DEBUG=0, Redis cache db 13,
   broker db 14) on a free loopback port and a Celery worker.
3. Runs each scenario of ``bench/load/locustfile.py`` with locust, headless, for
   ``--duration`` seconds at ``--concurrency`` users, then the sustained-upload phase
   (``--uploads`` photos of 10 MB) while sampling the gunicorn processes' resident memory.
   With ``--balancer``, instead: one app server, then two behind nginx, on the complaint
   form (``bench/load/balanced.py``), and the ratio of their throughputs.
4. Prints one table (requests/s, p50/p95/p99 in ms, errors) and the budgets as ratios; exits
   1 if one is missed. Stops everything it started, even on Ctrl-C, and drops its database
   and index unless ``--keep``.
"""

import argparse
import contextlib
import csv
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
DB_NAME = "portal_load"
PREFIX = "load-bench"
PHOTO_BYTES = 10_000_000


def configure(args) -> dict[str, str]:
    """The environment of every process here: the bench's own database, Redis dbs, prefix."""
    missing = [n for n in ("DATABASE_URL", "CELERY_BROKER_URL") if not os.environ.get(n)]
    if missing:
        sys.exit(f'{", ".join(missing)} unset: run eval "$(scripts/services.sh start)" first')
    admin = os.environ["DATABASE_URL"]
    redis = urlsplit(os.environ["CELERY_BROKER_URL"])
    env = {
        "DATABASE_URL": urlunsplit(urlsplit(admin)._replace(path=f"/{DB_NAME}")),
        "CACHE_URL": urlunsplit(redis._replace(scheme="rediscache", path="/13")),
        "CELERY_BROKER_URL": urlunsplit(redis._replace(path="/14")),
        "ELASTICSEARCH_INDEX_PREFIX": PREFIX,
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        "DEBUG": "0",
        "SECRET_KEY": "load-bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SALT_KEY": "load-bench-only-salt",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_CONN_MAX_AGE": "60",  # persistent connections, as a deployment would
        "MEDIA_ROOT": str(args.workdir / "media"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    return {**os.environ, "_ADMIN_DATABASE_URL": admin}


def make_photo(path: Path) -> None:
    """A 12-megapixel JPEG of about 10 MB (gradient and grain, like a dim phone photo)."""
    from PIL import Image

    size = (4000, 3000)
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.blend(
        base, Image.frombytes("RGB", size, random.randbytes(size[0] * size[1] * 3)), 0.45
    )
    for quality in range(97, 80, -1):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= PHOTO_BYTES:
            break
    path.write_bytes(out.getvalue())


def prepare(args, admin_url: str) -> dict:
    """Database, seed, pages, index: returns the plan the locust scenarios read."""
    started = time.perf_counter()
    drop_database(admin_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command

    from bench.load import seed
    from cases.models import Category
    from enterprises.models import Estate
    from portal.demo.pages import seed_site_pages
    from portal.models import ComplaintPage, TrackingPage
    from search import engine, rebuild

    call_command("migrate", verbosity=0)
    print(f"database {DB_NAME} migrated in {time.perf_counter() - started:.0f} s", flush=True)
    cache.clear()
    _flush_broker()
    rng = random.Random(2026)
    seeding = time.perf_counter()
    seeded = seed.seed(args.cases, args.users, rng)
    head = get_user_model().objects.get(username=seeded.users["head"][0])
    seed_site_pages(head, write=lambda line: None)
    worked = seed.worked_cases(args.worked, seeded, rng)
    print(f"seeding took {time.perf_counter() - seeding:.0f} s", flush=True)
    if engine.search_enabled():
        result = rebuild.rebuild_complaint_index(batch_size=1000, force=True)
        print(f"indexed {result.documents:,} complaints in {result.seconds:.0f} s", flush=True)
    make_photo(args.workdir / "photo.jpg")
    from cases.models import Complaint

    sample = list(Complaint.objects.order_by("?").values_list("pk", flat=True)[:500])
    return {
        "password": seed.PASSWORD,
        "users": seeded.users,
        "access_code": seed.ACCESS_CODE,
        "tracking_numbers": seeded.tracking_numbers,
        "worked_cases": worked,
        "detail_cases": worked + sample,
        "complaint_url": ComplaintPage.objects.live().first().url,
        "tracking_url": TrackingPage.objects.live().first().url,
        "categories": list(Category.values),
        "estates": list(Estate.objects.values_list("name", flat=True)[:100]),
        "photo": str(args.workdir / "photo.jpg"),
        "uploads": args.uploads,
        "search": "elasticsearch" if engine.search_enabled() else "database fallback",
    }


def drop_database(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def _flush_broker() -> None:
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Services:
    """gunicorn and a Celery worker, each in its own process group, stopped on exit."""

    def __init__(self, args, env: dict, port: int) -> None:
        self.procs: list[subprocess.Popen] = []
        self.args, self.env, self.port = args, env, port
        self.log = open(args.workdir / "services.log", "wb")  # noqa: SIM115

    def start(self) -> None:
        for command in (
            [VENV_BIN / "celery", "-A", "portal", "worker", "-c", "1", "-l", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            [VENV_BIN / "gunicorn", "portal.config.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", str(self.args.workers), "-k", "gthread", "--threads", str(self.args.threads),
             "--timeout", "120", "--chdir", str(ROOT)],
        ):  # fmt: skip
            self.procs.append(
                subprocess.Popen(
                    [str(c) for c in command],
                    env=self.env,
                    cwd=ROOT,
                    stdout=self.log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                get(self.url("/bench/trivial/"))
                return
            time.sleep(0.5)
        log = (self.args.workdir / "services.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"gunicorn did not answer; its log ends:\n{log}")

    @property
    def gunicorn_pid(self) -> int:
        return self.procs[1].pid

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.log.close()


def get(url: str) -> tuple[int, dict, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
        return response.status, dict(response.headers), response.read()


def rss_kib(master: int) -> int:
    """VmRSS of gunicorn's master and its workers."""
    pids = [master]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def run_scenario(args, env: dict, services: Services, user_class: str, duration: int,
                 users: int) -> list[dict]:  # fmt: skip
    prefix = args.workdir / user_class
    subprocess.run(
        [str(VENV_BIN / "locust"), "-f", str(ROOT / "bench/load/locustfile.py"), "--headless",
         "-u", str(users), "-r", str(users), "-t", f"{duration}s", "--csv", str(prefix),
         "--host", services.url(""), "--only-summary", "--loglevel", "ERROR", "-s", "30",
         user_class],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=services.log, check=False,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        return [row for row in csv.DictReader(stats) if row["Name"] != "Aggregated"]


SCENARIOS = [
    ("Trivial", "trivial view (ceiling)"),
    ("PublicUncached", "public page, uncached"),
    ("PublicCached", "public page, cached"),
    ("StaffList", "staff: case list, head of dept"),
    ("InspectorList", "staff: case list, inspector"),
    ("StaffDetail", "staff: case page"),
    ("StaffSearch", "staff: search"),
    ("StaffWork", "staff: working cases"),
    ("Tracker", "citizen: tracking"),
    ("Citizen", "citizen: file and track"),
    ("CitizenPhoto", "citizen: file with 10 MB photo"),
]


def main() -> int:  # noqa: C901 (one linear script)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1000, help="accounts seeded")
    parser.add_argument("--duration", type=int, default=30, help="seconds per scenario")
    parser.add_argument("--concurrency", type=int, default=8, help="locust users per scenario")
    parser.add_argument("--uploads", type=int, default=200, help="sustained 10 MB uploads")
    parser.add_argument("--worked", type=int, default=50, help="cases worked through services")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database and index")
    parser.add_argument(
        "--balancer",
        action="store_true",
        help="only compare one app server with two behind nginx (bench/load/balanced.py)",
    )
    args = parser.parse_args()
    args.workdir = Path(tempfile.mkdtemp(prefix="load-bench-"))
    env = configure(args)
    admin_url = env.pop("_ADMIN_DATABASE_URL")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    services = None
    try:
        plan = prepare(args, admin_url)
        plan_file = args.workdir / "plan.json"
        plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        env["LOAD_BENCH_PLAN"] = str(plan_file)
        if args.balancer:
            from bench.load import balanced

            return balanced.compare(args, env, plan["complaint_url"])
        services = Services(args, env, free_port())
        services.start()
        from bench.load.report import Report

        report = Report(args, plan)
        get(services.url("/"))  # the first view renders and stores the page
        report.cache_headers = [get(services.url("/"))[1].get("X-Bench-Queries") for _ in (1, 2)]
        for user_class, title in SCENARIOS:
            rows = run_scenario(args, env, services, user_class, args.duration, args.concurrency)
            report.add(title, rows)
        samples: list[tuple[float, int]] = [(0.0, rss_kib(services.gunicorn_pid))]
        stop = threading.Event()
        started = time.monotonic()

        def sample() -> None:
            while not stop.wait(0.5):
                samples.append((time.monotonic() - started, rss_kib(services.gunicorn_pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rows = run_scenario(args, env, services, "Uploader", 1800, args.concurrency)
        stop.set()
        sampler.join()
        time.sleep(2)
        report.add(f"sustained uploads ({args.uploads} x 10 MB)", rows)
        report.memory(samples, rss_kib(services.gunicorn_pid))
        return report.print()
    except KeyboardInterrupt:
        print("interrupted: stopping", flush=True)
        return 130
    finally:
        if services is not None:
            services.stop()
        cleanup(args, admin_url)


def cleanup(args, admin_url: str) -> None:
    from django.db import connections

    with contextlib.suppress(Exception):  # Django may not have been set up
        connections.close_all()
    if not args.keep:
        with contextlib.suppress(Exception):
            from search import engine

            if engine.search_enabled():
                client = engine.get_client()
                names = list(client.indices.get(index=f"{PREFIX}-*", expand_wildcards="all"))
                if names:
                    client.indices.delete(index=",".join(names))
        drop_database(admin_url)
        print(f"dropped database {DB_NAME} and index {PREFIX}-*")
    shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
