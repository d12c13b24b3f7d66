"""Working time on the Chinese calendar, checked against the official 2026 schedule.

2026 as the State Council published it (and the `holidays` library carries it):
- New Year: 1–3 Jan off, Sunday 4 Jan worked.
- Spring Festival: 15–23 Feb off, Saturdays 14 Feb and 28 Feb worked.
- National Day and Mid-Autumn: 1–7 Oct off, Sunday 20 Sep and Saturday 10 Oct worked.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cases import calendar
from cases.calendar import add_working_days, add_working_hours, is_workday, working_hours_between
from cases.models import CalendarOverride

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "day, worked",
    [
        (dt.date(2026, 3, 9), True),  # an ordinary Monday
        (dt.date(2026, 3, 7), False),  # an ordinary Saturday
        (dt.date(2026, 1, 2), False),  # New Year, a Friday
        (dt.date(2026, 1, 4), True),  # Sunday worked for New Year
        (dt.date(2026, 2, 18), False),  # Spring Festival, a Wednesday
        (dt.date(2026, 2, 23), False),  # Spring Festival's last day, a Monday
        (dt.date(2026, 2, 14), True),  # Saturday worked for Spring Festival
        (dt.date(2026, 2, 28), True),  # Saturday worked for Spring Festival
        (dt.date(2026, 10, 7), False),  # National Day week, a Wednesday
        (dt.date(2026, 9, 20), True),  # Sunday worked for National Day
        (dt.date(2026, 10, 10), True),  # Saturday worked for National Day
    ],
)
def test_is_workday_follows_the_official_2026_schedule(day, worked):
    assert is_workday(day) is worked


def test_the_library_covers_2026():
    assert calendar.LAST_OFFICIAL_YEAR >= 2026


def test_beyond_the_covered_years_only_weekends_are_days_off():
    year = calendar.LAST_OFFICIAL_YEAR + 1
    first_friday_of_october = next(
        dt.date(year, 10, d) for d in range(1, 8) if dt.date(year, 10, d).weekday() == 4
    )
    assert is_workday(dt.date(year, 10, 1)) is (dt.date(year, 10, 1).weekday() < 5)
    assert is_workday(first_friday_of_october) is True
    assert is_workday(first_friday_of_october + dt.timedelta(days=1)) is False


def test_hours_within_one_period_stay_on_the_same_morning():
    assert add_working_hours(at(2026, 3, 9, 9, 30), 2) == at(2026, 3, 9, 11, 30)


def test_lunch_break_is_skipped():
    assert add_working_hours(at(2026, 3, 9, 11), 2) == at(2026, 3, 9, 14, 30)


def test_start_during_lunch_begins_at_1330():
    assert add_working_hours(at(2026, 3, 9, 12, 15), 1) == at(2026, 3, 9, 14, 30)


def test_deadline_may_fall_exactly_at_noon():
    assert add_working_hours(at(2026, 3, 9, 9), 3) == at(2026, 3, 9, 12)


def test_start_after_1730_rolls_to_next_workday_0900():
    assert add_working_hours(at(2026, 3, 9, 18), 1) == at(2026, 3, 10, 10)
    assert add_working_hours(at(2026, 3, 9, 17, 45), 0) == at(2026, 3, 10, 9)


def test_hours_across_a_weekend():
    # Friday 16:30 + 2 h: one hour on Friday, one on Monday.
    assert add_working_hours(at(2026, 3, 6, 16, 30), 2) == at(2026, 3, 9, 10)


def test_hours_land_on_an_adjusted_saturday():
    # Friday 13 Feb 17:00 + 1 h: half an hour on Friday, the rest on Saturday 14 Feb (worked).
    assert add_working_hours(at(2026, 2, 13, 17), 1) == at(2026, 2, 14, 9, 30)


def test_hours_across_the_spring_festival_break():
    # Saturday 14 Feb (worked) 17:00 + 1 h: the clock resumes on Tuesday 24 Feb.
    assert add_working_hours(at(2026, 2, 14, 17), 1) == at(2026, 2, 24, 9, 30)


def test_a_full_day_is_seven_hours():
    assert add_working_hours(at(2026, 3, 9, 9), 7) == at(2026, 3, 9, 17, 30)
    assert add_working_hours(at(2026, 3, 9, 9), 7.5) == at(2026, 3, 10, 9, 30)


def test_utc_input_is_read_in_shanghai_time():
    start = dt.datetime(2026, 3, 9, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    due = add_working_hours(start, 1)
    assert due == at(2026, 3, 9, 10)
    assert due.utcoffset() == dt.timedelta(hours=8)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_hours(dt.datetime(2026, 3, 9, 9), 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(dt.datetime(2026, 3, 9, 9), 1)


def test_negative_hours_and_zero_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_hours(at(2026, 3, 9, 9), -1)
    with pytest.raises(ValueError, match="at least one day"):
        add_working_days(at(2026, 3, 9, 9), 0)


def test_days_count_from_the_next_day_and_end_at_close_of_business():
    # Thursday 5 Mar + 3 working days: Fri 6, Mon 9, Tue 10.
    assert add_working_days(at(2026, 3, 5, 10), 3) == at(2026, 3, 10, 17, 30)


def test_days_across_the_national_day_week_count_the_adjusted_saturday():
    # Wednesday 30 Sep + 3: Thu 8 Oct, Fri 9 Oct, Saturday 10 Oct (worked).
    assert add_working_days(at(2026, 9, 30, 10), 3) == at(2026, 10, 10, 17, 30)


def test_days_from_a_holiday_start_on_the_next_workday():
    # Filed on New Year's Day: Sunday 4 Jan is the first working day.
    assert add_working_days(at(2026, 1, 1, 20), 1) == at(2026, 1, 4, 17, 30)


def test_override_turns_a_workday_into_a_holiday():
    CalendarOverride.objects.create(date=dt.date(2026, 3, 10), is_workday=False, note="typhoon")
    assert is_workday(dt.date(2026, 3, 10)) is False
    assert add_working_hours(at(2026, 3, 9, 17), 1) == at(2026, 3, 11, 9, 30)
    assert add_working_days(at(2026, 3, 9, 10), 1) == at(2026, 3, 11, 17, 30)


def test_override_turns_a_weekend_into_a_workday():
    CalendarOverride.objects.create(date=dt.date(2026, 3, 7), is_workday=True)
    assert is_workday(dt.date(2026, 3, 7)) is True
    assert add_working_hours(at(2026, 3, 6, 17), 1) == at(2026, 3, 7, 9, 30)


def test_override_wins_over_the_library():
    CalendarOverride.objects.create(date=dt.date(2026, 2, 14), is_workday=False)
    CalendarOverride.objects.create(date=dt.date(2026, 2, 18), is_workday=True)
    assert is_workday(dt.date(2026, 2, 14)) is False
    assert is_workday(dt.date(2026, 2, 18)) is True
    assert add_working_hours(at(2026, 2, 13, 17), 1) == at(2026, 2, 18, 9, 30)


def test_overrides_are_read_once_per_call(django_assert_num_queries):
    for day in (10, 11, 12):
        CalendarOverride.objects.create(date=dt.date(2026, 3, day), is_workday=False)
    with django_assert_num_queries(1):
        due = add_working_days(at(2026, 3, 9, 10), 5)
    assert due == at(2026, 3, 19, 17, 30)  # 10–12 Mar off: Fri 13, Mon 16 … Thu 19


def test_working_hours_between_skips_nights_lunch_and_holidays():
    assert working_hours_between(at(2026, 3, 9, 9), at(2026, 3, 10, 9)) == 7
    assert working_hours_between(at(2026, 3, 9, 11), at(2026, 3, 9, 14)) == 1.5
    assert working_hours_between(at(2026, 2, 14, 17), at(2026, 2, 24, 9, 30)) == 1
    assert working_hours_between(at(2026, 3, 10, 9), at(2026, 3, 9, 9)) == -7
