"""The officials' breakdowns: Elasticsearch and the database give the same numbers for the
same complaints, period, scope and interval; and the numbers are the right ones."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Complaint
from search import indexing
from search.statistics import StatisticsRequest, complaint_statistics

pytestmark = pytest.mark.django_db
ZONE = timezone.get_default_timezone()
NOW = dt.datetime(2026, 11, 20, 12, tzinfo=ZONE)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=ZONE)


# (estate, status, category, tier, submitted, resolve by, satisfaction)
ROWS = [
    ("x", "submitted", "facilities", "urgent", "2026-10-05", "2026-11-01", ""),
    ("x", "in_progress", "facilities", "serious", "2026-11-03", "2026-11-30", ""),
    ("x", "closed", "cleaning", "general", "2026-11-03", "2026-11-10", "satisfied"),
    ("x", "followed_up", "greening", "general", "2026-11-16", "2026-11-25", "unsatisfied"),
    ("y", "assigned", "facilities", "urgent", "2026-11-12", "2026-11-13", ""),
    ("y", "merged", "facilities", "urgent", "2026-11-12", None, ""),
    ("y", "rejected", "fees", "general", "2026-09-30", None, ""),  # before the period
    # 23:30 on 31 October in Shanghai is still October there (15:30 UTC).
    ("y", "closed", "fees", "general", "2026-10-31", None, "basically"),
]


@pytest.fixture
def known(estate_x, estate_y, search_index):
    estates = {"x": estate_x, "y": estate_y}
    made = []
    for n, (place, status, category, tier, day, due, satisfaction) in enumerate(ROWS):
        estate = estates[place]
        complaint = Complaint.objects.create(
            tracking_number=f"WY20261120STAT{n:02d}",
            access_code_digest="x" * 64,
            status=status, category=category, tier=tier, satisfaction=satisfaction,
            estate=estate, estate_name=estate.name, district_id=estate.district_id,
            company_id=estate.managing_company_id, description="统计用投诉",
            contact_phone="13800000000",
        )  # fmt: skip
        hour = 23 if day == "2026-10-31" else 10
        Complaint.objects.filter(pk=complaint.pk).update(
            created_at=at(day, hour) + (dt.timedelta(minutes=30) if hour == 23 else dt.timedelta()),
            resolve_due_at=at(due, 17) if due else None,
        )
        made.append(complaint)
    indexing.index_complaints([c.pk for c in made])
    indexing.refresh()
    return made


def both(settings, user, request):
    on_index = complaint_statistics(user, request, now=NOW)
    url, settings.ELASTICSEARCH_URL = settings.ELASTICSEARCH_URL, ""
    try:
        on_database = complaint_statistics(user, request, now=NOW)
    finally:
        settings.ELASTICSEARCH_URL = url
    assert (on_index.backend, on_database.backend) == ("elasticsearch", "database")
    return on_index, on_database


def as_compared(stats) -> dict:
    return {
        "total": stats.total,
        "over_time": stats.over_time,
        "breakdowns": {name: dict(values) for name, values in stats.breakdowns.items()},
        "overdue_now": stats.overdue_now,
        "repeat": dict(stats.repeat_estates),
    }


PERIOD = StatisticsRequest(start=at("2026-10-01", 0), end=at("2026-12-01", 0))


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_both_engines_agree(admin, inspector, other_district_inspector, known, settings, interval):
    request = StatisticsRequest(start=PERIOD.start, end=PERIOD.end, interval=interval)
    for user in (admin, inspector, other_district_inspector):
        on_index, on_database = both(settings, user, request)
        assert as_compared(on_index) == as_compared(on_database), (user.username, interval)


def test_the_numbers_are_the_right_ones(admin, known, estate_x, settings):
    stats, _ = both(settings, admin, PERIOD)
    assert stats.total == 6  # the merged duplicate and the September complaint left out
    assert stats.over_time == [("2026-10-01", 2), ("2026-11-01", 4)]
    assert dict(stats.breakdowns["category"]) == {
        "facilities": 3,
        "cleaning": 1,
        "greening": 1,
        "fees": 1,
    }
    assert dict(stats.breakdowns["satisfaction"]) == {
        "satisfied": 1,
        "unsatisfied": 1,
        "basically": 1,
    }
    # Open and past due on 20 November: the October submission (due 1 Nov), the assigned
    # one (due 13 Nov); the in-progress one is due on the 30th.
    assert stats.overdue_now == 2
    assert dict(stats.repeat_estates) == {str(estate_x.pk): 4, str(known[4].estate_id): 2}


def test_a_district_and_a_scope_narrow_the_counts(inspector, known, estate_x, estate_y, settings):
    request = StatisticsRequest(
        start=PERIOD.start, end=PERIOD.end, district_id=estate_y.district_id
    )
    stats, _ = both(settings, inspector, request)  # the inspector sees district 1 only
    assert stats.total == 0
    mine, _ = both(settings, inspector, PERIOD)
    assert mine.total == 4 and set(dict(mine.breakdowns["district"])) == {str(estate_x.district_id)}


def test_nothing_for_roles_without_a_scope(evaluator, known):
    assert complaint_statistics(evaluator, PERIOD).total == 0


def test_the_database_answers_when_the_index_is_missing(admin, known, settings):
    """A fresh deployment before its first reindex, or an alias lost: the statistics page and
    the monthly report count from the database instead of failing."""
    on_index = complaint_statistics(admin, PERIOD, now=NOW)
    settings.ELASTICSEARCH_INDEX_PREFIX = "statistics-never-built"
    fallback = complaint_statistics(admin, PERIOD, now=NOW)
    assert (on_index.backend, fallback.backend) == ("elasticsearch", "database")
    assert as_compared(fallback) == as_compared(on_index)
