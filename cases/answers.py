"""The company's answer (答复) on a case dispatched to it, with its evidence files, and the
inspector's review: accepted, or sent back with a note saying what is missing. The case can be
resolved only once the answer to the current dispatch was accepted (``workflow.resolve_case``).

The company never sees the complainant's details; nothing here sends them.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import permissions
from cases.attachments import store_attachment, validate_attachment
from cases.models import (
    AnswerStatus,
    AttachmentKind,
    CaseStatus,
    CompanyAnswer,
    Complaint,
    DispatchStatus,
)
from cases.workflow import (
    TransitionNotAllowed,
    current_company_dispatch,
    district_officials,
    lock,
    log_event,
    tell_staff,
)
from enterprises.access import company_staff


def _refuse_unless_in_progress(locked: Complaint) -> None:
    if locked.status != CaseStatus.IN_PROGRESS:
        raise TransitionNotAllowed(
            _("The case is “%(status)s”, not in progress: there is no answer to give or review.")
            % {"status": locked.get_status_display()}
        )


def submit_answer(complaint: Complaint, *, actor, text: str, files=()) -> CompanyAnswer:
    """The company's staff answer the case they signed for, with evidence files (PDF or
    photos). One answer at a time: the next only after the last was sent back."""
    if not text.strip():
        raise TransitionNotAllowed(_("An answer needs a text saying what the company did."))
    for uploaded in files:
        validate_attachment(uploaded)  # before anything is written: one bad file refuses all
    with transaction.atomic():
        locked = lock(complaint)
        if actor is None or not permissions.can_answer_as_company(actor, locked):
            raise TransitionNotAllowed(
                _("Only staff of the company the case is dispatched to may answer it.")
            )
        _refuse_unless_in_progress(locked)
        dispatch = current_company_dispatch(locked)
        if dispatch is None or dispatch.status != DispatchStatus.SIGNED:
            raise TransitionNotAllowed(_("Sign for the case before answering it."))
        earlier = locked.answers.filter(
            company_id=locked.dispatched_company_id, submitted_at__gte=dispatch.dispatched_at
        )
        if earlier.filter(status=AnswerStatus.SUBMITTED).exists():
            raise TransitionNotAllowed(
                _("The company's earlier answer is still awaiting review: wait for it.")
            )
        if earlier.filter(status=AnswerStatus.ACCEPTED).exists():
            raise TransitionNotAllowed(_("The company's answer was already accepted."))
        answer = CompanyAnswer.objects.create(
            complaint=locked, company_id=locked.dispatched_company_id, text=text, submitted_by=actor
        )
        stored = [
            store_attachment(
                locked, uploaded, kind=AttachmentKind.EVIDENCE, actor=actor, answer=answer
            )
            for uploaded in files
        ]
        event = log_event(
            locked,
            "cases.complaint.answered",
            actor=actor,
            public=False,
            data={"answer": answer.pk, "attachments": [a.pk for a in stored]},
        )
        reviewers = (
            [locked.assigned_inspector]
            if locked.assigned_inspector_id
            else district_officials(locked.district_id)
        )
        with translation.override(settings.LANGUAGE_CODE):
            values = {"number": locked.tracking_number, "company": answer.company}
            subject = _("Case %(number)s: %(company)s answered") % values
            body = _("%(company)s answered case %(number)s. Please review the answer.") % values
        tell_staff(
            reviewers, key=f"complaint:{locked.pk}:event:{event.pk}", subject=subject, body=body
        )
    return answer


def review_answer(answer: CompanyAnswer, *, actor, accept: bool, note: str = "") -> CompanyAnswer:
    """Regulator staff working the case accept the company's answer or send it back with a
    note saying what is missing."""
    if not accept and not note.strip():
        raise TransitionNotAllowed(
            _("Sending an answer back needs a note telling the company what is missing.")
        )
    target = AnswerStatus.ACCEPTED if accept else AnswerStatus.SENT_BACK
    with transaction.atomic():
        locked = lock(answer.complaint)
        current = CompanyAnswer.objects.select_for_update().get(pk=answer.pk)
        if current.status == target:
            return current
        if actor is None or not permissions.can_work(actor, locked):
            raise TransitionNotAllowed(_("Only regulator staff working the case may review it."))
        if current.status != AnswerStatus.SUBMITTED:
            raise TransitionNotAllowed(
                _("This answer was already reviewed (“%(status)s”).")
                % {"status": current.get_status_display()}
            )
        _refuse_unless_in_progress(locked)
        dispatch = current_company_dispatch(locked)
        if (
            dispatch is None
            or current.company_id != dispatch.company_id
            or current.submitted_at < dispatch.dispatched_at
        ):
            raise TransitionNotAllowed(
                _(
                    "This answer was given to an earlier dispatch of the case: only the answer "
                    "to the current dispatch can be reviewed."
                )
            )
        current.status = target
        current.reviewed_by = actor
        current.reviewed_at = timezone.now()
        current.review_note = note
        current.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        action = "cases.answer.accepted" if accept else "cases.answer.sent_back"
        event = log_event(
            locked, action, actor=actor, public=False, data={"answer": current.pk, "note": note}
        )
        with translation.override(settings.LANGUAGE_CODE):
            values = {"number": locked.tracking_number, "note": note}
            if accept:
                subject = _("Case %(number)s: your answer was accepted") % values
                body = _("Your answer on case %(number)s was accepted. %(note)s") % values
            else:
                subject = _("Case %(number)s: your answer was sent back") % values
                body = _("Your answer on case %(number)s was sent back: %(note)s") % values
        staff = company_staff(current.company_id)
        tell_staff(staff, key=f"complaint:{locked.pk}:event:{event.pk}", subject=subject, body=body)
    answer.refresh_from_db()
    return current
