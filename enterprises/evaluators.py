"""Third-party evaluation organisations (第三方评价机构) and their staff's engagements.

An organisation is registered with its qualification and the period it holds it; its staff
(evaluators, invited from the People screens with the organisation) are engaged on an estate
for a period inside that qualification. An engagement is what grants ``evaluate_estate``
(through ``enterprises.access``): at once when its period has begun, otherwise by the sweep
on its first day; ending it (early, at the period's end, or when the organisation's
qualification runs out) withdraws the grant unless another current engagement of the same
evaluator on the same estate still holds it.

Every function takes the acting user, refuses what ``enterprises.permissions`` does not allow
(``NotAllowed``) or what the data forbids (``EvaluatorRefused`` naming the form field),
changes everything or nothing in one transaction, and writes one audit event.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from enterprises import access, people, permissions
from enterprises.credit_codes import canonical, validate_credit_code
from enterprises.models import Estate, EvaluationOrganisation, EvaluatorEngagement, StaffProfile
from foundation import audit
from foundation.roles import Role, has_role

REGISTERED = "enterprises.evaluator_organisation.registered"
CHANGED = "enterprises.evaluator_organisation.changed"
ENGAGED = "enterprises.evaluator.engaged"
ENGAGEMENT_ENDED = "enterprises.evaluator.engagement_ended"

# The organisation's fields a registrar fills in (``register_organisation``'s keywords).
ORGANISATION_FIELDS = (
    "name",
    "credit_code",
    "qualification",
    "qualification_number",
    "qualified_from",
    "qualified_until",
    "contact_name",
    "contact_phone",
)


class EvaluatorRefused(people.PersonRefused):
    """The request cannot be done as asked; ``field`` names the form field at fault."""


class NotAllowed(EvaluatorRefused, people.NotAllowed):
    """The actor may not do this (no register keeper, an estate outside their district)."""


def _audit(actor, action: str, label, **data) -> None:
    audit.record_event(actor=actor, action=action, label=label, filters=data)


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# Organisations ----------------------------------------------------------------------------


def _check_keeper(actor) -> None:
    if not permissions.keeps_register(actor):
        raise NotAllowed(_("Only administrators and officials keep evaluation organisations."))


def _check_organisation(values: dict, *, pk: int | None) -> None:
    for name in ("name", "credit_code", "qualification", "qualification_number"):
        if not values[name]:
            raise EvaluatorRefused(_("Fill in this field."), name)
    try:
        validate_credit_code(values["credit_code"])
    except ValidationError as error:
        raise EvaluatorRefused(error.messages[0], "credit_code") from None
    for name in ("qualified_from", "qualified_until"):
        if not isinstance(values[name], datetime.date):
            raise EvaluatorRefused(_("Enter a date such as 2026-12-31."), name)
    if values["qualified_until"] <= values["qualified_from"]:
        raise EvaluatorRefused(_("The qualification must end after it starts."), "qualified_until")
    others = EvaluationOrganisation.objects.exclude(pk=pk)
    if others.filter(credit_code=values["credit_code"]).exists():
        raise EvaluatorRefused(
            _("An evaluation organisation with this unified social credit code is registered."),
            "credit_code",
        )


def _save(organisation: EvaluationOrganisation) -> None:
    try:
        with transaction.atomic():  # a savepoint: a parallel registration took the code
            organisation.save()
    except IntegrityError:
        raise EvaluatorRefused(
            _("An evaluation organisation with this unified social credit code is registered."),
            "credit_code",
        ) from None


@transaction.atomic
def register_organisation(*, actor, **values) -> EvaluationOrganisation:
    """Register an evaluation organisation (``ORGANISATION_FIELDS``)."""
    _check_keeper(actor)
    values = {name: values.get(name) or "" for name in ORGANISATION_FIELDS}
    values["credit_code"] = canonical(values["credit_code"])
    _check_organisation(values, pk=None)
    organisation = EvaluationOrganisation(**values, created_by=actor)
    _save(organisation)
    _audit(actor, REGISTERED, organisation.name, organisation=organisation.pk, **_json(values))
    return organisation


@transaction.atomic
def change_organisation(organisation, *, actor, **values) -> EvaluationOrganisation:
    """Correct an organisation's record or renew its qualification. A shortened
    qualification must still cover its open engagements (end them first)."""
    _check_keeper(actor)
    organisation = EvaluationOrganisation.objects.select_for_update().get(pk=organisation.pk)
    before = {name: getattr(organisation, name) for name in ORGANISATION_FIELDS}
    after = {**before, **{k: v for k, v in values.items() if k in ORGANISATION_FIELDS}}
    after["credit_code"] = canonical(after["credit_code"])
    _check_organisation(after, pk=organisation.pk)
    open_engagements = organisation.engagements.filter(ended_at=None)
    if open_engagements.filter(starts_on__lt=after["qualified_from"]).exists():
        raise EvaluatorRefused(
            _("Engagements of this organisation start before this date: end them first."),
            "qualified_from",
        )
    if open_engagements.filter(ends_on__gt=after["qualified_until"]).exists():
        raise EvaluatorRefused(
            _("Engagements of this organisation run past this date: end them first."),
            "qualified_until",
        )
    changed = {name: value for name, value in after.items() if before[name] != value}
    if not changed:
        return organisation
    for name, value in changed.items():
        setattr(organisation, name, value)
    _save(organisation)
    _audit(
        actor,
        CHANGED,
        organisation.name,
        organisation=organisation.pk,
        before=_json({name: before[name] for name in changed}),
        after=_json(changed),
    )
    return organisation


def _json(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items()}


# Engagements ------------------------------------------------------------------------------


def _organisation_of(evaluator) -> EvaluationOrganisation:
    profile = (
        StaffProfile.objects.select_related("evaluation_organisation")
        .filter(user=evaluator)
        .first()
    )
    organisation = profile.evaluation_organisation if profile else None
    if organisation is None or not has_role(evaluator, Role.EVALUATOR):
        raise EvaluatorRefused(
            _("Choose an evaluator who is staff of an evaluation organisation."), "evaluator"
        )
    return organisation


def _check_period(organisation, starts_on, ends_on, today) -> None:
    if ends_on < starts_on:
        raise EvaluatorRefused(_("The engagement must end on or after its start."), "ends_on")
    if ends_on < today:
        raise EvaluatorRefused(_("This period is already over."), "ends_on")
    outside = _(
        "Outside the organisation's qualification, which runs from %(start)s to %(end)s."
    ) % {"start": _date(organisation.qualified_from), "end": _date(organisation.qualified_until)}
    if starts_on < organisation.qualified_from:
        raise EvaluatorRefused(outside, "starts_on")
    if ends_on > organisation.qualified_until:
        raise EvaluatorRefused(outside, "ends_on")


def _current(today):
    """Engagements in force on ``today``."""
    return EvaluatorEngagement.objects.filter(
        ended_at=None, starts_on__lte=today, ends_on__gte=today
    )


@transaction.atomic
def engage(
    *, actor, evaluator, estate: Estate, starts_on: datetime.date, ends_on: datetime.date
) -> EvaluatorEngagement:
    """Engage ``evaluator`` (staff of an evaluation organisation) on ``estate`` for the
    period; access is granted now if the period has begun, else by the sweep on its first
    day."""
    if not permissions.can_decide_for_estate(actor, estate):
        raise NotAllowed(_("You may not engage evaluators on this estate."), "estate")
    # The evaluator's row is the lock against two officials engaging the same person at
    # once (both passing the overlap check); the organisation's against a registrar
    # shortening its qualification meanwhile (``change_organisation`` locks it too).
    get_user_model().objects.select_for_update().filter(pk=evaluator.pk).first()
    organisation = _organisation_of(evaluator)
    organisation = EvaluationOrganisation.objects.select_for_update().get(pk=organisation.pk)
    today = timezone.localdate()
    _check_period(organisation, starts_on, ends_on, today)
    overlapping = EvaluatorEngagement.objects.filter(
        evaluator=evaluator,
        estate=estate,
        ended_at=None,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if overlapping.exists():
        raise EvaluatorRefused(
            _("This evaluator is already engaged on this estate for part of this period."),
            "starts_on",
        )
    engagement = EvaluatorEngagement.objects.create(
        organisation=organisation,
        evaluator=evaluator,
        estate=estate,
        starts_on=starts_on,
        ends_on=ends_on,
        engaged_by=actor,
    )
    if starts_on <= today:
        _grant(engagement)
    _audit(
        actor,
        ENGAGED,
        evaluator.get_username(),
        engagement=engagement.pk,
        evaluator=evaluator.pk,
        organisation=organisation.pk,
        estate=estate.pk,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
        access_granted=engagement.access_granted,
    )
    return engagement


def _grant(engagement: EvaluatorEngagement) -> None:
    access.engage_evaluator(engagement.evaluator, engagement.estate)
    engagement.access_granted = True
    engagement.save(update_fields=["access_granted"])


def _withdraw(engagement: EvaluatorEngagement, today) -> None:
    """Withdraw the grant unless another current engagement on the estate still holds it."""
    others = (
        _current(today)
        .filter(evaluator_id=engagement.evaluator_id, estate_id=engagement.estate_id)
        .exclude(pk=engagement.pk)
    )
    if not others.filter(access_granted=True).exists():
        access.end_evaluator_engagement(engagement.evaluator, engagement.estate)
    engagement.access_granted = False
    engagement.save(update_fields=["access_granted"])


def _end(engagement: EvaluatorEngagement, *, actor, reason: str, today) -> None:
    engagement.ended_at = timezone.now()
    engagement.ended_by = actor if actor is not None and actor.is_authenticated else None
    engagement.end_reason = reason
    engagement.save(update_fields=["ended_at", "ended_by", "end_reason"])
    if engagement.access_granted:
        _withdraw(engagement, today)
    _audit(
        actor,
        ENGAGEMENT_ENDED,
        engagement.evaluator.get_username(),
        engagement=engagement.pk,
        evaluator=engagement.evaluator_id,
        estate=engagement.estate_id,
        reason=reason,
    )


@transaction.atomic
def end_engagement(engagement: EvaluatorEngagement, *, actor, reason: str) -> None:
    """End an engagement early: the evaluator's access to the estate is withdrawn now."""
    if not permissions.can_decide_for_estate(actor, engagement.estate):
        raise NotAllowed(_("You may not end engagements on this estate."), "estate")
    reason = (reason or "").strip()
    if not reason:
        raise EvaluatorRefused(_("Say why the engagement ends."), "reason")
    engagement = (
        EvaluatorEngagement.objects.select_for_update()
        .select_related("evaluator", "estate")
        .get(pk=engagement.pk)
    )
    if engagement.ended_at is not None:
        return
    _end(engagement, actor=actor, reason=reason, today=timezone.localdate())


# The sweep (Celery beat, hourly) ----------------------------------------------------------

PERIOD_OVER = _("The engagement's period is over.")
QUALIFICATION_EXPIRED = _("The organisation's qualification has expired.")


def stored_reason(reason) -> str:
    """A sweep's reason as stored: in the portal's default language (no one's request)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(reason)


def _sweep_one(pk: int, step, today) -> bool:
    """Re-check one engagement under its lock and apply ``step``; False when nothing to do."""
    with transaction.atomic():
        engagement = (
            EvaluatorEngagement.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("evaluator", "estate", "organisation")
            .filter(pk=pk)
            .first()
        )
        return engagement is not None and step(engagement, today)


def _end_if_over(engagement, today) -> bool:
    if engagement.ended_at is not None:
        return False
    if engagement.organisation.qualified_until < today:
        reason = stored_reason(QUALIFICATION_EXPIRED)
        _end(engagement, actor=None, reason=reason, today=today)
        return True
    if engagement.ends_on < today:
        _end(engagement, actor=None, reason=stored_reason(PERIOD_OVER), today=today)
        return True
    return False


def _grant_if_begun(engagement, today) -> bool:
    if engagement.access_granted or not engagement.is_current(today):
        return False
    _grant(engagement)
    return True


def _withdraw_if_ended(engagement, today) -> bool:
    if not engagement.access_granted or engagement.ended_at is None:
        return False
    _withdraw(engagement, today)
    return True


def sweep_engagements(today: datetime.date | None = None) -> int:
    """End the engagements whose period or organisation's qualification is over, grant those
    whose period has begun, withdraw those ended; returns how many changed. Idempotent: each
    row is re-checked under its lock, so a second run (or a task delivered twice) does
    nothing."""
    today = today or timezone.localdate()
    open_ = EvaluatorEngagement.objects.filter(ended_at=None)
    steps = [
        (
            _end_if_over,
            open_.filter(ends_on__lt=today) | open_.filter(organisation__qualified_until__lt=today),
        ),
        (_grant_if_begun, _current(today).filter(access_granted=False)),
        (
            _withdraw_if_ended,
            EvaluatorEngagement.objects.filter(access_granted=True, ended_at__isnull=False),
        ),
    ]
    changed = 0
    for step, queryset in steps:
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            changed += _sweep_one(pk, step, today)
    return changed
