"""What the home page shows besides its own fields: the latest notices and enforcement results
and the month's headline figures, all public and de-identified."""

import datetime as dt

from django.core.cache import cache
from django.utils import timezone

from cases.metrics import figures, in_period
from cases.models import Complaint, EnforcementResult

LATEST = 5
FIGURES_CACHE_SECONDS = 600


def month_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[first instant of this month, first instant of the next) in the portal's time zone."""
    local = timezone.localtime(now)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following


def headline_figures(now: dt.datetime | None = None) -> dict:
    """Complaints submitted this month, the on-time rate and the satisfaction rate (None when
    there is nothing to divide by), computed by ``cases.metrics`` and kept for a few minutes:
    aggregates only, never a case."""
    now = now or timezone.now()
    start, end = month_bounds(now)
    key = f"portal:home:figures:{start:%Y-%m}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    month = figures(in_period(Complaint.objects.all(), start, end), now=now)
    result = {
        "month": start.date(),
        "submitted": month.submitted,
        "on_time_rate": month.on_time_rate,
        "satisfaction_rate": month.satisfaction_rate,
    }
    cache.set(key, result, FIGURES_CACHE_SECONDS)
    return result


def latest_notices(limit: int = LATEST) -> list:
    from portal.models import NoticePage

    return list(NoticePage.objects.live().public().order_by("-date", "-pk")[:limit])


def latest_enforcement_results(limit: int = LATEST) -> list[EnforcementResult]:
    """Only results already published (a future publication date is not shown yet)."""
    return list(
        EnforcementResult.objects.filter(published_at__lte=timezone.now(), removed_at__isnull=True)
        .select_related("company")
        .order_by("-published_at", "-pk")[:limit]
    )


def home_context() -> dict:
    from portal.models import (
        ComplaintPage,
        EnforcementIndexPage,
        NoticeIndexPage,
        SearchPage,
        TrackingPage,
    )

    return {
        "complaint_page": ComplaintPage.objects.live().first(),
        "tracking_page": TrackingPage.objects.live().first(),
        "search_page": SearchPage.objects.live().public().first(),
        "notice_index": NoticeIndexPage.objects.live().public().first(),
        "enforcement_index": EnforcementIndexPage.objects.live().public().first(),
        "notices": latest_notices(),
        "enforcement_results": latest_enforcement_results(),
        "figures": headline_figures(),
    }
