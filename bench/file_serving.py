"""Serving a stored file from the object store: streamed through Django after the permission
check, or a redirect to a short-lived signed URL that the browser fetches from the store.

Usage (the object store of ``scripts/services.sh start`` exported in the environment):

    .venv/bin/python bench/file_serving.py [--rounds 40]

For a 300 kB photo and a 5 MB PDF it times, per download (median and p95, in ms):
  - stream: ``foundation.files.serve`` (the views' way) read to the end by the client;
  - signed: issuing the signed URL (what the view would do instead) plus fetching it;
  - issue only: the app server's share of the signed way.
The permission check costs the same either way and is left out. See the README ("Files") for
what the figures decided.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.config.settings")
os.environ.setdefault("OBJECT_STORE_PREFIX", "bench-file-serving")


def timed(action, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> str:
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    return f"{statistics.median(times):8.1f} {p95:8.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    if not os.environ.get("OBJECT_STORE_URL"):
        sys.exit('OBJECT_STORE_URL unset: run eval "$(scripts/services.sh start)" first')
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db.models import FileField
    from django.db.models.fields.files import FieldFile

    from foundation.files import serve

    field = FileField(storage=default_storage)
    sizes = {"photo.jpg": 300_000, "report.pdf": 5_000_000}
    names = {
        label: default_storage.save(f"bench/{label}", ContentFile(os.urandom(size)))
        for label, size in sizes.items()
    }
    print(f"{'file':<12}{'way':<14}{'median':>8} {'p95 ms':>8}")
    try:
        for label, name in names.items():
            stored = FieldFile(None, field, name)

            def stream(stored=stored, size=sizes[label]):
                response = serve(stored)
                body = b"".join(response.streaming_content)
                response.close()
                assert len(body) == size

            def signed(name=name, size=sizes[label]):
                body = requests.get(default_storage.url(name), timeout=30).content
                assert len(body) == size

            for way, action in (
                ("stream", stream),
                ("signed", signed),
                ("issue only", lambda name=name: default_storage.url(name)),
            ):
                action()  # warm up the connection
                print(f"{label:<12}{way:<14}{summary(timed(action, args.rounds))}")
    finally:
        for name in names.values():
            default_storage.delete(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
