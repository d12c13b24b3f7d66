"""Tiers that route (分级处理): the rule of a tier, who is on duty, pinning and urgent alerts.

An administrator edits one `TierRule` per tier; with no row, `DEFAULT_RULES` applies:
  urgent        alert the on-duty official and the company by SMS at once; pinned to the top
  serious       resolved only after an official's sign-off (``cases.sign_off``)
  general, consultation   nothing beyond their time limits

Urgent alerts are queued through ``foundation.notifications`` inside the caller's
transaction, so they go out after commit (none on a rollback), and their dedup key names the
case and the recipient: one per recipient and case, however often the case is made urgent.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.expressions import Expression
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Complaint, DutyAssignment, Tier, TierRule
from foundation.notifications import notify
from foundation.roles import Role
from foundation.table_memo import TableMemo

# (alert official, alert company, pinned, needs sign-off)
DEFAULT_RULES: dict[str, tuple[bool, bool, bool, bool]] = {
    Tier.URGENT: (True, True, True, False),
    Tier.SERIOUS: (False, False, False, True),
    Tier.GENERAL: (False, False, False, False),
    Tier.CONSULTATION: (False, False, False, False),
}


# One row per tier at most, read once per process until an administrator edits one.
_rules = TableMemo(TierRule, lambda: {r.tier: r for r in TierRule.objects.all()})


def rule_for(tier: str) -> TierRule:
    """The tier's rule: its row, else the default (an unsaved `TierRule`, ``pk`` None)."""
    rule = _rules.rows().get(tier)
    if rule is not None:
        return rule
    try:
        official, company, pinned, sign_off = DEFAULT_RULES[tier]
    except KeyError:
        raise ValueError(f"Unknown severity tier {tier!r}.") from None
    return TierRule(
        tier=tier,
        alert_on_duty_official=official,
        alert_company=company,
        pinned=pinned,
        needs_sign_off=sign_off,
    )


def needs_sign_off(tier: str) -> bool:
    return rule_for(tier).needs_sign_off


def pinned(path: str = "") -> Expression:
    """True for a case whose tier is pinned: the tiers' rules are in memory, so the database
    compares the tier with a list (no subquery per row). Order a list by ``pinned().desc()``
    first; ``path`` leads from another model to the case (``"complaint__"`` for a dispatch)."""
    pinned_tiers = [tier for tier in Tier.values if rule_for(tier).pinned]
    return Case(
        When(Q(**{f"{path}tier__in": pinned_tiers}), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def pinned_first(queryset, *ordering):
    """``queryset`` with pinned cases first, then in ``ordering``."""
    return queryset.order_by(pinned().desc(), *ordering)


def on_duty(district_id: int | None, day: dt.date | None = None) -> list[DutyAssignment]:
    """The district's duty assignments covering ``day`` (today), active officials only."""
    if district_id is None:
        return []
    day = day or timezone.localdate()
    return list(
        DutyAssignment.objects.filter(
            district_id=district_id,
            starts_on__lte=day,
            ends_on__gte=day,
            official__is_active=True,
        )
        .select_related("official")
        .order_by("pk")
    )


def _district_officials(district_id: int | None) -> list:
    """With nobody on duty: every official of the district, else the city-wide ones (as
    ``workflow.district_officials`` decides)."""
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.OFFICIAL)
    local = users.filter(staff_profile__district_id=district_id) if district_id else users.none()
    return list(local.order_by("pk")) or list(
        users.filter(staff_profile__city_wide=True).order_by("pk")
    )


def alert_if_urgent(complaint: Complaint) -> int:
    """Text the on-duty official(s) and the responsible company about ``complaint`` when its
    tier's rule says so; call it inside the transaction that made the case urgent (intake,
    acceptance, re-triage). Returns how many messages were queued now (0 when already sent)."""
    rule = rule_for(complaint.tier)
    if not (rule.alert_on_duty_official or rule.alert_company):
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _alert_texts(complaint)
    key = f"complaint:{complaint.pk}:urgent"
    queued = 0
    if rule.alert_on_duty_official:
        duty = on_duty(complaint.district_id)
        for assignment in duty:
            person = assignment.official
            queued += notify(
                dedup_key=f"{key}:user:{person.pk}",
                subject=subject,
                body=body,
                email=person.email,
                phone=assignment.phone,
            )
        if not duty:
            for person in _district_officials(complaint.district_id):
                queued += notify(
                    dedup_key=f"{key}:user:{person.pk}",
                    subject=subject,
                    body=body,
                    email=person.email,
                )
    company = complaint.dispatched_company or complaint.company
    if rule.alert_company and company is not None:
        queued += notify(
            dedup_key=f"{key}:company:{company.pk}",
            subject=subject,
            body=body,
            email=company.contact_email,
            phone=company.contact_phone,
        )
    return queued


def _alert_texts(complaint: Complaint) -> tuple[str, str]:
    # Staff and company messages carry no personal data: number, category and estate only.
    values = {
        "number": complaint.tracking_number,
        "tier": complaint.get_tier_display(),
        "category": complaint.get_category_display(),
        "estate": complaint.estate_name or "—",
    }
    subject = _("%(tier)s case %(number)s: act at once") % values
    body = (
        _(
            "%(tier)s case %(number)s (%(category)s, %(estate)s) has come in and must be "
            "handled at once."
        )
        % values
    )
    return subject, body
