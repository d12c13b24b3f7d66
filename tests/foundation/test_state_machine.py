"""The state-machine helper on its own: a licence row and a small table of its own stand in
for any machine (the machines' own tests cover their verbs)."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from wagtail.models import ModelLogEntry

from enterprises.models import Licence, LicenceStatus
from foundation.state_machine import StateMachine

pytestmark = pytest.mark.django_db
APPROVED = "enterprises.licence.approved"


class Refused(Exception):
    pass


MACHINE = StateMachine(
    Licence,
    transitions={
        **{status: set() for status in LicenceStatus},
        LicenceStatus.APPLIED: {LicenceStatus.APPROVED, LicenceStatus.REJECTED},
        LicenceStatus.SUSPENDED: {LicenceStatus.APPROVED},
    },
    error=Refused,
    refusal=gettext_lazy("A licence that is “%(current)s” cannot become “%(target)s”."),
)


@pytest.fixture
def applied(company_a):
    return Licence.objects.create(company=company_a, scope="住宅物业管理")


def entries(licence) -> list:
    return list(ModelLogEntry.objects.for_instance(licence).values_list("action", "data"))


def test_a_move_saves_status_and_fields_and_writes_one_entry(applied, official):
    locked = MACHINE.transition(
        applied,
        LicenceStatus.APPROVED,
        actor=official,
        action=APPROVED,
        data={"number": "WY-1"},
        number="WY-1",
    )
    assert (locked.status, applied.status, applied.number) == ("approved", "approved", "WY-1")
    assert entries(applied) == [
        (APPROVED, {"from_status": "applied", "to_status": "approved", "number": "WY-1"})
    ]


def test_a_repeat_returns_quietly_and_writes_nothing(applied, official):
    for _ in range(2):
        MACHINE.transition(applied, LicenceStatus.APPROVED, actor=official, action=APPROVED)
    assert len(entries(applied)) == 1


def test_a_refusal_raises_the_machines_error_in_the_active_language(applied, official):
    with translation.override("en"), pytest.raises(Refused) as refused:
        MACHINE.transition(applied, LicenceStatus.REVOKED, actor=official, action=APPROVED)
    assert str(refused.value) == "A licence that is “Applied” cannot become “Revoked”."
    with translation.override("zh-hans"), pytest.raises(Refused) as refused:
        MACHINE.transition(applied, LicenceStatus.REVOKED, actor=official, action=APPROVED)
    assert str(refused.value) == "处于“已申请”状态的资质不能变更为“已吊销”。"
    applied.refresh_from_db()
    assert applied.status == LicenceStatus.APPLIED and entries(applied) == []


def test_the_callers_permission_is_checked_before_the_table(applied):
    with pytest.raises(Refused, match="^not yours$"):
        MACHINE.check(applied, LicenceStatus.REVOKED, permitted=False, denied="not yours")


def test_sources_narrow_the_table_for_one_verb(applied, official):
    with pytest.raises(Refused):
        MACHINE.check(applied, LicenceStatus.APPROVED, sources={LicenceStatus.SUSPENDED})
    MACHINE.check(applied, LicenceStatus.APPROVED, sources={LicenceStatus.APPLIED})


def test_a_refused_guard_moves_nothing(applied, official):
    def authorise(locked, actor):
        raise Refused("no")

    with pytest.raises(Refused):
        MACHINE.transition(
            applied, LicenceStatus.APPROVED, actor=official, action=APPROVED, authorise=authorise
        )
    applied.refresh_from_db()
    assert applied.status == LicenceStatus.APPLIED and entries(applied) == []


def test_the_callers_writer_and_side_effects_after_commit(
    applied, official, django_capture_on_commit_callbacks
):
    written, ran = [], []

    def writer(instance, action, **data):
        written.append((instance.pk, action, data))
        return "entry"

    with django_capture_on_commit_callbacks() as callbacks:
        MACHINE.transition(
            applied,
            LicenceStatus.REJECTED,
            actor=official,
            action="enterprises.licence.rejected",
            data={"reason": "材料不全"},
            writer=writer,
            on_commit=[lambda: ran.append("sent")],
        )
        assert ran == []  # not before the commit
    assert written == [
        (
            applied.pk,
            "enterprises.licence.rejected",
            {
                "actor": official,
                "from_status": "applied",
                "to_status": "rejected",
                "reason": "材料不全",
            },
        )
    ]
    assert entries(applied) == []
    for callback in callbacks:
        callback()
    assert ran == ["sent"]


def test_a_refused_move_queues_no_side_effect(
    applied, official, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Refused):
        MACHINE.transition(
            applied,
            LicenceStatus.REVOKED,
            actor=official,
            action=APPROVED,
            on_commit=[lambda: None],
        )
    assert callbacks == []


def test_a_sweep_moves_each_due_row_once_after_locking_what_comes_first(company_a):
    due = [Licence.objects.create(company=company_a, scope=f"范围{i}") for i in range(2)]
    Licence.objects.create(company=company_a, scope="已核准", status=LicenceStatus.APPROVED)
    order = []
    sweep = {
        "to": LicenceStatus.REJECTED,
        "action": "enterprises.licence.rejected",
        "data": lambda locked: {"scope": locked.scope},
        "lock_first": lambda pk: order.append(("first", pk)) or pk,
        "then": lambda locked, first: order.append(("then", locked.pk, first)),
    }
    assert MACHINE.sweep(Licence.objects.filter(status=LicenceStatus.APPLIED), **sweep) == 2
    assert sorted(order) == sorted(
        [("first", row.pk) for row in due] + [("then", row.pk, row.pk) for row in due]
    )
    assert MACHINE.sweep(Licence.objects.filter(status=LicenceStatus.APPLIED), **sweep) == 0
    for row in due:
        assert entries(row) == [
            (
                "enterprises.licence.rejected",
                {"from_status": "applied", "to_status": "rejected", "scope": row.scope},
            )
        ]
