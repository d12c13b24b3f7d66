"""What the public statistics page shows: the last twelve months of the whole city, counted
by ``search.statistics`` (the dashboard's definitions) and rated by ``cases.metrics``.

Only aggregates of the city, its districts, categories, channels (web, hotline, letter… never
which partner or member of staff) and the companies (legal persons whose records are public
anyway); no estate-level counts, since a small estate's single
complaint can point at a household.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import metrics
from cases.models import Complaint
from search.facets import labels_for
from search.statistics import StatisticsRequest, complaint_statistics

MONTHS = 12
TITLES = {
    "over_time": _("Complaints per month"),
    "category": _("By category"),
    "district": _("By district"),
    "company": _("Companies with the most complaints"),
    "satisfaction": _("Satisfaction answers"),
    "channel": _("How complaints reached us"),
}


def _period(today: dt.date) -> StatisticsRequest:
    zone = timezone.get_default_timezone()
    first = today.replace(day=1)
    for _month in range(MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return StatisticsRequest(
        start=dt.datetime.combine(first, dt.time(), tzinfo=zone),
        end=dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone),
        interval="month",
    )


def statistics_context(today: dt.date | None = None) -> dict:
    period = _period(today or timezone.localdate())
    stats = complaint_statistics(None, period)
    figures = metrics.figures(metrics.in_period(Complaint.objects.all(), period.start, period.end))
    charts = [
        {"name": "over_time", "title": TITLES["over_time"], "kind": "bar",
         "rows": [{"label": key[:7], "count": n} for key, n in stats.over_time]},
    ]  # fmt: skip
    for name in ("category", "district", "company", "satisfaction", "channel"):
        buckets = stats.breakdowns.get(name, [])
        labels = labels_for(name, [key for key, _n in buckets])
        rows = [{"label": labels.get(key, key), "count": n} for key, n in buckets]
        kind = "doughnut" if name in ("satisfaction", "channel") else "bar"
        charts.append({"name": name, "title": TITLES[name], "kind": kind, "rows": rows})
    return {
        "period": period,
        "total": stats.total,
        "figures": figures,
        "charts": charts,
        "chart_data": {
            c["name"]: {
                "kind": c["kind"],
                "title": str(c["title"]),
                "labels": [str(r["label"]) for r in c["rows"]],
                "counts": [r["count"] for r in c["rows"]],
            }
            for c in charts
        },
    }
