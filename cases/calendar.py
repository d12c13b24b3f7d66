"""Working time on the Chinese calendar, for the SLA clocks.

A day is a working day when the State Council's schedule says so: statutory holidays are off,
and the weekend days swapped in for them (调休上班) are worked. The schedule comes from the
maintained `holidays` library (`holidays.China`), which carries the official arrangements from
2001 to `LAST_OFFICIAL_YEAR`. For a year the library has no official schedule for yet we count
only Saturday and Sunday as days off rather than trust an estimate; an administrator fills the
gap, or corrects any date, with a `CalendarOverride`, which always wins.

Working hours are those of a government office: see `WORKING_PERIODS`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from holidays.countries.china import ChinaStaticHolidays

from cases.models import CalendarOverride
from foundation.table_memo import TableMemo

# All clock arithmetic happens in the regulator's local time.
TIMEZONE = ZoneInfo("Asia/Shanghai")

# The office day: 09:00–12:00, lunch break, 13:30–17:30 — 7 working hours.
WORKING_PERIODS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(9, 0), dt.time(12, 0)),
    (dt.time(13, 30), dt.time(17, 30)),
)
HOURS_PER_DAY = 7
# A deadline in working days falls at the close of business of the last day.
CLOSE_OF_BUSINESS = WORKING_PERIODS[-1][1]

# Years for which the library holds the official schedule (its substituted workdays).
FIRST_OFFICIAL_YEAR = 2001
LAST_OFFICIAL_YEAR = max(ChinaStaticHolidays.special_public_holidays)

# No SLA spans more than this: a guard against looping forever on a calendar of days off.
_MAX_DAYS_SCANNED = 3660

Overrides = dict[dt.date, bool]


@cache
def _official_calendar() -> holidays.HolidayBase:
    return holidays.China(years=range(FIRST_OFFICIAL_YEAR, LAST_OFFICIAL_YEAR + 1))


# Every correction: the table holds a handful of rows a year, read once per process until an
# administrator edits one.
_overrides = TableMemo(
    CalendarOverride, lambda: dict(CalendarOverride.objects.values_list("date", "is_workday"))
)


def load_overrides(since: dt.date) -> Overrides:
    """All corrections from `since` on."""
    return {day: worked for day, worked in _overrides.rows().items() if day >= since}


def _is_workday(day: dt.date, overrides: Overrides) -> bool:
    if day in overrides:
        return overrides[day]
    if FIRST_OFFICIAL_YEAR <= day.year <= LAST_OFFICIAL_YEAR:
        return _official_calendar().is_working_day(day)
    return day.weekday() < 5


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("A timezone-aware datetime is required for working-time arithmetic.")
    return moment.astimezone(TIMEZONE)


def _periods(day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (
            dt.datetime.combine(day, start, tzinfo=TIMEZONE),
            dt.datetime.combine(day, end, tzinfo=TIMEZONE),
        )
        for start, end in WORKING_PERIODS
    ]


def is_workday(day: dt.date) -> bool:
    """Whether `day` is worked: override first, then the official schedule, then weekdays."""
    return _is_workday(day, _overrides.rows())


def add_working_hours(
    start: dt.datetime, hours: float, *, overrides: Overrides | None = None
) -> dt.datetime:
    """The moment `hours` working hours after `start`.

    A start outside working hours (evening, lunch, day off) counts from the next working
    period, so a complaint filed at 20:00 with 2 hours is due at 11:00 the next working day.
    """
    if hours < 0:
        raise ValueError("The number of working hours cannot be negative.")
    cursor = _local(start)
    if overrides is None:
        overrides = load_overrides(cursor.date())
    remaining = dt.timedelta(hours=hours)
    day = cursor.date()
    for _ in range(_MAX_DAYS_SCANNED):
        if _is_workday(day, overrides):
            for period_start, period_end in _periods(day):
                if cursor >= period_end:
                    continue
                begin = max(cursor, period_start)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                cursor = period_end
        day += dt.timedelta(days=1)
    raise ValueError("No working time found within ten years; check the calendar overrides.")


def add_working_days(
    start: dt.datetime, days: int, *, overrides: Overrides | None = None
) -> dt.datetime:
    """Close of business on the `days`-th working day after the day of `start`.

    As for legal time limits (Civil Code art. 201, 203), the day the clock starts does not
    count, and the period ends when the office closes on its last day.
    """
    if days < 1:
        raise ValueError("A time limit in working days must be at least one day.")
    local = _local(start)
    if overrides is None:
        overrides = load_overrides(local.date())
    day = local.date()
    counted = 0
    for _ in range(_MAX_DAYS_SCANNED):
        day += dt.timedelta(days=1)
        if _is_workday(day, overrides):
            counted += 1
            if counted == days:
                return dt.datetime.combine(day, CLOSE_OF_BUSINESS, tzinfo=TIMEZONE)
    raise ValueError("No working day found within ten years; check the calendar overrides.")


def working_hours_between(
    start: dt.datetime, end: dt.datetime, *, overrides: Overrides | None = None
) -> float:
    """Working hours from `start` to `end` (negative when `end` comes first)."""
    begin, finish = _local(start), _local(end)
    if finish < begin:
        return -working_hours_between(end, start, overrides=overrides)
    if overrides is None:
        overrides = load_overrides(begin.date())
    total = dt.timedelta()
    day = begin.date()
    while day <= finish.date():
        if _is_workday(day, overrides):
            for period_start, period_end in _periods(day):
                overlap = min(period_end, finish) - max(period_start, begin)
                if overlap > dt.timedelta():
                    total += overlap
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600
