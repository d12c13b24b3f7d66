"""Public pages: database queries and time per view, rendered (cold) and from the cache (warm).

Usage, on the demo's data (or any database the settings point at):

    .venv/bin/python manage.py seed_demo          # once
    .venv/bin/python bench/public_pages.py --views 50

For one page of every public type (the first live one; the company directory also shows its
first company, the enforcement page a district filter), it clears the cache, renders the page
once counting its queries, then serves it ``--views`` times more, and prints per page: the
queries of the cold view, the queries of a warm view, the median times and their ratio
(budget: a cached public page at least 5x the uncached one, with no query on a hit).
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.config.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from enterprises.models import Company  # noqa: E402
from portal import models as pages  # noqa: E402

PAGE_TYPES = [
    ("home", pages.HomePage, ""),
    ("complaint form", pages.ComplaintPage, ""),
    ("tracking look-up", pages.TrackingPage, ""),
    ("notice index", pages.NoticeIndexPage, ""),
    ("notice", pages.NoticePage, ""),
    ("standard index", pages.StandardIndexPage, ""),
    ("standard", pages.StandardPage, ""),
    ("enforcement results", pages.EnforcementIndexPage, ""),
    ("company directory", pages.CompanyDirectoryPage, ""),
    ("company", pages.CompanyDirectoryPage, "{company}/"),
    ("site search", pages.SearchPage, "?q=电梯"),
]


def urls() -> list[tuple[str, str]]:
    company = Company.objects.order_by("pk").first()
    found = []
    for name, model, suffix in PAGE_TYPES:
        page = model.objects.live().order_by("path").first()
        if page is None:
            print(f"  (no live {name} page: run seed_demo first)")
            continue
        found.append((name, page.url + suffix.format(company=company.pk if company else 0)))
    return found


class QueryCounter:
    """Counts the statements run on the connection (Django's query log is reset by every
    request, so it cannot be relied on across the client's requests)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def counted_get(client: Client, url: str):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = client.get(url)
    return response, counter.count


def measure(url: str, views: int) -> dict:
    client = Client()
    cache.clear()
    started = time.perf_counter()
    response, cold_queries = counted_get(client, url)
    cold = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    _, warm_queries = counted_get(client, url)
    warm_times, cold_times = [], [cold]
    for _ in range(views):
        started = time.perf_counter()
        client.get(url)
        warm_times.append(time.perf_counter() - started)
    for _ in range(max(views // 10, 3)):  # the uncached time, from more than one sample
        cache.clear()
        started = time.perf_counter()
        client.get(url)
        cold_times.append(time.perf_counter() - started)
    return {
        "cold_queries": cold_queries,
        "warm_queries": warm_queries,
        "cold_ms": statistics.median(cold_times) * 1000,
        "warm_ms": statistics.median(warm_times) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=50, help="warm views per page")
    options = parser.parse_args()
    setup_test_environment()  # the test client's host and response plumbing
    print(f"{platform.node()} · {os.cpu_count()} cores · {connection.vendor} · {time.ctime()}")
    header = f"{'page':<22}{'queries cold':>14}{'queries warm':>14}"
    print(header + f"{'ms cold':>10}{'ms warm':>10}{'speed-up':>10}")
    for name, url in urls():
        m = measure(url, options.views)
        ratio = m["cold_ms"] / m["warm_ms"] if m["warm_ms"] else float("inf")
        print(
            f"{name:<22}{m['cold_queries']:>14}{m['warm_queries']:>14}"
            f"{m['cold_ms']:>10.1f}{m['warm_ms']:>10.1f}{ratio:>9.1f}x"
        )


if __name__ == "__main__":
    main()
