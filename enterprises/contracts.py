"""Service contract filing (物业服务合同备案): every status change of a ``ServiceContract``.

A company submits the signed contract of an estate, an official of the estate's district files
or returns it; a returned filing is corrected and resubmitted as the same filing (备案补正);
a filed contract is amended (变更备案) by the company and the amendment accepted or returned by
the official; a filed contract ends by termination or, in a daily sweep, by expiry. Each
submission, correction and amendment is a version of the filing (``contract_versions``); the
contract row carries the terms of its current one. At most one contract per estate is filed
at any time, and ``Estate.managing_company`` follows it: set on filing, cleared when the
filed contract ends.

Every verb locks the estate first and the contract second, always in that order, so two
verbs on the same estate queue behind each other instead of deadlocking; the unique index
``contract_one_filed_per_estate`` is the last line of defence behind that lock.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises import contract_versions, permissions
from enterprises.contract_versions import Terms
from enterprises.models import (
    Company,
    ContractStatus,
    Estate,
    ServiceContract,
    ServiceLevel,
    VersionKind,
    VersionStatus,
)
from foundation import audit, uploads
from foundation.state_machine import StateMachine

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ContractStatus.SUBMITTED: {ContractStatus.FILED, ContractStatus.RETURNED},
    ContractStatus.FILED: {ContractStatus.TERMINATED, ContractStatus.EXPIRED},
    # Corrected and resubmitted as the same filing (备案补正).
    ContractStatus.RETURNED: {ContractStatus.SUBMITTED},
    ContractStatus.TERMINATED: set(),
    ContractStatus.EXPIRED: set(),
}


class ContractError(Exception):
    """A contract action was refused; the message is shown to the user as is."""


CONTRACT_MACHINE = StateMachine(
    ServiceContract,
    transitions=ALLOWED_TRANSITIONS,
    error=ContractError,
    refusal=gettext_lazy("A contract that is “%(current)s” cannot become “%(target)s”."),
    # The estate is locked on its own, first (see ``_lock``); the company is only read.
    select_related=("company",),
    lock_of=("self",),
)


# Company side -------------------------------------------------------------------------------


def submit_contract(
    *,
    actor,
    company: Company,
    estate: Estate,
    starts_on: datetime.date,
    ends_on: datetime.date,
    service_level: str,
    fee_per_sqm_month: Decimal | str | int,
    fee_items: str,
    document,
) -> ServiceContract:
    """A company submits a signed contract for filing. Everything is checked before the
    document is written to storage, so a refused submission leaves no file behind."""
    if not permissions.can_act_for_company(actor, company):
        raise ContractError(
            _("You may not submit contracts on behalf of “%(company)s”.") % {"company": company}
        )
    terms = _terms(starts_on, ends_on, service_level, fee_per_sqm_month, fee_items)
    _check_document(document)
    fee = terms.fee_per_sqm_month
    with transaction.atomic():
        contract = ServiceContract.objects.create(
            company=company,
            estate=estate,
            starts_on=starts_on,
            ends_on=ends_on,
            service_level=service_level,
            fee_per_sqm_month=fee,
            fee_items=terms.fee_items,
            document=document,
            status=ContractStatus.SUBMITTED,
            submitted_by=actor,
        )
        contract_versions.open_version(
            contract,
            kind=VersionKind.ORIGINAL,
            terms=terms,
            document=contract.document.name,
            actor=actor,
        )
        audit.record(
            contract,
            "enterprises.contract.submitted",
            actor=actor,
            to_status=ContractStatus.SUBMITTED,
            estate=estate.pk,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
        )
    return contract


def _terms(starts_on, ends_on, service_level, fee_per_sqm_month, fee_items) -> Terms:
    """The terms of a submission, correction or amendment, checked field by field."""
    if ends_on <= starts_on:
        raise ContractError(
            _("The contract must end after it starts: %(ends)s is not after %(starts)s.")
            % {"ends": ends_on.isoformat(), "starts": starts_on.isoformat()}
        )
    if service_level not in ServiceLevel.values:
        raise ContractError(
            _("“%(level)s” is not a service level; choose level 1 to 5.") % {"level": service_level}
        )
    return Terms(
        starts_on=starts_on,
        ends_on=ends_on,
        service_level=service_level,
        fee_per_sqm_month=_fee(fee_per_sqm_month),
        fee_items=(fee_items or "").strip(),
    )


def _check_document(document) -> None:
    """A PDF within the size limit, checked by its content like every contract document."""
    try:
        uploads.validate_pdf(document)
    except ValidationError as exc:
        raise ContractError(" ".join(exc.messages)) from exc


def _fee(value) -> Decimal:
    try:
        fee = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ContractError(
            _("The fee “%(fee)s” is not a number of yuan per m² and month.") % {"fee": value}
        ) from exc
    if not fee.is_finite() or fee < 0:
        raise ContractError(_("The fee per m² and month cannot be negative."))
    if fee != fee.quantize(Decimal("0.01")) or fee >= Decimal("1000000"):
        raise ContractError(
            _("The fee “%(fee)s” must have at most two decimals and six digits before them.")
            % {"fee": value}
        )
    return fee


# Official side ------------------------------------------------------------------------------


def file_contract(contract: ServiceContract, *, actor) -> ServiceContract:
    """Filing (备案): the contract's company becomes the estate's managing company."""
    with transaction.atomic():
        estate, locked = _lock(contract)
        _check_official(actor, estate)
        if locked.status == ContractStatus.FILED:
            return locked
        contract_versions.ensure_first(locked)
        CONTRACT_MACHINE.check(locked, ContractStatus.FILED)
        if locked.ends_on < timezone.localdate():
            raise ContractError(
                _("This contract ended on %(ends)s; an ended contract cannot be filed.")
                % {"ends": locked.ends_on.isoformat()}
            )
        current = (
            ServiceContract.objects.filter(estate=estate, status=ContractStatus.FILED)
            .select_related("company")
            .first()
        )
        if current is not None:
            raise ContractError(
                _(
                    "“%(estate)s” already has a filed contract with “%(company)s” "
                    "(%(starts)s to %(ends)s); terminate it before filing another."
                )
                % {
                    "estate": estate,
                    "company": current.company,
                    "starts": current.starts_on.isoformat(),
                    "ends": current.ends_on.isoformat(),
                }
            )
        previous_company_id = estate.managing_company_id
        try:
            with transaction.atomic():
                CONTRACT_MACHINE.move(
                    locked,
                    ContractStatus.FILED,
                    actor=actor,
                    action="enterprises.contract.filed",
                    data={"estate": estate.pk, "previous_company": previous_company_id},
                    **_decided(actor),
                )
        except IntegrityError as exc:
            raise ContractError(
                _("“%(estate)s” already has a filed contract; terminate it before filing another.")
                % {"estate": estate}
            ) from exc
        version = contract_versions.pending(locked)
        if version is not None:
            contract_versions.close(version, VersionStatus.ACCEPTED, actor=actor)
        estate.managing_company_id = locked.company_id
        estate.save(update_fields=["managing_company"])
    contract.refresh_from_db()
    return locked


def return_contract(contract: ServiceContract, *, actor, reason: str) -> ServiceContract:
    """Returned without filing (退回), with the reason the company reads."""
    reason = _required_reason(reason, _("A returned contract needs a reason the company can read."))
    with transaction.atomic():
        estate, locked = _lock(contract)
        _check_official(actor, estate)
        if locked.status != ContractStatus.RETURNED:
            contract_versions.ensure_first(locked)
            CONTRACT_MACHINE.move(
                locked,
                ContractStatus.RETURNED,
                actor=actor,
                action="enterprises.contract.returned",
                data={"reason": reason, "version": locked.version},
                decision_reason=reason,
                **_decided(actor),
            )
            version = contract_versions.pending(locked)
            if version is not None:
                contract_versions.close(version, VersionStatus.RETURNED, actor=actor, reason=reason)
    contract.refresh_from_db()
    return locked


def terminate_contract(contract: ServiceContract, *, actor, reason: str) -> ServiceContract:
    """Termination (解除) by an official or by the company itself; the estate has no managing
    company on record until another contract is filed."""
    reason = _required_reason(reason, _("A termination needs a reason."))
    with transaction.atomic():
        estate, locked = _lock(contract)
        if not (
            permissions.can_decide_for_estate(actor, estate)
            or permissions.can_act_for_company(actor, locked.company)
        ):
            raise ContractError(
                _("You may not terminate the contracts of “%(estate)s”.") % {"estate": estate}
            )
        if locked.status != ContractStatus.TERMINATED:
            CONTRACT_MACHINE.check(locked, ContractStatus.TERMINATED)
            CONTRACT_MACHINE.move(
                locked,
                ContractStatus.TERMINATED,
                actor=actor,
                action="enterprises.contract.terminated",
                data={
                    "reason": reason,
                    "estate": estate.pk,
                    "lapsed_amendment": contract_versions.lapse_pending(locked),
                },
                decision_reason=reason,
                **_decided(actor),
            )
            _release_estate(estate, locked)
    contract.refresh_from_db()
    return locked


# Correction (备案补正) and amendment (变更备案) ---------------------------------------------------


def correct_contract(
    contract: ServiceContract,
    *,
    actor,
    starts_on: datetime.date,
    ends_on: datetime.date,
    service_level: str,
    fee_per_sqm_month: Decimal | str | int,
    fee_items: str,
    document=None,
    note: str = "",
) -> ServiceContract:
    """The company corrects a returned filing and resubmits it as the same filing: a new
    version with the corrected terms (and document, else the last one's) goes under review."""
    terms = _terms(starts_on, ends_on, service_level, fee_per_sqm_month, fee_items)
    if document is not None:
        _check_document(document)
    with transaction.atomic():
        estate, locked = _lock(contract)
        _check_company(actor, locked)
        if locked.status != ContractStatus.RETURNED:
            raise ContractError(
                _(
                    "Only a returned filing can be corrected; this contract is “%(status)s”. "
                    "A filed contract is changed by an amendment (变更备案)."
                )
                % {"status": locked.get_status_display()}
            )
        contract_versions.ensure_first(locked)
        version = contract_versions.open_version(
            locked,
            kind=VersionKind.CORRECTION,
            terms=terms,
            document=document if document is not None else locked.document.name,
            actor=actor,
            reason=(note or "").strip(),
        )
        contract_versions.carry(locked, version)
        CONTRACT_MACHINE.move(
            locked,
            ContractStatus.SUBMITTED,
            actor=actor,
            action="enterprises.contract.corrected",
            data={"version": version.number, "estate": estate.pk, **terms.as_audit()},
            decision_reason="",
            decided_by=None,
            decided_at=None,
        )
    contract.refresh_from_db()
    return locked


def amend_contract(
    contract: ServiceContract,
    *,
    actor,
    starts_on: datetime.date,
    ends_on: datetime.date,
    service_level: str,
    fee_per_sqm_month: Decimal | str | int,
    fee_items: str,
    document,
    reason: str,
):
    """The company submits an amendment (变更备案) of its filed contract: changed terms and
    dates, the signed change and the reason. The filed terms stay until an official accepts
    it; one amendment at a time. Returns the amendment (a version under review)."""
    reason = _required_reason(reason, _("An amendment needs a reason the regulator can read."))
    terms = _terms(starts_on, ends_on, service_level, fee_per_sqm_month, fee_items)
    if document is None:
        raise ContractError(_("An amendment needs the signed change of the contract as a PDF."))
    _check_document(document)
    with transaction.atomic():
        estate, locked = _lock(contract)
        _check_company(actor, locked)
        _check_amendable(locked)
        _check_not_ended(terms.ends_on)
        contract_versions.ensure_first(locked)
        under_review = contract_versions.pending(locked)
        if under_review is not None:
            raise ContractError(
                _(
                    "An amendment submitted on %(date)s is still under review; wait for the "
                    "decision before submitting another."
                )
                % {"date": timezone.localdate(under_review.submitted_at).isoformat()}
            )
        version = contract_versions.open_version(
            locked,
            kind=VersionKind.AMENDMENT,
            terms=terms,
            document=document,
            actor=actor,
            reason=reason,
        )
        audit.record(
            locked,
            "enterprises.contract.amendment_submitted",
            actor=actor,
            version=version.number,
            reason=reason,
            estate=estate.pk,
            **terms.as_audit(),
        )
    return version


def accept_amendment(contract: ServiceContract, *, actor) -> ServiceContract:
    """The official accepts the amendment under review: its terms become the current version
    of the filed contract; the earlier versions are kept."""
    with transaction.atomic():
        estate, locked = _lock(contract)
        _check_official(actor, estate)
        version = _amendment_under_review(locked)
        _check_not_ended(version.ends_on)
        before = contract_versions.terms_of(locked)
        previous = locked.version
        contract_versions.close(version, VersionStatus.ACCEPTED, actor=actor)
        contract_versions.carry(locked, version)
        locked.save()
        audit.record(
            locked,
            "enterprises.contract.amendment_accepted",
            actor=actor,
            version=version.number,
            previous_version=previous,
            before=before.as_audit(),
            after=contract_versions.terms_of(version).as_audit(),
        )
    contract.refresh_from_db()
    return locked


def return_amendment(contract: ServiceContract, *, actor, reason: str) -> ServiceContract:
    """The official returns the amendment under review with a reason: the filed contract
    stays exactly as it was."""
    reason = _required_reason(
        reason, _("A returned amendment needs a reason the company can read.")
    )
    with transaction.atomic():
        estate, locked = _lock(contract)
        _check_official(actor, estate)
        version = _amendment_under_review(locked)
        contract_versions.close(version, VersionStatus.RETURNED, actor=actor, reason=reason)
        audit.record(
            locked,
            "enterprises.contract.amendment_returned",
            actor=actor,
            version=version.number,
            reason=reason,
        )
    contract.refresh_from_db()
    return locked


def _check_company(actor, locked: ServiceContract) -> None:
    if not permissions.can_act_for_company(actor, locked.company):
        raise ContractError(
            _("You may not change the contracts of “%(company)s”.") % {"company": locked.company}
        )


def _check_amendable(locked: ServiceContract) -> None:
    if locked.status != ContractStatus.FILED:
        raise ContractError(
            _("Only a filed contract can be amended; this contract is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )


def _check_not_ended(ends_on: datetime.date) -> None:
    if ends_on < timezone.localdate():
        raise ContractError(
            _(
                "The amended contract would have ended on %(ends)s; "
                "a contract that ends early is terminated, not amended."
            )
            % {"ends": ends_on.isoformat()}
        )


def _amendment_under_review(locked: ServiceContract):
    _check_amendable(locked)
    version = contract_versions.pending(locked)
    if version is None or version.kind != VersionKind.AMENDMENT:
        raise ContractError(_("This contract has no amendment under review."))
    return version


# System sweep (Celery beat) -----------------------------------------------------------------


def expire_contracts(today: datetime.date | None = None) -> int:
    """Filed contracts that ended before ``today`` expire; returns how many. Each is re-checked
    under its lock (its estate's first): an official may have terminated it meanwhile."""
    today = today or timezone.localdate()
    return CONTRACT_MACHINE.sweep(
        ServiceContract.objects.filter(status=ContractStatus.FILED, ends_on__lt=today),
        to=ContractStatus.EXPIRED,
        action="enterprises.contract.expired",
        data=lambda locked: {"ends_on": locked.ends_on.isoformat(), "estate": locked.estate_id},
        lock_first=_lock_estate_of,
        then=_after_expiry,
    )


def _after_expiry(ended: ServiceContract, estate: Estate) -> None:
    contract_versions.lapse_pending(ended)
    _release_estate(estate, ended)


# The machinery ------------------------------------------------------------------------------


def _lock(contract: ServiceContract) -> tuple[Estate, ServiceContract]:
    """Lock the estate, then the contract."""
    estate = _lock_estate_of(contract.pk)
    return estate, CONTRACT_MACHINE.lock(contract)


def _lock_estate_of(contract_id: int) -> Estate:
    """The contract's estate, locked (the estate of a contract never changes)."""
    estate_id = ServiceContract.objects.values_list("estate_id", flat=True).get(pk=contract_id)
    return Estate.objects.select_for_update().get(pk=estate_id)


def _check_official(actor, estate: Estate) -> None:
    if not permissions.can_decide_for_estate(actor, estate):
        raise ContractError(
            _("You may not decide on the contracts of “%(estate)s”.") % {"estate": estate}
        )


def _release_estate(estate: Estate, ended: ServiceContract) -> None:
    """The estate no longer has the ended contract's company as its manager on record."""
    if estate.managing_company_id == ended.company_id:
        estate.managing_company = None
        estate.save(update_fields=["managing_company"])


def _decided(actor) -> dict:
    return {"decided_by": actor, "decided_at": timezone.now()}


def _required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ContractError(message)
    return reason
