"""Our pages against what the frameworks give alone, in one run: CPU per request, queries,
and throughput under load, with the ratios and the budgets of issue 23.

Usage (PostgreSQL, Redis and Elasticsearch running, their URLs exported as for the tests):

    .venv/bin/python bench/side_by_side.py --cases 100000 --rounds 30 --duration 20

Pairs (same rows, page size and user: a head of department who sees the whole city):
  case list      /admin/cases/overdue/            vs Wagtail's generic IndexView (ModelViewSet
  workbench      /admin/cases/queue/                 over Complaint, ``bench.generic``, 50 a page)
  case page      /admin/cases/<pk>/               vs the generic InspectView of the same case
  staff search   /admin/complaints/search/?q=电梯 vs the generic IndexView searching ``?q=``
  filing         complaint form POST + receipt    vs a bare view that inserts the same rows
  tracking       look-up POST + case page         vs a bare view that checks and reads them

1. Creates its own database (``<DATABASE_URL's name>_bench``; ``--reuse`` keeps a seeded one),
   seeds it with ``bench/load/seed.py`` and indexes it (prefix ``<prefix>-bench``).
2. Single client, in-process (Django's test client): each pair interleaved ``--rounds`` times
   after a warm-up; the median process CPU time per request and the queries it ran.
   ``--profile DIR`` also writes a pyinstrument report per path.
3. Under load: gunicorn (2 workers x 4 threads) and ``--concurrency`` client threads per path
   for ``--duration`` seconds; requests/s and p50.
"""

import argparse
import contextlib
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import Cookie, CookieJar
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
STAFF_BUDGET = 1.3
CITIZEN_BUDGET = 2.0
QUERY_ALLOWANCE = 10  # "no more queries than the generic view plus a constant"


def configure() -> tuple[str, str]:
    admin = os.environ["DATABASE_URL"]
    name = urlsplit(admin).path.strip("/") + "_bench"
    os.environ.update(
        {
            "DATABASE_URL": urlunsplit(urlsplit(admin)._replace(path=f"/{name}")),
            "ELASTICSEARCH_INDEX_PREFIX": os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "portal")
            + "-bench",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "0",
            "SECRET_KEY": "side-by-side-bench-only-secret-key-0123456789-abcdefghijklmnop",
            "SALT_KEY": "side-by-side-bench-only-salt",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return urlunsplit(urlsplit(admin)._replace(path="/postgres")), name


def prepare(args, admin: str, name: str) -> dict:
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not args.reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not args.reuse:
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bench.load import seed
    from cases.models import Complaint
    from portal.demo.pages import seed_site_pages
    from search import engine, rebuild

    call_command("migrate", verbosity=0)
    User = get_user_model()
    if not Complaint.objects.exists():
        started = time.perf_counter()
        rng = random.Random(2026)
        seeded = seed.seed(args.cases, args.users, rng)
        head = User.objects.get(username=seeded.users["head"][0])
        seed_site_pages(head, write=lambda line: None)
        seed.worked_cases(args.worked, seeded, rng)
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        if engine.search_enabled():
            report = rebuild.rebuild_complaint_index(batch_size=1000, force=True)
            print(f"indexed {report.documents:,} in {report.seconds:.0f} s", flush=True)
    head = (
        User.objects.filter(username__startswith="load-official")
        .filter(staff_profile__city_wide=True)
        .order_by("pk")
        .first()
    )
    worked = list(
        Complaint.objects.filter(events__action="cases.internal_note")
        .values_list("pk", flat=True)
        .distinct()[:20]
    ) or list(Complaint.objects.order_by("-pk").values_list("pk", flat=True)[:20])
    numbers = list(
        Complaint.objects.filter(tracking_number__startswith="LB").values_list(
            "tracking_number", flat=True
        )[:200]
    )
    return {"head": head, "worked": worked, "numbers": numbers, "total": Complaint.objects.count()}


# The pairs ------------------------------------------------------------------------------


def pairs(plan: dict) -> list[tuple[str, str, "Step", "Step"]]:
    from bench.load.seed import ACCESS_CODE
    from cases.models import Category
    from portal.models import ComplaintPage, TrackingPage

    complaint_url = ComplaintPage.objects.live().first().url
    tracking_url = TrackingPage.objects.live().first().url
    rng = random.Random(7)

    def case_pk():
        return rng.choice(plan["worked"])

    def filing():
        return {
            "category": rng.choice(Category.values),
            "estate_name": "基准小区001",
            "description": "电梯问题已经持续三天，请尽快处理。",
            "contact_phone": "13912345678",
        }

    def tracking():
        return {"tracking_number": rng.choice(plan["numbers"]), "access_code": ACCESS_CODE}

    generic = "/admin/generic_complaints/"
    return [
        ("case list", "staff", Step("GET", lambda: "/admin/cases/overdue/"),
         Step("GET", lambda: generic)),
        ("workbench", "staff", Step("GET", lambda: "/admin/cases/queue/"),
         Step("GET", lambda: generic)),
        ("case page", "staff", Step("GET", lambda: f"/admin/cases/{case_pk()}/"),
         Step("GET", lambda: f"{generic}inspect/{case_pk()}/")),
        ("staff search", "staff", Step("GET", lambda: "/admin/complaints/search/?q=电梯"),
         Step("GET", lambda: f"{generic}?q=电梯")),
        ("filing", "citizen", Step("POST", lambda: complaint_url, filing, then_get=True),
         Step("POST", lambda: "/bench/bare/file/", filing)),
        ("tracking", "citizen",
         Step("POST", lambda: tracking_url, tracking, then_get=True),
         Step("POST", lambda: "/bench/bare/track/", tracking)),
    ]  # fmt: skip


class Step:
    """One request (or a POST and the page its redirect leads to, as a browser follows)."""

    def __init__(self, method: str, url, data=None, then_get: bool = False) -> None:
        self.method, self.url, self.data, self.then_get = method, url, data, then_get

    def run_client(self, client) -> int:
        url = self.url()
        if self.method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, self.data())
            if self.then_get and response.status_code == 302:
                response = client.get(response["Location"])
        if response.status_code != 200:
            raise RuntimeError(f"{self.method} {url}: {response.status_code}")
        return int(response.get("X-Bench-Queries", 0))

    def run_http(self, opener, base: str, csrf: str) -> None:
        url = base + urllib.parse.quote(self.url(), safe="/?=&")  # 电梯 in a query string
        if self.method == "GET":
            opener.open(url, timeout=60).read()
            return
        data = {**self.data(), "csrfmiddlewaretoken": csrf}
        opener.open(url, urllib.parse.urlencode(data).encode(), timeout=60).read()


# Single client, in process ------------------------------------------------------------


def client_for(kind: str, plan: dict):
    from django.test import Client

    client = Client()
    if kind == "staff":
        client.force_login(plan["head"], backend="django.contrib.auth.backends.ModelBackend")
    return client


def single_client(args, plan: dict, table: list) -> None:
    profile_dir = Path(args.profile) if args.profile else None
    print(f"\nsingle client, in process: median CPU ms per request over {args.rounds} rounds")
    print(f"{'path':<14}{'ours ms':>9}{'q':>4}{'anchor ms':>11}{'q':>4}{'ratio':>7}  budget")
    for name, kind, ours, anchor in pairs(plan):
        clients = {"ours": client_for(kind, plan), "anchor": client_for(kind, plan)}
        steps = {"ours": ours, "anchor": anchor}
        cpu: dict[str, list[float]] = {"ours": [], "anchor": []}
        queries: dict[str, int] = {}
        for side in steps:  # warm-up: templates compiled, connections open, caches filled
            for _ in range(3):
                steps[side].run_client(clients[side])
        for _ in range(args.rounds):
            for side in steps:
                started = time.process_time()
                queries[side] = steps[side].run_client(clients[side])
                cpu[side].append((time.process_time() - started) * 1000)
        if profile_dir:
            _profile(profile_dir, name, steps, clients)
        ours_ms, anchor_ms = statistics.median(cpu["ours"]), statistics.median(cpu["anchor"])
        budget = STAFF_BUDGET if kind == "staff" else CITIZEN_BUDGET
        ratio = ours_ms / anchor_ms
        verdict = "met" if ratio <= budget else "MISSED"
        extra = queries["ours"] - queries["anchor"]
        if kind == "staff" and extra > QUERY_ALLOWANCE:
            verdict += f", {extra} queries over"
        print(
            f"{name:<14}{ours_ms:>9.1f}{queries['ours']:>4}{anchor_ms:>11.1f}"
            f"{queries['anchor']:>4}{ratio:>7.2f}  <= {budget} {verdict}",
            flush=True,
        )
        table.append((name, ours_ms, anchor_ms, ratio))


def _profile(directory: Path, name: str, steps: dict, clients: dict) -> None:
    from pyinstrument import Profiler

    directory.mkdir(parents=True, exist_ok=True)
    for side, step in steps.items():
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(20):
                step.run_client(clients[side])
        out = directory / f"{name.replace(' ', '_')}-{side}.txt"
        out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))


# Under load, over HTTP ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(port: int):
    log = open(ROOT / "var" / "side_by_side_gunicorn.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "portal.config.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", "2", "-k", "gthread", "--threads", "4", "--timeout", "120", "--chdir", str(ROOT)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/trivial/", timeout=5)
                break
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def opener_for(kind: str, plan: dict, base: str) -> tuple[object, str]:
    """A cookie-keeping opener signed in (staff) with a CSRF cookie, and the token."""
    from django.middleware.csrf import _get_new_csrf_string

    client = client_for(kind, plan)
    jar = CookieJar()
    csrf = _get_new_csrf_string()
    cookies = {"csrftoken": csrf}
    if kind == "staff":
        cookies["sessionid"] = client.cookies["sessionid"].value
    for key, value in cookies.items():
        jar.set_cookie(Cookie(0, key, value, None, False, "127.0.0.1", False, False, "/", True,
                              False, None, False, None, None, {}))  # fmt: skip

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        pass

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    return opener, csrf


def under_load(args, plan: dict, base: str) -> None:
    print(
        f"\nunder load: {args.concurrency} client threads per path, {args.duration} s each, "
        "gunicorn 2 workers x 4 threads"
    )
    print(
        f"{'path':<14}{'ours r/s':>10}{'p50 ms':>8}{'anchor r/s':>12}{'p50 ms':>8}{'p50 ratio':>11}"
    )
    for name, kind, ours, anchor in pairs(plan):
        results = {}
        for side, step in (("ours", ours), ("anchor", anchor)):
            results[side] = _hammer(args, step, kind, plan, base)
        (o_rate, o_p50, o_err), (a_rate, a_p50, a_err) = results["ours"], results["anchor"]
        errors = f"  errors {o_err}/{a_err}" if o_err or a_err else ""
        print(
            f"{name:<14}{o_rate:>10.1f}{o_p50:>8.0f}{a_rate:>12.1f}{a_p50:>8.0f}"
            f"{o_p50 / a_p50:>11.2f}{errors}",
            flush=True,
        )


def _hammer(args, step: "Step", kind: str, plan: dict, base: str) -> tuple[float, float, int]:
    openers = [opener_for(kind, plan, base) for _ in range(args.concurrency)]
    times: list[float] = []
    errors = 0
    stop = time.monotonic() + args.duration
    lock = threading.Lock()

    def work(opener, csrf):
        nonlocal errors
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                step.run_http(opener, base, csrf)
            except (urllib.error.URLError, OSError, UnicodeError) as exc:
                if not isinstance(exc, urllib.error.HTTPError):
                    with lock:
                        errors += 1
                    continue
                if exc.code != 302:
                    with lock:
                        errors += 1
                    continue
                if step.then_get:
                    opener.open(urllib.parse.urljoin(base, exc.headers["Location"])).read()
            with lock:
                times.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=work, args=pair) for pair in openers]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return len(times) / elapsed, statistics.median(times) if times else float("nan"), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--worked", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--duration", type=int, default=20, help="seconds per path under load")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded bench database")
    parser.add_argument("--profile", help="write pyinstrument reports into this directory")
    parser.add_argument("--no-load", action="store_true", help="single client only")
    parser.add_argument("--only", nargs="*", help="these paths only (e.g. 'case page')")
    args = parser.parse_args()
    admin, name = configure()
    plan = prepare(args, admin, name)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')} {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {plan['total']:,} complaints in {name}"
    )
    table: list = []
    if args.only:
        global pairs  # noqa: PLW0603 - a bench script's filter
        every = pairs
        pairs = lambda plan: [p for p in every(plan) if p[0] in args.only]  # noqa: E731
    single_client(args, plan, table)
    if not args.no_load:
        from django.db import connections

        connections.close_all()
        with gunicorn(free_port()) as base:
            under_load(args, plan, base)


if __name__ == "__main__":
    main()
