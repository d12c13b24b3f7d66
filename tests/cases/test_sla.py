"""SLA rules (specific beats catch-all beats default), due dates and the green/amber/red state."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse

from cases.models import CaseStatus, Category, SlaRule, Tier
from cases.sla import DEFAULT_RULES, DueDates, due_dates, rule_for, sla_state
from tests.factories import give_second_factor, make_complaint

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "tier, limits",
    [
        (Tier.URGENT, (2, 4, 3)),
        (Tier.SERIOUS, (4, 8, 7)),
        (Tier.GENERAL, (8, 16, 15)),
        (Tier.CONSULTATION, (8, 16, 5)),
    ],
)
def test_default_rules_apply_when_the_table_is_empty(tier, limits):
    rule = rule_for(tier, Category.FACILITIES)
    assert rule.pk is None
    assert (
        rule.accept_within_hours,
        rule.respond_within_hours,
        rule.resolve_within_days,
    ) == limits
    assert DEFAULT_RULES[tier] == limits


def test_category_rule_beats_the_tier_catch_all():
    catch_all = SlaRule.objects.create(
        tier=Tier.URGENT, category="", accept_within_hours=1, respond_within_hours=2,
        resolve_within_days=2,
    )  # fmt: skip
    lifts = SlaRule.objects.create(
        tier=Tier.URGENT, category=Category.FACILITIES, accept_within_hours=1,
        respond_within_hours=1, resolve_within_days=1,
    )  # fmt: skip
    assert rule_for(Tier.URGENT, Category.FACILITIES) == lifts
    assert rule_for(Tier.URGENT, Category.CLEANING) == catch_all
    assert rule_for(Tier.SERIOUS, Category.FACILITIES).pk is None  # other tier: default


def test_category_rule_alone_does_not_apply_to_other_categories():
    SlaRule.objects.create(
        tier=Tier.GENERAL, category=Category.FEES, accept_within_hours=1,
        respond_within_hours=1, resolve_within_days=1,
    )  # fmt: skip
    rule = rule_for(Tier.GENERAL, Category.GREENING)
    assert rule.pk is None and rule.resolve_within_days == 15


def test_one_rule_per_tier_and_category():
    SlaRule.objects.create(
        tier=Tier.URGENT, category="", accept_within_hours=1, respond_within_hours=2,
        resolve_within_days=2,
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        SlaRule.objects.create(
            tier=Tier.URGENT, category="", accept_within_hours=3, respond_within_hours=3,
            resolve_within_days=3,
        )  # fmt: skip


def test_unknown_tier_is_refused():
    with pytest.raises(ValueError, match="Unknown severity tier"):
        rule_for("apocalyptic", Category.OTHER)


def test_urgent_due_dates_on_an_ordinary_monday():
    due = due_dates(at(2026, 3, 9, 10), Tier.URGENT, Category.FACILITIES)
    assert due == DueDates(
        accept_by=at(2026, 3, 9, 12),
        respond_by=at(2026, 3, 9, 15, 30),
        resolve_by=at(2026, 3, 12, 17, 30),
    )


def test_general_due_dates_across_the_spring_festival():
    # Friday 13 Feb 15:00: 2.5 h that day, Saturday 14 Feb worked, then 15–23 Feb off.
    due = due_dates(at(2026, 2, 13, 15), Tier.GENERAL, Category.CLEANING)
    assert due.accept_by == at(2026, 2, 14, 16)  # 2.5 + 3 (morning) + 2.5 after lunch
    assert due.respond_by == at(2026, 2, 24, 17)
    # 14 Feb, 24–27 Feb, Saturday 28 Feb, 2–6 Mar, 9–12 Mar: the 15th is Thursday 12 Mar.
    assert due.resolve_by == at(2026, 3, 12, 17, 30)


def test_due_dates_use_the_administrators_rule(django_assert_max_num_queries):
    SlaRule.objects.create(
        tier=Tier.URGENT, category=Category.FACILITIES, accept_within_hours=1,
        respond_within_hours=3, resolve_within_days=1,
    )  # fmt: skip
    with django_assert_max_num_queries(2):  # the rule, the overrides
        due = due_dates(at(2026, 3, 9, 10), Tier.URGENT, Category.FACILITIES)
    assert due == DueDates(at(2026, 3, 9, 11), at(2026, 3, 9, 14, 30), at(2026, 3, 10, 17, 30))


@pytest.fixture
def general_case():
    """A general case filed Monday 9 Mar 2026 10:00, due Monday 30 Mar 17:30.

    Its time to resolve is 111 working hours (6 on the first day + 15 days of 7), so it turns
    amber with less than 27.75 working hours left.
    """
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        complaint = make_complaint(category=Category.CLEANING).complaint
    complaint.tier = Tier.GENERAL
    complaint.resolve_due_at = due_dates(complaint.created_at, Tier.GENERAL, Category.CLEANING)[2]
    complaint.save()
    assert complaint.resolve_due_at == at(2026, 3, 30, 17, 30)
    return complaint


def test_case_is_green_with_plenty_of_time(general_case):
    assert sla_state(general_case, now=at(2026, 3, 20, 10)) == "green"


def test_case_is_green_with_just_over_a_quarter_left(general_case):
    # Wednesday 25 Mar 09:00: 28 working hours left.
    assert sla_state(general_case, now=at(2026, 3, 25, 9)) == "green"


def test_case_turns_amber_under_a_quarter_left(general_case):
    # Thursday 26 Mar 09:00: 21 working hours left.
    assert sla_state(general_case, now=at(2026, 3, 26, 9)) == "amber"


def test_case_turns_red_once_past_the_resolve_date(general_case):
    assert sla_state(general_case, now=at(2026, 3, 30, 17, 30)) == "amber"
    assert sla_state(general_case, now=at(2026, 3, 30, 17, 31)) == "red"


def test_sla_state_reads_the_clock_when_now_is_not_given(general_case):
    with time_machine.travel(at(2026, 4, 1, 9), tick=False):
        assert sla_state(general_case) == "red"
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        assert sla_state(general_case) == "green"


def test_resolved_case_is_not_red_after_the_due_date(general_case):
    general_case.status = CaseStatus.RESOLVED
    assert sla_state(general_case, now=at(2026, 4, 1, 9)) == "green"


def test_case_without_due_date_is_green(general_case):
    general_case.resolve_due_at = None
    assert sla_state(general_case, now=at(2026, 4, 1, 9)) == "green"


def test_superuser_edits_sla_rules_in_the_admin(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(give_second_factor(root))
    response = client.post(
        reverse("sla_rules:add"),
        {
            "tier": Tier.URGENT,
            "category": Category.FACILITIES,
            "accept_within_hours": 1,
            "respond_within_hours": 2,
            "resolve_within_days": 2,
        },
    )
    assert response.status_code == 302
    assert rule_for(Tier.URGENT, Category.FACILITIES).resolve_within_days == 2
    assert client.get(reverse("calendar_overrides:index")).status_code == 200


def test_staff_without_the_model_permission_cannot_edit_sla_rules(client, inspector):
    client.force_login(inspector)
    response = client.post(
        reverse("sla_rules:add"),
        {
            "tier": Tier.URGENT,
            "category": "",
            "accept_within_hours": 1,
            "respond_within_hours": 1,
            "resolve_within_days": 1,
        },
    )
    assert response.status_code in (302, 403)
    assert not SlaRule.objects.exists()
