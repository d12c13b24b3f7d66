"""The mechanics of a filing's versions, used by the verbs of ``enterprises.contracts`` only.

Why a module of its own: every verb that decides on a filing also closes the version under
review, and the correction and amendment verbs open new ones; keeping the bookkeeping here
keeps the verbs readable. Nothing here checks permissions or raises refusals: the caller has
locked the contract (its estate first) and decided already.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from enterprises.models import (
    ContractStatus,
    ContractVersion,
    ServiceContract,
    VersionKind,
    VersionStatus,
)

# The contract row's status → the status its first version had (for filings made before
# versions existed, or created without the service; the migration does the same).
_FIRST_VERSION_STATUS = {
    ContractStatus.SUBMITTED: VersionStatus.PENDING,
    ContractStatus.RETURNED: VersionStatus.RETURNED,
    ContractStatus.FILED: VersionStatus.ACCEPTED,
    ContractStatus.TERMINATED: VersionStatus.ACCEPTED,
    ContractStatus.EXPIRED: VersionStatus.ACCEPTED,
}


@dataclasses.dataclass(frozen=True)
class Terms:
    """What a version states: the dates, the level and the fees (checked by the caller)."""

    starts_on: datetime.date
    ends_on: datetime.date
    service_level: str
    fee_per_sqm_month: Decimal
    fee_items: str

    def as_audit(self) -> dict:
        return {
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "service_level": self.service_level,
            "fee_per_sqm_month": str(self.fee_per_sqm_month),
        }


def terms_of(record: ServiceContract | ContractVersion) -> Terms:
    return Terms(
        starts_on=record.starts_on,
        ends_on=record.ends_on,
        service_level=record.service_level,
        fee_per_sqm_month=Decimal(record.fee_per_sqm_month),
        fee_items=record.fee_items,
    )


def ensure_first(locked: ServiceContract) -> None:
    """Give a filing without versions its first one, made of the terms it carries."""
    if locked.versions.exists():
        return
    status = _FIRST_VERSION_STATUS[locked.status]
    decided = status != VersionStatus.PENDING
    ContractVersion.objects.create(
        contract=locked,
        number=1,
        kind=VersionKind.ORIGINAL,
        status=status,
        **dataclasses.asdict(terms_of(locked)),
        document=locked.document.name,
        submitted_by=locked.submitted_by,
        submitted_at=locked.submitted_at,
        decision_reason=locked.decision_reason if status == VersionStatus.RETURNED else "",
        decided_by=locked.decided_by if decided else None,
        decided_at=locked.decided_at if decided else None,
    )
    ServiceContract.objects.filter(pk=locked.pk).update(version=1)
    locked.version = 1


def pending(contract: ServiceContract) -> ContractVersion | None:
    """The version under review (an original, a correction or an amendment), if any."""
    return contract.versions.filter(status=VersionStatus.PENDING).first()


def open_version(
    locked: ServiceContract,
    *,
    kind: str,
    terms: Terms,
    document,
    actor,
    reason: str = "",
) -> ContractVersion:
    """A new version under review; ``document`` is an upload (stored now under the version's
    own name) or the stored name of an earlier version's file (kept, not copied)."""
    latest = locked.versions.aggregate(latest=Max("number"))["latest"] or 0
    return ContractVersion.objects.create(
        contract=locked,
        number=latest + 1,
        kind=kind,
        status=VersionStatus.PENDING,
        **dataclasses.asdict(terms),
        document=document,
        reason=reason,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )


def close(version: ContractVersion, status: str, *, actor, reason: str = "") -> None:
    """The regulator's decision on a version (or its lapse, with no actor)."""
    version.status = status
    version.decision_reason = reason
    version.decided_by = actor
    version.decided_at = timezone.now()
    version.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])


def carry(locked: ServiceContract, version: ContractVersion) -> None:
    """The contract row takes the version's terms and document: it becomes the current one."""
    for name, value in dataclasses.asdict(terms_of(version)).items():
        setattr(locked, name, value)
    locked.document = version.document.name
    locked.version = version.number


def lapse_pending(locked: ServiceContract) -> int | None:
    """An amendment still under review when its contract ends is not decided: it lapses.
    Returns its number, for the ending's audit entry."""
    version = pending(locked)
    if version is None:
        return None
    close(version, VersionStatus.LAPSED, actor=None)
    return version.number
