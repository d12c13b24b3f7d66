"""SLA supervision (督办): the sweep that Celery beat runs every few minutes.

For each open case whose clock runs, in this order and each at most once:
  1. warning (预警): less than `sla.AMBER_SHARE` of its time left — the assigned inspector is
     told, or the district officials when nobody is assigned yet;
  2. overdue (超期): past ``resolve_due_at`` — flagged and escalated to the district officials
     (level 1);
  3. still overdue by more than ``CASE_ESCALATE_TO_HEAD_AFTER_HOURS`` working hours —
     escalated to the heads of department (level 2).
The first response (首次响应, ``respond_due_at``) runs its own two rungs while no reply or
contact was noted (``first_responded_at``): a warning under the same share of time left (to
the assigned inspector, else the district officials) and, once past due, a flag escalated to
the district officials.
Dispatches a unit has not signed for (签收) by ``sign_due_at`` are flagged to the district
officials, and so are returns (退单) no official ruled on by ``ReturnRuling.rule_due_at``
(escalated to the heads of department when the district has no official). A paused case
(waiting on the complainant) is left alone.

The flags on the rows make the sweep idempotent: each case is re-read under a row lock before
anything is done, so two sweeps at once, or a task delivered twice, act once. Messages carry
the timeline event in their dedup key, so none goes out twice either.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import calendar, sla
from cases.models import (
    CaseEvent,
    Complaint,
    Dispatch,
    DispatchStatus,
    ReturnRuling,
    RulingStatus,
)
from cases.signals import complaints_changed
from cases.workflow import log_event
from foundation.notifications import notify
from foundation.roles import Role

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
WARN, OVERDUE, LEVEL_1, LEVEL_2 = "warn", "overdue", "level_1", "level_2"
RULING_LATE = "ruling_late"
RESPONSE_WARN, RESPONSE_OVERDUE = "response_warn", "response_overdue"
# Only what the sweep reads to decide; the row is re-read in full under its lock.
DECISION_FIELDS = (
    "pk",
    "status",
    "created_at",
    "resolve_due_at",
    "awaiting_complainant_since",
    "sla_warned_at",
    "overdue_since",
    "escalation_level",
    "respond_due_at",
    "first_responded_at",
    "first_response_warned_at",
    "first_response_overdue_since",
)


@dataclass
class SweepReport:
    """How many cases (or dispatches) each rung of the ladder caught in one sweep."""

    warned: int = 0
    overdue: int = 0
    escalated_to_official: int = 0
    escalated_to_head: int = 0
    signatures_late: int = 0
    rulings_late: int = 0
    response_warned: int = 0
    response_overdue: int = 0


def sweep_sla(now: dt.datetime | None = None) -> SweepReport:
    """Warn, mark overdue, escalate and flag late signatures as of ``now``."""
    now = now or timezone.now()
    report = SweepReport()
    # The corrections table holds a handful of rows: load it once for every case.
    overrides = calendar.load_overrides(dt.date.min)
    recipients = _Recipients()
    for batch in _batches(_cases_to_check(now).only(*DECISION_FIELDS)):
        for complaint in batch:
            if _steps(complaint, now, overrides):
                _supervise(complaint.pk, now, overrides, recipients, report)
    late = Dispatch.objects.filter(
        status=DispatchStatus.AWAITING_SIGNATURE,
        sign_due_at__lt=now,
        sign_overdue_at__isnull=True,
    ).exclude(complaint__status__in=sla.FINISHED)
    for batch in _batches(late.only("pk", "complaint_id")):
        for dispatch in batch:
            _flag_late_signature(dispatch, now, recipients, report)
    late_rulings = ReturnRuling.objects.filter(
        status=RulingStatus.PENDING, rule_due_at__lt=now, overdue_since__isnull=True
    ).exclude(complaint__status__in=sla.FINISHED)
    for batch in _batches(late_rulings.only("pk", "complaint_id")):
        for ruling in batch:
            _flag_late_ruling(ruling, now, recipients, report)
    return report


def _cases_to_check(now: dt.datetime) -> QuerySet[Complaint]:
    running = Complaint.objects.exclude(status__in=sla.FINISHED).filter(
        awaiting_complainant_since__isnull=True, resolve_due_at__isnull=False
    )
    not_warned_yet = Q(sla_warned_at__isnull=True, resolve_due_at__gte=now)
    past_due = Q(resolve_due_at__lt=now) & (
        Q(overdue_since__isnull=True) | Q(escalation_level__lt=2)
    )
    response_open = Q(first_responded_at__isnull=True, respond_due_at__isnull=False)
    response_due = response_open & (
        Q(first_response_warned_at__isnull=True, respond_due_at__gte=now)
        | Q(first_response_overdue_since__isnull=True, respond_due_at__lt=now)
    )
    return running.filter(not_warned_yet | past_due | response_due)


def _batches(queryset: QuerySet) -> Iterator[list]:
    """Keyset pages by primary key: rows flagged meanwhile simply drop out of later pages."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH_SIZE])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _response_steps(complaint: Complaint, now: dt.datetime, overrides) -> list[str]:
    """What the first-response rungs still owe this case at ``now``."""
    due = complaint.respond_due_at
    if due is None or complaint.first_responded_at is not None:
        return []
    if now > due:
        return [] if complaint.first_response_overdue_since else [RESPONSE_OVERDUE]
    if complaint.first_response_warned_at is None:
        share = sla.time_left_share(complaint, now, overrides=overrides, due=due)
        if share is not None and share < sla.AMBER_SHARE:
            return [RESPONSE_WARN]
    return []


def _steps(complaint: Complaint, now: dt.datetime, overrides: calendar.Overrides) -> list[str]:
    """What the ladder still owes this case at ``now``."""
    due = complaint.resolve_due_at
    if (
        due is None
        or complaint.status in sla.FINISHED
        or complaint.awaiting_complainant_since is not None
    ):
        return []
    return _response_steps(complaint, now, overrides) + _resolve_steps(complaint, now, overrides)


def _resolve_steps(complaint: Complaint, now: dt.datetime, overrides) -> list[str]:
    due = complaint.resolve_due_at
    if now <= due:
        if complaint.sla_warned_at is None:
            share = sla.time_left_share(complaint, now, overrides=overrides)
            if share is not None and share < sla.AMBER_SHARE:
                return [WARN]
        return []
    steps = []
    if complaint.overdue_since is None:
        steps.append(OVERDUE)
    if complaint.escalation_level < 1:
        steps.append(LEVEL_1)
    if complaint.escalation_level < 2:
        late_by = calendar.working_hours_between(due, now, overrides=overrides)
        if late_by > settings.CASE_ESCALATE_TO_HEAD_AFTER_HOURS:
            steps.append(LEVEL_2)
    return steps


def _supervise(pk: int, now, overrides, recipients: _Recipients, report: SweepReport) -> None:
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .select_related("assigned_inspector")
            .filter(pk=pk)
            .first()
        )
        if complaint is None:
            return
        steps = _steps(complaint, now, overrides)  # again, under the lock
        if not steps:
            return
        _supervise_response(complaint, steps, now, recipients, report)
        due = complaint.resolve_due_at.astimezone(calendar.TIMEZONE)
        texts = {"number": complaint.tracking_number, "due": f"{due:%Y-%m-%d %H:%M}"}
        if WARN in steps:
            complaint.sla_warned_at = now
            event = log_event(
                complaint,
                "cases.complaint.sla_warning",
                actor=None,
                public=False,
                data={"due": due.isoformat()},
            )
            inspector = complaint.assigned_inspector
            people = [inspector] if inspector and inspector.email else None
            _tell(people or recipients.officials(complaint.district_id), event, WARN, texts)
            report.warned += 1
        if OVERDUE in steps:
            complaint.overdue_since = now
            log_event(
                complaint,
                "cases.complaint.overdue",
                actor=None,
                public=False,
                data={"due": due.isoformat()},
            )
            report.overdue += 1
        for step, level in ((LEVEL_1, 1), (LEVEL_2, 2)):
            if step not in steps:
                continue
            complaint.escalation_level = level
            event = log_event(
                complaint,
                "cases.complaint.escalated",
                actor=None,
                public=False,
                data={"level": level},
            )
            if level == 1:
                _tell(recipients.officials(complaint.district_id), event, step, texts)
                report.escalated_to_official += 1
            else:
                _tell(recipients.heads(), event, step, texts)
                report.escalated_to_head += 1
        complaint.save(
            update_fields=[
                "sla_warned_at",
                "overdue_since",
                "escalation_level",
                "first_response_warned_at",
                "first_response_overdue_since",
                "updated_at",
            ]
        )
        complaints_changed([complaint.pk])


def _supervise_response(complaint, steps, now, recipients: _Recipients, report) -> None:
    """The first-response rungs, on the row locked by ``_supervise`` (saved by it)."""
    if RESPONSE_WARN not in steps and RESPONSE_OVERDUE not in steps:
        return
    due = complaint.respond_due_at.astimezone(calendar.TIMEZONE)
    texts = {"number": complaint.tracking_number, "due": f"{due:%Y-%m-%d %H:%M}"}
    if RESPONSE_WARN in steps:
        complaint.first_response_warned_at = now
        event = log_event(
            complaint,
            "cases.complaint.first_response_warning",
            actor=None,
            public=False,
            data={"due": due.isoformat()},
        )
        inspector = complaint.assigned_inspector
        people = [inspector] if inspector and inspector.email else None
        _tell(people or recipients.officials(complaint.district_id), event, RESPONSE_WARN, texts)
        report.response_warned += 1
    if RESPONSE_OVERDUE in steps:
        complaint.first_response_overdue_since = now
        event = log_event(
            complaint,
            "cases.complaint.first_response_overdue",
            actor=None,
            public=False,
            data={"due": due.isoformat()},
        )
        _tell(recipients.officials(complaint.district_id), event, RESPONSE_OVERDUE, texts)
        report.response_overdue += 1


def _flag_late_signature(
    dispatch: Dispatch, now, recipients: _Recipients, report: SweepReport
) -> None:
    with transaction.atomic():
        # The case first, then the dispatch: the order in which signing locks them.
        complaint = Complaint.objects.select_for_update().filter(pk=dispatch.complaint_id).first()
        locked = (
            Dispatch.objects.select_for_update(of=("self",))
            .select_related("inspector", "company")
            .filter(
                pk=dispatch.pk,
                status=DispatchStatus.AWAITING_SIGNATURE,
                sign_overdue_at__isnull=True,
            )
            .first()
        )
        if complaint is None or locked is None or complaint.status in sla.FINISHED:
            return
        locked.sign_overdue_at = now
        locked.save(update_fields=["sign_overdue_at"])
        unit = locked.company.name if locked.company_id else str(locked.inspector)
        due = locked.sign_due_at.astimezone(calendar.TIMEZONE)
        event = log_event(
            complaint,
            "cases.dispatch.sign_late",
            actor=None,
            public=False,
            data={"dispatch": locked.pk, "unit": unit, "sign_due_at": due.isoformat()},
        )
        texts = {
            "number": complaint.tracking_number,
            "due": f"{due:%Y-%m-%d %H:%M}",
            "unit": unit,
        }
        _tell(recipients.officials(complaint.district_id), event, "sign_late", texts)
        report.signatures_late += 1


def _flag_late_ruling(
    ruling: ReturnRuling, now, recipients: _Recipients, report: SweepReport
) -> None:
    """A return nobody ruled on in time: flagged once, the district's officials told."""
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().filter(pk=ruling.complaint_id).first()
        locked = (
            ReturnRuling.objects.select_for_update(of=("self",))
            .select_related("dispatch__inspector", "dispatch__company")
            .filter(pk=ruling.pk, status=RulingStatus.PENDING, overdue_since__isnull=True)
            .first()
        )
        if complaint is None or locked is None:
            return
        locked.overdue_since = now
        locked.save(update_fields=["overdue_since"])
        returned = locked.dispatch
        unit = returned.company.name if returned.company_id else str(returned.inspector)
        due = locked.rule_due_at.astimezone(calendar.TIMEZONE)
        event = log_event(
            complaint,
            "cases.dispatch.ruling_late",
            actor=None,
            public=False,
            data={"dispatch": returned.pk, "unit": unit, "rule_due_at": due.isoformat()},
        )
        texts = {"number": complaint.tracking_number, "due": f"{due:%Y-%m-%d %H:%M}", "unit": unit}
        _tell(recipients.officials(complaint.district_id), event, RULING_LATE, texts)
        report.rulings_late += 1


class _Recipients:
    """Officials to e-mail, read once per district (and once for the heads) per sweep."""

    def __init__(self) -> None:
        self._by_district: dict[int, list] = {}
        self._heads: list | None = None

    @staticmethod
    def _officials():
        return (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.OFFICIAL)
            .exclude(email="")
            .order_by("pk")
            .distinct()
        )

    def officials(self, district_id: int | None) -> list:
        """The district's officials; with no district or none there, the heads (as
        `workflow.district_officials` decides)."""
        if district_id is None:
            return self.heads()
        if district_id not in self._by_district:
            self._by_district[district_id] = list(
                self._officials().filter(staff_profile__district_id=district_id)
            )
        return self._by_district[district_id] or self.heads()

    def heads(self) -> list:
        """Heads of department: city-wide officials (`is_head_of_department`)."""
        if self._heads is None:
            self._heads = list(self._officials().filter(staff_profile__city_wide=True))
        return self._heads


def _tell(people, event: CaseEvent, step: str, texts: dict) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _message(step, texts)
    for person in people:
        notify(
            dedup_key=f"complaint:{event.complaint_id}:event:{event.pk}:user:{person.pk}",
            subject=subject,
            body=body,
            email=person.email,
        )


def _message(step: str, texts: dict) -> tuple[str, str]:
    if step == WARN:
        return (
            _("Case %(number)s is due soon") % texts,
            _(
                "Case %(number)s must be resolved by %(due)s and less than a quarter of its "
                "time is left."
            )
            % texts,
        )
    if step == RESPONSE_WARN:
        return (
            _("Case %(number)s: first response due soon") % texts,
            _(
                "Nobody has replied to or contacted the complainant of case %(number)s yet; "
                "the first response is due by %(due)s and less than a quarter of its time is "
                "left."
            )
            % texts,
        )
    if step == RESPONSE_OVERDUE:
        return (
            _("Case %(number)s: first response overdue") % texts,
            _(
                "The complainant of case %(number)s was to be answered or contacted by %(due)s "
                "and has not been. It is escalated to you, the district's official, for "
                "supervision."
            )
            % texts,
        )
    if step == LEVEL_1:
        return (
            _("Case %(number)s is overdue") % texts,
            _(
                "Case %(number)s was due by %(due)s and is not resolved. It is escalated to "
                "you, the district's official, for supervision."
            )
            % texts,
        )
    if step == LEVEL_2:
        return (
            _("Case %(number)s is still overdue") % texts,
            _(
                "Case %(number)s was due by %(due)s and is still not resolved after the "
                "district official's supervision. It is escalated to the head of department."
            )
            % texts,
        )
    if step == RULING_LATE:
        return (
            _("The return of case %(number)s awaits a ruling") % texts,
            _(
                "%(unit)s returned case %(number)s and no official ruled on the return by "
                "%(due)s. Uphold or overrule it on the case page."
            )
            % texts,
        )
    return (
        _("Case %(number)s was not signed for in time") % texts,
        _("%(unit)s did not sign for case %(number)s by %(due)s.") % texts,
    )
