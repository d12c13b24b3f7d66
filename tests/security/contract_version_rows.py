"""The contract correction (补正) and amendment (变更备案) rows of the permission table: who may
correct a returned filing, amend a filed contract, accept or return the amendment, and
download which version's document.

The world holds, on each side, a returned filing (``returned_contract``) and a filed contract
amended once (v2, accepted, current) with a second amendment under review (v3)
(``amended_contract``); the versions themselves are kinds of their own (``older_version``
v1, ``current_version`` v2, ``pending_version`` v3) so their files can be stored per test.
A company corrects and amends its own filings only; an official of the district decides the
amendment; the owners' committee and the engaged evaluator of estate X see the contracts and
download the current version's document only, never an older or a pending one.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds its records to the world.
"""

from tests.security.permission_table import (
    COMMITTEE_X,
    COMPANIES,
    EVALUATOR_X,
    GUESSED_ID,
    OFFICIALS,
    REGULATORS,
    SIDES,
    TRANSITION,
    VIEW,
    Row,
    sees,
)

CONTRACT_VIEWERS = sees(REGULATORS, COMPANIES, COMMITTEE_X, EVALUATOR_X)
# The whole history (older and pending versions): the regulator and the company.
HISTORY_VIEWERS = sees(REGULATORS, COMPANIES)


def build(world, district, estates) -> None:
    import datetime

    from django.utils import timezone

    from enterprises import contracts
    from tests.enterprises.pdfs import contract_pdf

    today = timezone.localdate()
    admin = world.users["admin"]
    o = world.objects
    for kind in ("returned_contract", "amended_contract", *VERSION_KINDS):
        o[kind] = {}
    for side in SIDES:
        company = estates[side].managing_company
        staff = world.users["company_a" if side == 1 else "company_b"]

        def submit(company=company, staff=staff, side=side):
            return contracts.submit_contract(
                actor=staff,
                company=company,
                estate=estates[side],
                starts_on=today,
                ends_on=today + datetime.timedelta(days=730),
                service_level="2",
                fee_per_sqm_month="2.50",
                fee_items="",
                document=contract_pdf(),
            )

        returned = submit()
        contracts.return_contract(returned, actor=admin, reason=f"MK-RETURNED-{side}")
        o["returned_contract"][side] = returned

        amended = submit()
        contracts.file_contract(amended, actor=admin)
        for fees in (f"MK-AMENDED-{side}", f"MK-PENDING-{side}"):
            contracts.amend_contract(
                amended,
                actor=staff,
                starts_on=today,
                ends_on=today + datetime.timedelta(days=1095),
                service_level="1",
                fee_per_sqm_month="3.00",
                fee_items=fees,
                document=contract_pdf("change.pdf"),
                reason="业主大会决定",
            )
            if fees.startswith("MK-AMENDED"):
                contracts.accept_amendment(amended, actor=admin)
        o["amended_contract"][side] = amended
        for number, kind in enumerate(VERSION_KINDS, start=1):
            o[kind][side] = amended.versions.get(number=number)
    world.markers["returned_contract"] = {s: f"MK-RETURNED-{s}" for s in SIDES}
    world.markers["amended_contract"] = {s: f"MK-AMENDED-{s}" for s in SIDES}


VERSION_KINDS = ("older_version", "current_version", "pending_version")


def _versions_state(contract) -> tuple:
    """What a refused POST must leave as it was: the status, the current version, and each
    version's status."""
    from enterprises.models import ContractVersion, ServiceContract

    row = ServiceContract.objects.filter(pk=contract.pk).values_list("status", "version").first()
    versions = ContractVersion.objects.filter(contract_id=contract.pk).order_by("number")
    return row, tuple(versions.values_list("status", flat=True))


def _version_file_args(version) -> tuple:
    return (getattr(version, "contract_id", GUESSED_ID), "versions", version.pk)


def _button(kind: str, name: str, who) -> Row:
    return Row(
        kind,
        TRANSITION,
        f"register_contracts:{name}",
        who,
        method="post",
        data={},
        state=_versions_state,
        shows_marker=False,
    )


def _version_file(kind: str, who) -> Row:
    return Row(
        kind,
        VIEW,
        "register_contracts:file",
        who,
        args=_version_file_args,
        shows_marker=False,
        file_field="document",
        label=f"{kind}-file",
    )


ROWS = [
    # The contract pages show the versions' terms and the return reasons to their viewers.
    Row("returned_contract", VIEW, "register_contracts:inspect", CONTRACT_VIEWERS),
    Row("amended_contract", VIEW, "register_contracts:inspect", CONTRACT_VIEWERS),
    _button("returned_contract", "correct", sees(COMPANIES)),
    _button("amended_contract", "amend", sees(COMPANIES)),
    _button("amended_contract", "accept_amendment", sees(OFFICIALS)),
    _button("amended_contract", "return_amendment", sees(OFFICIALS)),
    _version_file("older_version", HISTORY_VIEWERS),
    _version_file("current_version", CONTRACT_VIEWERS),
    _version_file("pending_version", HISTORY_VIEWERS),
]

VIEWERS = {
    "returned_contract": CONTRACT_VIEWERS,
    "amended_contract": CONTRACT_VIEWERS,
    "older_version": HISTORY_VIEWERS,
    "current_version": CONTRACT_VIEWERS,
    "pending_version": HISTORY_VIEWERS,
}

NOT_OBJECT_SCOPED: dict[str, str] = {}

NOT_YET_COVERED: dict[str, str] = {}
