"""The load test's printed figures: one table of every request kind per scenario, the
budgets as ratios, the memory of gunicorn under sustained uploads; the exit code."""

import os
import platform
import statistics
import time


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


class Report:
    def __init__(self, args, plan: dict) -> None:
        self.args, self.plan = args, plan
        self.rows: list[tuple[str, dict]] = []
        self.cache_headers: list[str | None] = []
        self.rss: dict[str, float] = {}

    def add(self, scenario: str, rows: list[dict]) -> None:
        self.rows += [(scenario, row) for row in rows]

    def find(self, scenario: str, name: str) -> dict:
        for title, row in self.rows:
            if title.startswith(scenario) and row["Name"] == name:
                return row
        return {}

    def memory(self, samples: list[tuple[float, int]], after: int) -> None:
        during = [kib for _, kib in samples[1:]] or [samples[0][1]]
        third = max(1, len(during) // 3)
        self.rss = {
            "before": samples[0][1] / 1024,
            "peak": max(during) / 1024,
            "middle third": statistics.mean(during[third : 2 * third] or during) / 1024,
            "last third": statistics.mean(during[-third:]) / 1024,
            "after": after / 1024,
        }

    def print(self) -> int:
        a = self.args
        print(
            f"\n{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{time.strftime('%Y-%m-%d %H:%M')}; {a.cases:,} cases, {a.users:,} users; gunicorn "
            f"{a.workers} workers x {a.threads} threads (gthread); {a.concurrency} locust users, "
            f"{a.duration} s per scenario; search: {self.plan['search']}"
        )
        print(f"{'scenario':<34}{'request':<26}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}"
              f"{'count':>7}{'errors':>7}")  # fmt: skip
        for title, row in self.rows:
            print(
                f"{title:<34}{row['Name']:<26}{_num(row['Requests/s']):>8.1f}"
                f"{_num(row['50%']):>7.0f}{_num(row['95%']):>7.0f}{_num(row['99%']):>7.0f}"
                f"{row['Request Count']:>7}{row['Failure Count']:>7}"
            )
        print("(latencies in ms)\n\nbudgets:")
        return 0 if all(self.budgets()) else 1

    def budgets(self) -> list[bool]:
        rps = lambda s, n: _num(self.find(s, n).get("Requests/s"))  # noqa: E731
        p = lambda s, n, q="50%": _num(self.find(s, n).get(q))  # noqa: E731
        trivial = rps("trivial", "trivial view") or float("inf")
        head_list = ("staff: case list, head", "case list (head)")
        inspector_list = ("staff: case list, inspector", "case list (inspector)")
        cached = self.find("public page, cached", "home page, cached")
        hits_with_queries = int(_num(cached.get("Failure Count", "1")))
        hits_with_queries += sum(h != "0" for h in self.cache_headers)
        lines = [
            ("staff case list / trivial view, req/s", rps(*head_list) / trivial, ">=", 0.5),
            ("staff case page / trivial view, req/s",
             rps("staff: case page", "case page") / trivial, ">=", 0.5),
            ("cached / uncached public page, req/s", rps("public page, cached",
             "home page, cached") / (rps("public page, uncached", "home page, uncached")
             or float("inf")), ">=", 5),
            ("cache hits that ran a query", hits_with_queries, "==", 0),
            ("inspector's list / head's unfiltered list, p50 latency",
             p(*inspector_list) / (p(*head_list) or float("inf")), "<=", 1.5),
            ("  the same at p95 (information)",
             p(*inspector_list, "95%") / (p(*head_list, "95%") or float("inf")), "", None),
            ("complaint with a 10 MB photo / without, p50 latency",
             p("citizen: file with 10 MB photo", "file, 10 MB photo")
             / (p("citizen: file and track", "file, no photo") or float("inf")), "<=", 3),
            ("gunicorn RSS, last third / middle third of uploads - 1",
             self.rss["last third"] / self.rss["middle third"] - 1, "<", 0.10),
        ]  # fmt: skip
        results = []
        for label, value, op, limit in lines:
            ok = {">=": value >= (limit or 0), "<=": value <= (limit or 0),
                  "<": value < (limit or 0), "==": value == limit, "": True}[op]  # fmt: skip
            verdict = "" if not op else ("met" if ok else "MISSED")
            budget = f"{op} {limit}" if op else ""
            print(f"  {label:<58}{value:>8.2f}  {budget:<8}{verdict}")
            results.append(ok)
        print(
            "  gunicorn RSS (master + workers), MiB: "
            + ", ".join(f"{k} {v:.0f}" for k, v in self.rss.items())
            + f"\n  two cache hits checked directly, X-Bench-Queries: {self.cache_headers}"
        )
        return results
