"""Improvement requests (整改要求): the owners' committee presses the company managing its
estate to improve, with a deadline.

States: sent -> answered -> accepted | escalated. A member of the estate's current committee
sends the request and decides on the answer; staff of the company it was sent to answer it.
Escalation opens a case with the regulator: that lives in the cases layer
(``cases.committee_requests``), which calls ``escalate`` here with a function opening the case,
so the request's state and the new case commit together, and only once. Requests unanswered
past their deadline are flagged by the daily sweep (``flag_overdue_requests``) to the company
and the district's officials, once each.

Every function takes the acting user, locks the row, changes everything or nothing in one
transaction and writes the request's history (``foundation.audit.record``).
"""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises import owner_notices, people, permissions
from enterprises.models import Estate, ImprovementRequest, RequestStatus
from foundation import audit

MAX_TEXT = 5_000

SENT = "enterprises.improvement_request.sent"
ANSWERED = "enterprises.improvement_request.answered"
ACCEPTED = "enterprises.improvement_request.accepted"
ESCALATED = "enterprises.improvement_request.escalated"
OVERDUE = "enterprises.improvement_request.overdue_flagged"


class RequestRefused(people.PersonRefused):
    """The request cannot be changed as asked; ``field`` names the form field at fault."""


class RequestNotAllowed(RequestRefused, people.NotAllowed):
    """The actor may not do this to this request."""


def _text(value: str, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise RequestRefused(missing, field)
    if len(value) > MAX_TEXT:
        raise RequestRefused(_("At most %(max)d characters.") % {"max": MAX_TEXT}, field)
    return value


def _refuse_unless_committee(actor, estate: Estate) -> None:
    if not permissions.sits_on_current_committee(actor, estate):
        raise RequestNotAllowed(
            _("Only a member of the estate's current owners' committee may do this."), None
        )


@transaction.atomic
def send_request(*, actor, estate: Estate, text: str, deadline: datetime.date):
    """Send the company managing ``estate`` a request to answer by ``deadline``."""
    _refuse_unless_committee(actor, estate)
    estate = Estate.objects.select_related("managing_company").get(pk=estate.pk)
    if estate.managing_company_id is None:
        raise RequestRefused(_("No company manages this estate at present."), "estate")
    text = _text(text, "text", _("Write what the company should improve."))
    if deadline is None or deadline <= timezone.localdate():
        raise RequestRefused(_("The deadline must be after today."), "deadline")
    request = ImprovementRequest.objects.create(
        estate=estate, company=estate.managing_company, text=text, deadline=deadline, sent_by=actor
    )
    audit.record(request, SENT, actor=actor, deadline=deadline.isoformat())
    return request


def _lock(request: ImprovementRequest) -> ImprovementRequest:
    return (
        ImprovementRequest.objects.select_for_update()
        .select_related("estate", "company")
        .get(pk=request.pk)
    )


@transaction.atomic
def answer_request(request: ImprovementRequest, *, actor, answer: str) -> ImprovementRequest:
    """The company's answer: what it did or will do."""
    request = _lock(request)
    if not permissions.can_act_for_company(actor, request.company):
        raise RequestNotAllowed(_("Only the company the request was sent to answers it."), None)
    if request.status != RequestStatus.SENT:
        raise RequestRefused(_("This request was answered already."), "answer")
    request.answer = _text(answer, "answer", _("Write the company's answer."))
    request.status = RequestStatus.ANSWERED
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    audit.record(request, ANSWERED, actor=actor)
    return request


def _lock_for_decision(request, actor) -> ImprovementRequest:
    request = _lock(request)
    _refuse_unless_committee(actor, request.estate)
    if request.status == RequestStatus.SENT:
        raise RequestRefused(_("The company has not answered yet."), None)
    if request.status == RequestStatus.ESCALATED:
        raise RequestRefused(
            _("This request was escalated already: case %(number)s.")
            % {"number": request.case_tracking_number},
            None,
        )
    if request.status == RequestStatus.ACCEPTED:
        raise RequestRefused(_("The committee accepted this answer already."), None)
    return request


def _decide(request, actor, status: str, note: str) -> None:
    request.status = status
    request.decision_note = (note or "").strip()[:MAX_TEXT]
    request.decided_by = actor
    request.decided_at = timezone.now()


@transaction.atomic
def accept_answer(request: ImprovementRequest, *, actor, note: str = "") -> ImprovementRequest:
    """The committee is satisfied with the answer."""
    request = _lock_for_decision(request, actor)
    _decide(request, actor, RequestStatus.ACCEPTED, note)
    request.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    audit.record(request, ACCEPTED, actor=actor)
    return request


@transaction.atomic
def escalate(
    request: ImprovementRequest,
    *,
    actor,
    note: str,
    open_case: Callable[[ImprovementRequest], str],
) -> ImprovementRequest:
    """The committee is not satisfied: ``open_case`` (the cases layer's) files the case and
    returns its tracking number, in this transaction, after the checks and under the lock, so
    a second escalation is refused and opens nothing."""
    request = _lock_for_decision(request, actor)
    _decide(request, actor, RequestStatus.ESCALATED, _text(note, "note", _("Say why.")))
    request.case_tracking_number = open_case(request)
    request.save(
        update_fields=[
            "status",
            "decision_note",
            "decided_by",
            "decided_at",
            "case_tracking_number",
        ]
    )
    audit.record(request, ESCALATED, actor=actor, case=request.case_tracking_number)
    return request


def history(request: ImprovementRequest) -> str:
    """The request's story in plain text, for the case it becomes."""
    lines = [
        _("Improvement request of the owners' committee of %(estate)s to %(company)s")
        % {"estate": request.estate.name, "company": request.company.name},
        _("Sent on %(date)s, to be answered by %(deadline)s:")
        % {"date": timezone.localtime(request.sent_at).date(), "deadline": request.deadline},
        request.text,
    ]
    if request.answered_at:
        lines += [
            _("The company answered on %(date)s:")
            % {"date": timezone.localtime(request.answered_at).date()},
            request.answer,
        ]
    if request.decision_note:
        lines += [_("The committee escalates it because:"), request.decision_note]
    return "\n\n".join(str(line) for line in lines)


def flag_overdue_requests(today: datetime.date | None = None) -> int:
    """The daily sweep: requests still unanswered after their deadline, flagged once each."""
    today = today or timezone.localdate()
    due = ImprovementRequest.objects.filter(
        status=RequestStatus.SENT, deadline__lt=today, overdue_flagged_at__isnull=True
    )
    flagged = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            request = (
                ImprovementRequest.objects.select_for_update()
                .select_related("estate", "company")
                .filter(pk=pk, status=RequestStatus.SENT, overdue_flagged_at__isnull=True)
                .first()
            )
            if request is None:
                continue
            request.overdue_flagged_at = timezone.now()
            request.save(update_fields=["overdue_flagged_at"])
            values = {"estate": request.estate.name, "date": request.deadline.isoformat()}
            with owner_notices.site_language():
                subject = _("An improvement request for %(estate)s is unanswered") % values
                body = (
                    _(
                        "The owners' committee of %(estate)s asked the company to answer an "
                        "improvement request by %(date)s; it is still unanswered. Answer it in "
                        "the portal."
                    )
                    % values
                )
            owner_notices.tell_company_and_officials(
                request.company,
                request.estate.district_id,
                key=f"improvement_request:{request.pk}:overdue",
                subject=subject,
                body=body,
            )
            audit.record(request, OVERDUE, actor=None, deadline=request.deadline.isoformat())
        flagged += 1
    return flagged
