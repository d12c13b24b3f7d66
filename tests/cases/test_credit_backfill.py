"""The data migration that writes the credit records the recompute used to write itself (for
substantiated complaints it had not reached yet): the same record the resolution writes now."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection

from cases import dispatch, workflow
from cases.models import CaseStatus, Complaint
from enterprises.models import CreditRecord
from foundation.roles import Role
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db
backfill = importlib.import_module(
    "cases.migrations.0011_credit_records_of_substantiated_complaints"
)
FIELDS = ("company_id", "kind", "points", "explanation", "source_label", "occurred_on")


class Editor:
    connection = connection


def resolved(estate, official):
    complaint = make_complaint(estate=estate).complaint
    workflow.accept_case(complaint, actor=official)
    inspector = make_user(f"backfill_inspector_{complaint.pk}", Role.INSPECTOR)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(status="awaiting_signature"), actor=inspector)
    workflow.resolve_case(complaint, actor=official, reply="已处理")
    return complaint


def records() -> dict[str, tuple]:
    rows = CreditRecord.objects.values_list("source_key", *FIELDS, "valid_until")
    return {key: tuple(rest) for key, *rest in rows}


def test_backfill_writes_what_the_resolution_writes(official, estate_x, time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00")
    resolved(estate_x, official)
    second = resolved(estate_x, official)
    pushed = records()
    assert len(pushed) == 2
    CreditRecord.objects.filter(source_key=f"complaint:{second.pk}").delete()
    time_machine.move_to("2026-04-01 10:00 +08:00")
    backfill.write_missing_records(apps, Editor())
    assert records() == pushed


def test_backfill_counts_a_closed_case_without_a_resolution_from_its_last_change(
    official, estate_x, time_machine
):
    time_machine.move_to("2026-03-10 10:00 +08:00")
    closed = make_complaint(estate=estate_x).complaint
    Complaint.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    rejected = make_complaint(estate=estate_x).complaint
    workflow.reject_case(rejected, actor=official, reason="不属于物业服务范围")
    workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    time_machine.move_to("2026-04-01 10:00 +08:00")
    backfill.write_missing_records(apps, Editor())
    [record] = CreditRecord.objects.all()
    assert record.source_key == f"complaint:{closed.pk}"
    assert (record.occurred_on, record.points) == (datetime.date(2026, 3, 10), -2)
