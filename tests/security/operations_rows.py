"""The operations URLs (issue 22): the liveness probe and the Prometheus metrics hold no
record of anyone; /metrics is gated by network, not by user (tests/portal/test_metrics.py)."""

ROWS: list = []
VIEWERS: dict = {}
NOT_OBJECT_SCOPED = {
    "healthz_live": "liveness probe: touches nothing, no data",
    "metrics": "counts only, answered to METRICS_ALLOWED_NETWORKS (tests/portal/test_metrics.py)",
}
NOT_YET_COVERED: dict[str, str] = {}


def build(world, district, estates) -> None:
    """Nothing to add to the world."""
