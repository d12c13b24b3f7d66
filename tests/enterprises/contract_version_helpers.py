"""Shared fixtures' helpers of the contract correction (补正) and amendment (变更) tests."""

import datetime
from decimal import Decimal

from enterprises import contracts
from enterprises.models import ServiceContract
from tests.enterprises.pdfs import contract_pdf
from tests.enterprises.test_contracts import ENDS, STARTS, audit_trail

NEW_ENDS = datetime.date(2029, 12, 31)


def terms(**overrides) -> dict:
    fields = {
        "starts_on": STARTS,
        "ends_on": NEW_ENDS,
        "service_level": "1",
        "fee_per_sqm_month": Decimal("3.20"),
        "fee_items": "车位管理费 90元/月",
    }
    fields.update(overrides)
    return fields


def correct(contract, actor, **overrides):
    fields = {**terms(), "document": contract_pdf("corrected.pdf"), "note": "补齐附件"}
    fields.update(overrides)
    return contracts.correct_contract(contract, actor=actor, **fields)


def amend(contract, actor, **overrides):
    fields = {**terms(), "document": contract_pdf("change.pdf"), "reason": "业主大会决定调价"}
    fields.update(overrides)
    return contracts.amend_contract(contract, actor=actor, **fields)


def state(contract) -> dict:
    """Everything a refused verb must leave as it was."""
    row = ServiceContract.objects.select_related("estate").get(pk=contract.pk)
    return {
        "status": row.status,
        "terms": (row.starts_on, row.ends_on, row.service_level, row.fee_per_sqm_month),
        "document": row.document.name,
        "version": row.version,
        "reason": row.decision_reason,
        "manager": row.estate.managing_company_id,
        "versions": list(row.versions.order_by("number").values_list("number", "status")),
        "audit": audit_trail(row),
    }


__all__ = ["ENDS", "NEW_ENDS", "STARTS", "amend", "correct", "state", "terms"]
