"""Rule tables read once per process (foundation.table_memo): a second use asks nothing of the
database, and an edit (here, or in another process) is seen by the next use."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import calendar, sla
from cases.models import CalendarOverride, Category, SlaRule, Tier

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def rule_queries(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        value = call()
    return len(captured), value


def test_the_second_due_date_reads_no_rule_and_no_calendar():
    rule_queries(lambda: sla.due_dates(MONDAY, Tier.GENERAL, Category.FACILITIES))
    queries, due = rule_queries(lambda: sla.due_dates(MONDAY, Tier.GENERAL, Category.FACILITIES))
    assert queries == 0
    assert due.resolve_by > MONDAY


def test_a_new_rule_applies_to_the_next_case_and_its_removal_too():
    default = sla.due_dates(MONDAY, Tier.URGENT, Category.FACILITIES).resolve_by
    rule = SlaRule.objects.create(
        tier=Tier.URGENT,
        category=Category.FACILITIES,
        accept_within_hours=1,
        respond_within_hours=1,
        resolve_within_days=9,
    )
    longer = sla.due_dates(MONDAY, Tier.URGENT, Category.FACILITIES).resolve_by
    assert longer > default
    rule.delete()
    assert sla.due_dates(MONDAY, Tier.URGENT, Category.FACILITIES).resolve_by == default


def test_a_day_off_added_is_seen_at_once():
    tuesday = MONDAY.date() + dt.timedelta(days=1)
    assert calendar.is_workday(tuesday)
    CalendarOverride.objects.create(date=tuesday, is_workday=False, note="停水检修")
    assert not calendar.is_workday(tuesday)


def test_an_edit_in_another_process_is_seen_by_the_next_use():
    calendar.is_workday(MONDAY.date())  # remembered here
    # Another process saved a correction: its row is in the database, its bump in the cache.
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=MONDAY.date(), is_workday=False, note="另一个进程")]
    )
    assert calendar.is_workday(MONDAY.date())  # no signal here: still the remembered rows
    cache.set(calendar._overrides.key, 42, timeout=None)
    assert not calendar.is_workday(MONDAY.date())
