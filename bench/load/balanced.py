"""``bench/load_test.py --balancer``: the same deployment with one app server, then two, behind
nginx (tests/deployment/servers.py), each driven for a few seconds at the same concurrency on
an uncached page (the complaint form: a template and a query per request).

On one machine both servers share its cores, so the ratio says how much of the time one
server leaves idle (blocking on PostgreSQL, Redis and the network), not what a second machine
would add; on separate machines each server brings its own cores, and the limit moves to the
shared services (PostgreSQL first).
"""

import threading
import time

import requests

from tests.deployment.servers import Deployment


def hammer(url: str, seconds: float, concurrency: int) -> tuple[float, int]:
    """Requests per second answered 200 by ``url``, and the number of other answers."""
    done, failed = [0] * concurrency, [0] * concurrency
    stop = time.monotonic() + seconds

    def run(index: int) -> None:
        with requests.Session() as session:
            while time.monotonic() < stop:
                try:
                    ok = session.get(url, timeout=30).status_code == 200
                except requests.RequestException:
                    ok = False
                if ok:
                    done[index] += 1
                else:
                    failed[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started), sum(failed)


def compare(args, env: dict, path: str) -> int:
    rates = {}
    for servers in (1, 2):
        deployment = Deployment(
            workdir=args.workdir / f"servers-{servers}",
            env=env,
            servers=servers,
            workers=args.workers,
        ).start()
        try:
            hammer(deployment.balanced + path, 2, args.concurrency)  # warm up every worker
            rates[servers] = hammer(deployment.balanced + path, args.duration, args.concurrency)
        finally:
            deployment.stop()
    print(f"\nGET {path}, {args.concurrency} clients, {args.duration} s, through nginx")
    print(f"{'app servers':<14}{'requests/s':>12}{'errors':>8}")
    for servers, (rate, errors) in rates.items():
        print(f"{servers} x {args.workers} workers{rate:>12.1f}{errors:>8}")
    print(f"two servers / one server: {rates[2][0] / rates[1][0]:.2f}")
    return 0 if not any(errors for _, errors in rates.values()) else 1
