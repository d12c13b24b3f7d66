"""The licence state machine (资质): every status change of a ``Licence`` happens here.

A company applies, an official of the company's district decides; a penalty may suspend or
revoke an approved licence, and a daily sweep expires licences past their validity. Each verb
locks the row, checks the actor and the transition table, writes the audit entry in the same
transaction, and returns quietly when the target state is already reached.

A renewal (换证) is a new application that names the licence it renews. Approving it does not
touch the renewed licence: that one stays approved until its own ``valid_until`` and is then
expired by the sweep like any other, so there is never a day on which neither is valid.
"""

import datetime
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises import permissions
from enterprises.models import Company, Licence, LicenceStatus
from foundation import audit
from foundation.notifications import notify
from foundation.state_machine import StateMachine

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    LicenceStatus.APPLIED: {LicenceStatus.APPROVED, LicenceStatus.REJECTED},
    LicenceStatus.APPROVED: {LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.EXPIRED},
    LicenceStatus.SUSPENDED: {LicenceStatus.APPROVED, LicenceStatus.REVOKED},
    LicenceStatus.REJECTED: set(),
    LicenceStatus.REVOKED: set(),
    LicenceStatus.EXPIRED: set(),
}

NUMBER_PREFIX = "WY"
NUMBER_ATTEMPTS = 5
EXPIRY_WARNING_DAYS = 30


class LicenceError(Exception):
    """A licence action was refused; the message is shown to the user as is."""


LICENCE_MACHINE = StateMachine(
    Licence,
    transitions=ALLOWED_TRANSITIONS,
    error=LicenceError,
    refusal=gettext_lazy("A licence that is “%(current)s” cannot become “%(target)s”."),
    select_related=("company",),
)


# Company side -------------------------------------------------------------------------------


def apply_for_licence(
    company: Company, *, actor, scope: str, renewal_of: Licence | None = None
) -> Licence:
    """A company's application (申请), or its renewal of a licence it holds."""
    if not permissions.can_act_for_company(actor, company):
        raise LicenceError(
            _("You may not apply for a licence on behalf of “%(company)s”.") % {"company": company}
        )
    scope = scope.strip()
    if not scope:
        raise LicenceError(_("Describe the scope of service the licence is applied for."))
    with transaction.atomic():
        if renewal_of is not None:
            renewed = Licence.objects.select_for_update().get(pk=renewal_of.pk)
            _check_renewable(renewed, company)
        licence = Licence.objects.create(
            company=company,
            scope=scope,
            renewal_of=renewal_of,
            applied_by=actor,
            status=LicenceStatus.APPLIED,
        )
        audit.record(
            licence,
            "enterprises.licence.applied",
            actor=actor,
            to_status=LicenceStatus.APPLIED,
            scope=scope,
            renewal_of=renewal_of.pk if renewal_of else None,
        )
    return licence


def _check_renewable(renewed: Licence, company: Company) -> None:
    if renewed.company_id != company.pk:
        raise LicenceError(
            _(
                "Licence “%(licence)s” belongs to another company "
                "and cannot be renewed by “%(company)s”."
            )
            % {"licence": renewed, "company": company}
        )
    if renewed.status != LicenceStatus.APPROVED:
        raise LicenceError(
            _("Only an approved licence can be renewed; licence “%(licence)s” is “%(status)s”.")
            % {"licence": renewed, "status": renewed.get_status_display()}
        )
    if renewed.renewals.filter(status=LicenceStatus.APPLIED).exists():
        raise LicenceError(
            _("A renewal of licence “%(licence)s” is already waiting for a decision.")
            % {"licence": renewed}
        )


# Official side ------------------------------------------------------------------------------


def approve_licence(
    licence: Licence,
    *,
    actor,
    valid_from: datetime.date,
    valid_until: datetime.date,
    number: str | None = None,
) -> Licence:
    """Approval (核准): the licence becomes valid from ``valid_from`` to ``valid_until``."""
    number = (number or "").strip()
    with transaction.atomic():
        locked = LICENCE_MACHINE.lock(licence)
        _require_official(locked, actor)
        if locked.status == LicenceStatus.APPROVED:
            return locked
        # Approval is of an application; a suspended licence is reinstated instead.
        LICENCE_MACHINE.check(locked, LicenceStatus.APPROVED, sources={LicenceStatus.APPLIED})
        _check_terms(valid_from, valid_until, number)
        if locked.renewal_of_id and locked.renewal_of.status == LicenceStatus.REVOKED:
            # A revocation is a penalty: renewing the revoked licence must not undo it.
            raise LicenceError(
                _("Licence “%(licence)s” was revoked; its renewal cannot be approved.")
                % {"licence": locked.renewal_of}
            )
        _assign_number(locked, number)
        LICENCE_MACHINE.move(
            locked,
            LicenceStatus.APPROVED,
            actor=actor,
            action="enterprises.licence.approved",
            data={
                "number": locked.number,
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat(),
                "renewal_of": locked.renewal_of_id,
            },
            valid_from=valid_from,
            valid_until=valid_until,
            decision_reason="",
            **_decided(actor),
        )
    licence.refresh_from_db()
    return locked


def reject_licence(licence: Licence, *, actor, reason: str) -> Licence:
    """Refusal (不予核准), with the reason the company reads."""
    reason = _required_reason(reason, _("A rejection needs a reason the company can read."))
    return LICENCE_MACHINE.transition(
        licence,
        LicenceStatus.REJECTED,
        actor=actor,
        action="enterprises.licence.rejected",
        authorise=_require_official,
        data={"reason": reason},
        decision_reason=reason,
        **_decided(actor),
    )


def suspend_licence(
    licence: Licence, *, actor, reason: str, penalty_reference: str = ""
) -> Licence:
    """Suspension (暂停), usually by a penalty decision named in ``penalty_reference``."""
    reason = _required_reason(reason, _("A suspension needs a reason the company can read."))
    return LICENCE_MACHINE.transition(
        licence,
        LicenceStatus.SUSPENDED,
        actor=actor,
        action="enterprises.licence.suspended",
        authorise=_require_official,
        data={"reason": reason, "penalty_reference": penalty_reference},
        decision_reason=reason,
        penalty_reference=penalty_reference.strip(),
        **_decided(actor),
    )


def reinstate_licence(licence: Licence, *, actor, note: str = "") -> Licence:
    """Lifting a suspension (恢复): the licence is approved again for its remaining validity."""
    today = timezone.localdate()
    with transaction.atomic():
        locked = LICENCE_MACHINE.lock(licence)
        _require_official(locked, actor)
        if locked.status == LicenceStatus.APPROVED:
            return locked
        LICENCE_MACHINE.check(locked, LicenceStatus.APPROVED, sources={LicenceStatus.SUSPENDED})
        if locked.valid_until is not None and locked.valid_until < today:
            raise LicenceError(
                _(
                    "Licence “%(licence)s” was valid until %(until)s; "
                    "the company must apply for a new one."
                )
                % {"licence": locked, "until": locked.valid_until.isoformat()}
            )
        # The action code is "approved": a reinstatement is an approval of the suspended licence.
        LICENCE_MACHINE.move(
            locked,
            LicenceStatus.APPROVED,
            actor=actor,
            action="enterprises.licence.reinstated",
            data={"reinstated": True, "note": note, "lifted_penalty": locked.penalty_reference},
            decision_reason=note,
            penalty_reference="",
            **_decided(actor),
        )
    licence.refresh_from_db()
    return locked


def revoke_licence(licence: Licence, *, actor, reason: str, penalty_reference: str = "") -> Licence:
    """Revocation (吊销): final."""
    reason = _required_reason(reason, _("A revocation needs a reason the company can read."))
    return LICENCE_MACHINE.transition(
        licence,
        LicenceStatus.REVOKED,
        actor=actor,
        action="enterprises.licence.revoked",
        authorise=_require_official,
        data={"reason": reason, "penalty_reference": penalty_reference},
        decision_reason=reason,
        penalty_reference=penalty_reference.strip(),
        **_decided(actor),
    )


# System sweeps (Celery beat) ----------------------------------------------------------------


def expire_licences(today: datetime.date | None = None) -> int:
    """Approved licences whose validity ended before ``today`` expire; returns how many. Each
    is re-checked under its lock: an official may have suspended it meanwhile."""
    today = today or timezone.localdate()
    return LICENCE_MACHINE.sweep(
        Licence.objects.filter(status=LicenceStatus.APPROVED, valid_until__lt=today),
        to=LicenceStatus.EXPIRED,
        action="enterprises.licence.expired",
        data=lambda locked: {"valid_until": locked.valid_until.isoformat()},
    )


def warn_expiring_licences(
    today: datetime.date | None = None, days: int = EXPIRY_WARNING_DAYS
) -> int:
    """Warn each company once that an approved licence ends within ``days``; returns how many.

    The e-mail goes through the notification outbox: queued in the licence's transaction with
    the warning's mark, sent after commit, and retried by the outbox sweep if the mail server
    refuses. Its dedup key names the licence and its expiry date, so one warning per licence
    and date goes out, never two.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=days)
    candidates = (
        Licence.objects.filter(
            status=LicenceStatus.APPROVED,
            valid_until__gte=today,
            valid_until__lte=horizon,
            expiry_warned_at__isnull=True,
        )
        # A company whose renewal is already approved needs no reminder.
        .exclude(renewals__status=LicenceStatus.APPROVED)
    )
    warned = 0
    for pk in candidates.values_list("pk", flat=True).distinct():
        with transaction.atomic():
            locked = (
                Licence.objects.select_for_update()
                .select_related("company")
                .filter(pk=pk, status=LicenceStatus.APPROVED, expiry_warned_at__isnull=True)
                .first()
            )
            if locked is None:
                continue
            emailed = _queue_expiry_warning(locked)
            locked.expiry_warned_at = timezone.now()
            locked.save(update_fields=["expiry_warned_at"])
            audit.record(
                locked,
                "enterprises.licence.expiry_warned",
                actor=None,
                valid_until=locked.valid_until.isoformat(),
                emailed_to=locked.company.contact_email if emailed else "",
            )
        warned += 1
    return warned


def _queue_expiry_warning(licence: Licence) -> bool:
    recipient = licence.company.contact_email
    if not recipient:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Licence %(number)s expires on %(date)s") % {
            "number": licence.number,
            "date": licence.valid_until.isoformat(),
        }
        body = _(
            "Dear %(company)s,\n\n"
            "your licence %(number)s (%(scope)s) is valid until %(date)s. "
            "Apply for its renewal in the portal in good time: after that date the licence "
            "expires and the company may no longer provide property services under it.\n"
        ) % {
            "company": licence.company.name,
            "number": licence.number,
            "scope": licence.scope,
            "date": licence.valid_until.isoformat(),
        }
    notify(
        dedup_key=f"licence:{licence.pk}:expires:{licence.valid_until.isoformat()}",
        subject=subject,
        body=body,
        email=recipient,
    )
    return True


# The machinery ------------------------------------------------------------------------------


def _require_official(locked: Licence, actor) -> None:
    if not permissions.can_decide_for_company(actor, locked.company):
        raise LicenceError(
            _("You may not decide licences of “%(company)s”.") % {"company": locked.company}
        )


def _check_terms(valid_from: datetime.date, valid_until: datetime.date, number: str) -> None:
    if valid_until <= valid_from:
        raise LicenceError(
            _("The licence must end after it starts: %(until)s is not after %(from)s.")
            % {"until": valid_until.isoformat(), "from": valid_from.isoformat()}
        )
    if valid_until < timezone.localdate():
        raise LicenceError(
            _("A licence valid until %(until)s would already have ended; check the dates.")
            % {"until": valid_until.isoformat()}
        )
    if len(number) > Licence._meta.get_field("number").max_length:
        raise LicenceError(_("The licence number “%(number)s” is too long.") % {"number": number})


def _decided(actor) -> dict:
    return {"decided_by": actor, "decided_at": timezone.now()}


def _required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise LicenceError(message)
    return reason


def _assign_number(locked: Licence, number: str) -> None:
    """Save the given number, or the next free "WY-<year>-<6 digits>" of the approval year.

    Two approvals at the same moment may pick the same next number: the unique index decides,
    and the loser draws the following one inside a savepoint.
    """
    if locked.number and not number:
        return
    for _attempt in range(NUMBER_ATTEMPTS):
        locked.number = number or _next_number(timezone.localdate().year)
        try:
            with transaction.atomic():
                locked.save(update_fields=["number"])
            return
        except IntegrityError as exc:
            if number:
                raise LicenceError(
                    _("The licence number “%(number)s” is already in use.") % {"number": number}
                ) from exc
    raise LicenceError(_("No free licence number could be drawn; try again."))


def _next_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = (
        Licence.objects.filter(number__regex=rf"^{re.escape(prefix)}[0-9]{{6}}$")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"
