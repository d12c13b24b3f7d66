"""Service contract filing (物业服务合同备案): every status change of a ``ServiceContract``.

A company submits the signed contract of an estate, an official of the estate's district files
or returns it; a filed contract ends by termination or, in a daily sweep, by expiry. At most
one contract per estate is filed at any time, and ``Estate.managing_company`` follows it: set
on filing, cleared when the filed contract ends.

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

from enterprises import permissions
from enterprises.models import Company, ContractStatus, Estate, ServiceContract, ServiceLevel
from foundation import audit, uploads
from foundation.state_machine import StateMachine

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ContractStatus.SUBMITTED: {ContractStatus.FILED, ContractStatus.RETURNED},
    ContractStatus.FILED: {ContractStatus.TERMINATED, ContractStatus.EXPIRED},
    ContractStatus.RETURNED: set(),
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
    if ends_on <= starts_on:
        raise ContractError(
            _("The contract must end after it starts: %(ends)s is not after %(starts)s.")
            % {"ends": ends_on.isoformat(), "starts": starts_on.isoformat()}
        )
    if service_level not in ServiceLevel.values:
        raise ContractError(
            _("“%(level)s” is not a service level; choose level 1 to 5.") % {"level": service_level}
        )
    fee = _fee(fee_per_sqm_month)
    try:
        uploads.validate_pdf(document)
    except ValidationError as exc:
        raise ContractError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        contract = ServiceContract.objects.create(
            company=company,
            estate=estate,
            starts_on=starts_on,
            ends_on=ends_on,
            service_level=service_level,
            fee_per_sqm_month=fee,
            fee_items=fee_items.strip(),
            document=document,
            status=ContractStatus.SUBMITTED,
            submitted_by=actor,
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
            CONTRACT_MACHINE.move(
                locked,
                ContractStatus.RETURNED,
                actor=actor,
                action="enterprises.contract.returned",
                data={"reason": reason},
                decision_reason=reason,
                **_decided(actor),
            )
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
            CONTRACT_MACHINE.move(
                locked,
                ContractStatus.TERMINATED,
                actor=actor,
                action="enterprises.contract.terminated",
                data={"reason": reason, "estate": estate.pk},
                decision_reason=reason,
                **_decided(actor),
            )
            _release_estate(estate, locked)
    contract.refresh_from_db()
    return locked


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
        then=lambda ended, estate: _release_estate(estate, ended),
    )


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
