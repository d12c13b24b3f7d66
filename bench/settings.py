"""Settings of ``bench/side_by_side.py``: the load test's (``bench.load.settings``: DEBUG off,
rate limits and second factor out of the way, a query-count header) plus the anchors app
(Wagtail's generic views over the complaints, the bare intake and tracking views)."""

from bench.load.settings import *  # noqa: F403
from bench.load.settings import INSTALLED_APPS

INSTALLED_APPS = ["bench.generic", *INSTALLED_APPS]
ROOT_URLCONF = "bench.urls"

# The bench shares a Redis database with the test runs of its worktree: its own keys, so the
# bench database's page tree (Wagtail's site root paths) never answers a test.
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": "side-by-side-bench"}}  # noqa: F405
