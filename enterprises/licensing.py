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
import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enterprises import permissions
from enterprises.models import Company, Licence, LicenceStatus
from foundation import audit

logger = logging.getLogger(__name__)

L = LicenceStatus

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    L.APPLIED: {L.APPROVED, L.REJECTED},
    L.APPROVED: {L.SUSPENDED, L.REVOKED, L.EXPIRED},
    L.SUSPENDED: {L.APPROVED, L.REVOKED},
    L.REJECTED: set(),
    L.REVOKED: set(),
    L.EXPIRED: set(),
}

NUMBER_PREFIX = "WY"
NUMBER_ATTEMPTS = 5
EXPIRY_WARNING_DAYS = 30


class LicenceError(Exception):
    """A licence action was refused; the message is shown to the user as is."""


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
            status=L.APPLIED,
        )
        audit.record(
            licence,
            "enterprises.licence.applied",
            actor=actor,
            to_status=L.APPLIED,
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
    if renewed.status != L.APPROVED:
        raise LicenceError(
            _("Only an approved licence can be renewed; licence “%(licence)s” is “%(status)s”.")
            % {"licence": renewed, "status": renewed.get_status_display()}
        )
    if renewed.renewals.filter(status=L.APPLIED).exists():
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
        locked = _lock_for_decision(licence, actor=actor, to=L.APPROVED, sources={L.APPLIED})
        if locked.status == L.APPROVED:
            return locked
        _check_terms(valid_from, valid_until, number)
        if locked.renewal_of_id and locked.renewal_of.status == L.REVOKED:
            # A revocation is a penalty: renewing the revoked licence must not undo it.
            raise LicenceError(
                _("Licence “%(licence)s” was revoked; its renewal cannot be approved.")
                % {"licence": locked.renewal_of}
            )
        _assign_number(locked, number)
        _move(
            locked,
            actor=actor,
            to=L.APPROVED,
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
    return _decide(
        licence,
        actor=actor,
        to=L.REJECTED,
        sources={L.APPLIED},
        action="enterprises.licence.rejected",
        data={"reason": reason},
        decision_reason=reason,
    )


def suspend_licence(
    licence: Licence, *, actor, reason: str, penalty_reference: str = ""
) -> Licence:
    """Suspension (暂停), usually by a penalty decision named in ``penalty_reference``."""
    reason = _required_reason(reason, _("A suspension needs a reason the company can read."))
    return _decide(
        licence,
        actor=actor,
        to=L.SUSPENDED,
        sources={L.APPROVED},
        action="enterprises.licence.suspended",
        data={"reason": reason, "penalty_reference": penalty_reference},
        decision_reason=reason,
        penalty_reference=penalty_reference.strip(),
    )


def reinstate_licence(licence: Licence, *, actor, note: str = "") -> Licence:
    """Lifting a suspension (恢复): the licence is approved again for its remaining validity."""
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock_for_decision(licence, actor=actor, to=L.APPROVED, sources={L.SUSPENDED})
        if locked.status == L.APPROVED:
            return locked
        if locked.valid_until is not None and locked.valid_until < today:
            raise LicenceError(
                _(
                    "Licence “%(licence)s” was valid until %(until)s; "
                    "the company must apply for a new one."
                )
                % {"licence": locked, "until": locked.valid_until.isoformat()}
            )
        # The action code is "approved": a reinstatement is an approval of the suspended licence.
        _move(
            locked,
            actor=actor,
            to=L.APPROVED,
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
    return _decide(
        licence,
        actor=actor,
        to=L.REVOKED,
        sources={L.APPROVED, L.SUSPENDED},
        action="enterprises.licence.revoked",
        data={"reason": reason, "penalty_reference": penalty_reference},
        decision_reason=reason,
        penalty_reference=penalty_reference.strip(),
    )


# System sweeps (Celery beat) ----------------------------------------------------------------


def expire_licences(today: datetime.date | None = None) -> int:
    """Approved licences whose validity ended before ``today`` expire; returns how many."""
    today = today or timezone.localdate()
    candidates = Licence.objects.filter(status=L.APPROVED, valid_until__lt=today)
    expired = 0
    for pk in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            # Re-checked under the lock: an official may have suspended it meanwhile.
            locked = (
                Licence.objects.select_for_update()
                .filter(pk=pk, status=L.APPROVED, valid_until__lt=today)
                .first()
            )
            if locked is None:
                continue
            _move(
                locked,
                actor=None,
                to=L.EXPIRED,
                action="enterprises.licence.expired",
                data={"valid_until": locked.valid_until.isoformat()},
            )
            expired += 1
    return expired


def warn_expiring_licences(
    today: datetime.date | None = None, days: int = EXPIRY_WARNING_DAYS
) -> int:
    """Warn each company once that an approved licence ends within ``days``; returns how many.

    The e-mail is sent inside the licence's transaction, before the warning is marked: if the
    mail server refuses, nothing is marked and tomorrow's run tries again. A commit failing
    after a sent mail means one duplicate warning, which is better than none.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=days)
    candidates = (
        Licence.objects.filter(
            status=L.APPROVED,
            valid_until__gte=today,
            valid_until__lte=horizon,
            expiry_warned_at__isnull=True,
        )
        # A company whose renewal is already approved needs no reminder.
        .exclude(renewals__status=L.APPROVED)
    )
    warned = 0
    for pk in candidates.values_list("pk", flat=True).distinct():
        try:
            with transaction.atomic():
                locked = (
                    Licence.objects.select_for_update()
                    .select_related("company")
                    .filter(pk=pk, status=L.APPROVED, expiry_warned_at__isnull=True)
                    .first()
                )
                if locked is None:
                    continue
                emailed = _send_expiry_warning(locked)
                locked.expiry_warned_at = timezone.now()
                locked.save(update_fields=["expiry_warned_at"])
                audit.record(
                    locked,
                    "enterprises.licence.expiry_warned",
                    actor=None,
                    valid_until=locked.valid_until.isoformat(),
                    emailed_to=locked.company.contact_email if emailed else "",
                )
        except OSError:  # smtplib.SMTPException is an OSError
            logger.exception("licence %s: expiry warning not sent, retried next run", pk)
            continue
        warned += 1
    return warned


def _send_expiry_warning(licence: Licence) -> bool:
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
    send_mail(subject, body, None, [recipient])
    return True


# The machinery ------------------------------------------------------------------------------


def _decide(
    licence: Licence, *, actor, to: str, sources: set[str], action: str, data: dict, **changes
) -> Licence:
    with transaction.atomic():
        locked = _lock_for_decision(licence, actor=actor, to=to, sources=sources)
        if locked.status != to:
            _move(
                locked, actor=actor, to=to, action=action, data=data, **changes, **_decided(actor)
            )
    licence.refresh_from_db()
    return locked


def _lock_for_decision(licence: Licence, *, actor, to: str, sources: set[str]) -> Licence:
    """Lock the row and check the official and the state; the caller returns early when the
    status already is ``to``."""
    locked = Licence.objects.select_for_update().select_related("company").get(pk=licence.pk)
    if not permissions.can_decide_for_company(actor, locked.company):
        raise LicenceError(
            _("You may not decide licences of “%(company)s”.") % {"company": locked.company}
        )
    if locked.status != to and locked.status not in sources:
        raise _not_allowed(locked, to)
    return locked


def _not_allowed(locked: Licence, to: str) -> LicenceError:
    return LicenceError(
        _("A licence that is “%(current)s” cannot become “%(target)s”.")
        % {"current": locked.get_status_display(), "target": L(to).label}
    )


def _move(locked: Licence, *, actor, to: str, action: str, data: dict, **changes) -> None:
    """The one place a licence's status is assigned."""
    from_status = locked.status
    if to not in ALLOWED_TRANSITIONS[from_status]:
        raise _not_allowed(locked, to)
    locked.status = to
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save()
    audit.record(locked, action, actor=actor, from_status=from_status, to_status=to, **data)


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
