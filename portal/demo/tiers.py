"""Tier rules and a duty roster (值班表) of the demo city, for ``manage.py seed_demo``.

The tier rules are the documented defaults written as rows (so the administrator's screen has
something to edit); the demo official is on duty for every district for a month around today,
on a fictional duty phone. Idempotent: a second run finds the rows and writes nothing.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone

from cases.models import DutyAssignment, TierRule
from cases.tiers import DEFAULT_RULES

DUTY_PHONE = "13900000000"  # fictional: the demo's SMS backend only logs


def seed_tiers(official, districts, write: Callable[[str], object]) -> None:
    for tier, (alert_official, alert_company, pinned, sign_off) in DEFAULT_RULES.items():
        TierRule.objects.get_or_create(
            tier=tier,
            defaults={
                "alert_on_duty_official": alert_official,
                "alert_company": alert_company,
                "pinned": pinned,
                "needs_sign_off": sign_off,
            },
        )
    today = timezone.localdate()
    starts_on = today.replace(day=1)
    ends_on = starts_on + datetime.timedelta(days=40)
    for district in districts:
        DutyAssignment.objects.get_or_create(
            district=district,
            official=official,
            starts_on=starts_on,
            defaults={"ends_on": ends_on, "phone": DUTY_PHONE},
        )
    write(
        f"tiers: {len(DEFAULT_RULES)} tier rules, {official} on duty in {len(districts)} districts"
    )
