"""The case page's actions: one small POST view per action, all alike.

Each finds the case in the user's scope (404 outside it), checks the user may take the action
at all, binds the action's form, calls the one `cases` service function that does the work,
and goes back to the case page with a success or error message. The services decide about
the case's state and say why they refuse; a refused action changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages

from cases import (
    clock,
    contacts,
    dispatch,
    merging,
    notes,
    permissions,
    retriage,
    returns,
    sign_off,
    transfers,
    workflow,
)
from cases.admin import forms as action_forms
from cases.models import (
    AnswerStatus,
    CaseStatus,
    CompanyAnswer,
    Complaint,
    Dispatch,
    DispatchStatus,
    Extension,
    ExtensionStatus,
    RulingStatus,
    SignOff,
    SignOffStatus,
)


def case_queryset(user):
    """The cases the user may open, with what the case page shows of each."""
    return permissions.visible_complaints(user).select_related(
        "estate__district",
        "district",
        "company",
        "dispatched_company",
        "assigned_inspector",
        "merged_into",
    )


def get_case(user, pk) -> Complaint:
    return permissions.loaded_as_visible(user, get_object_or_404(case_queryset(user), pk=pk))


@dataclass(frozen=True)
class Action:
    """One action of the case page.

    ``allowed(user, complaint)`` is who may take it at all (asked before anything is done);
    ``offered(complaint, target)`` is when the page shows its form. ``target`` is the dispatch,
    answer or extension the action is about (``target_model``), else None.
    """

    name: str
    label: str
    form_class: type[forms.Form]
    allowed: Callable[[object, Complaint], bool]
    offered: Callable[[Complaint, Model | None], bool]
    perform: Callable[[Complaint, object, dict, Model | None, forms.Form], object]
    done: str | Callable[[object], str]  # a callable words what ``perform`` returned
    target_model: type[Model] | None = None
    allowed_for_target: Callable[[object, Model], bool] | None = None
    destructive: bool = False

    @property
    def url_name(self) -> str:
        return f"case_{self.name}"

    def prefix(self, target: Model | None) -> str:
        return self.name if target is None else f"{self.name}-{target.pk}"

    def url(self, complaint: Complaint, target: Model | None = None) -> str:
        args = [complaint.pk] if target is None else [complaint.pk, target.pk]
        return reverse(f"cases_admin:{self.url_name}", args=args)

    def may(self, user, complaint: Complaint, target: Model | None = None) -> bool:
        if not self.allowed(user, complaint):
            return False
        return (
            target is None
            or self.allowed_for_target is None
            or self.allowed_for_target(user, target)
        )

    def form(self, complaint: Complaint, user, target: Model | None = None, data=None, files=None):
        return self.form_class(
            data, files, complaint=complaint, user=user, prefix=self.prefix(target)
        )


def _status_in(*states: str) -> Callable[[Complaint, Model | None], bool]:
    return lambda complaint, target: complaint.status in states


def _resolved_or_proposed(complaint: Complaint) -> str:
    """``workflow.resolve_case`` resolves the case, or only proposes the resolution when the
    case's tier needs an official's sign-off (the case then stays in progress)."""
    if complaint.status == CaseStatus.RESOLVED:
        return gettext("Case resolved.")
    return gettext("The resolution waits for an official's sign-off: this case's tier needs one.")


def _not_requester(user, extension: Extension) -> bool:
    return extension.requested_by_id != user.pk


def _awaits_answer(complaint: Complaint, target) -> bool:
    # Set by the page from the dispatches and answers it loaded, so it costs no query.
    return complaint.status == CaseStatus.IN_PROGRESS and getattr(
        complaint, "awaits_company_answer", True
    )


def _may_ask_extension(complaint: Complaint, target) -> bool:
    pending = getattr(complaint, "extension_pending", False)
    return complaint.status in clock.RUNNING and not pending


def _awaits_ruling(complaint: Complaint, returned: Dispatch) -> bool:
    ruling = getattr(returned, "ruling", None)  # loaded with the page's dispatches
    return ruling is not None and ruling.status == RulingStatus.PENDING


def _not_returner(user, returned: Dispatch) -> bool:
    ruling = getattr(returned, "ruling", None)
    return ruling is None or ruling.returned_by_id != user.pk


def _review(answer: CompanyAnswer, actor, data: dict) -> CompanyAnswer:
    accept = data["decision"] == action_forms.ReviewForm.ACCEPT
    return dispatch.review_answer(answer, actor=actor, accept=accept, note=data["note"])


def _decide(extension: Extension, actor, data: dict) -> Extension:
    approve = data["decision"] == action_forms.ExtensionDecisionForm.APPROVE
    return clock.decide_extension(extension, actor=actor, approve=approve, note=data["note"])


def _decide_sign_off(proposal: SignOff, actor, data: dict) -> SignOff:
    if data["decision"] == action_forms.SignOffDecisionForm.SIGN_OFF:
        return sign_off.sign_off_resolution(proposal, actor=actor, note=data["note"])
    return sign_off.send_back_resolution(proposal, actor=actor, note=data["note"])


def _not_proposer(user, proposal: SignOff) -> bool:
    return proposal.requested_by_id != user.pk


F = action_forms
P = permissions

ACTION_BUTTONS: tuple[Action, ...] = (
    Action(
        "accept",
        _("Accept"),
        F.AcceptForm,
        P.can_work,
        _status_in(CaseStatus.SUBMITTED),
        lambda c, actor, d, t, f: workflow.accept_case(
            c, actor=actor, tier=d["tier"], note=d["note"]
        ),
        _("Case accepted."),
    ),
    Action(
        "reject",
        _("Do not accept"),
        F.ReasonForm,
        P.can_work,
        _status_in(CaseStatus.SUBMITTED),
        lambda c, actor, d, t, f: workflow.reject_case(c, actor=actor, reason=d["reason"]),
        _("Case not accepted; the citizen is told the reason."),
        destructive=True,
    ),
    Action(
        "dispatch",
        _("Dispatch"),
        F.DispatchForm,
        P.can_dispatch,
        _status_in(CaseStatus.ACCEPTED, CaseStatus.REOPENED),
        lambda c, actor, d, t, f: dispatch.dispatch_case(
            c,
            actor=actor,
            inspector=d["inspector"],
            company=d["company"],
            instructions=d["instructions"],
            note=d["note"],
        ),
        _("Case dispatched."),
    ),
    Action(
        "answer",
        _("Submit the company's answer"),
        F.AnswerForm,
        P.can_answer_as_company,
        _awaits_answer,
        lambda c, actor, d, t, f: dispatch.submit_answer(
            c, actor=actor, text=d["text"], files=d["files"] or ()
        ),
        _("Answer submitted for review."),
    ),
    Action(
        "request_information",
        _("Ask the complainant"),
        F.QuestionForm,
        P.can_work,
        lambda c, t: c.status in clock.RUNNING and c.awaiting_complainant_since is None,
        lambda c, actor, d, t, f: clock.request_information(c, actor=actor, question=d["question"]),
        _("Question sent; the clock stops until the complainant answers."),
    ),
    Action(
        "request_extension",
        _("Request an extension"),
        F.ExtensionRequestForm,
        P.can_request_extension,
        _may_ask_extension,
        lambda c, actor, d, t, f: clock.request_extension(
            c, actor=actor, working_days=d["working_days"], reason=d["reason"]
        ),
        _("Extension requested; an official decides."),
    ),
    Action(
        "resolve",
        _("Resolve"),
        F.ResolveForm,
        P.can_work,
        _status_in(CaseStatus.IN_PROGRESS),
        lambda c, actor, d, t, f: workflow.resolve_case(c, actor=actor, reply=d["reply"]),
        _resolved_or_proposed,
    ),
    Action(
        "contact",
        _("Log a contact with the complainant"),
        F.ContactForm,
        P.can_work,
        lambda c, t: c.status in contacts.CONTACT_STATES,
        lambda c, actor, d, t, f: contacts.record_contact(c, actor=actor, summary=d["summary"]),
        _("Contact logged on the case's public timeline."),
    ),
    Action(
        "follow_up",
        _("Record the follow-up call"),
        F.FollowUpForm,
        P.can_work,
        _status_in(CaseStatus.RESOLVED),
        lambda c, actor, d, t, f: workflow.record_follow_up(
            c, actor=actor, satisfaction=d["satisfaction"], comment=d["comment"]
        ),
        _("Follow-up recorded."),
    ),
    Action(
        "close",
        _("Close"),
        F.ConfirmForm,
        P.can_work,
        _status_in(CaseStatus.FOLLOWED_UP),
        lambda c, actor, d, t, f: workflow.close_case(c, actor=actor),
        _("Case closed."),
    ),
    Action(
        "reopen",
        _("Reopen"),
        F.ReasonForm,
        P.can_work,
        _status_in(CaseStatus.FOLLOWED_UP, CaseStatus.CLOSED),
        lambda c, actor, d, t, f: workflow.reopen_case(c, actor=actor, reason=d["reason"]),
        _("Case reopened."),
        destructive=True,
    ),
    Action(
        "merge",
        _("Merge into another case"),
        F.MergeForm,
        P.can_work,
        lambda c, t: c.status in CaseStatus.OPEN_STATES,
        lambda c, actor, d, t, f: merging.merge_complaint(c, into=f.primary, actor=actor),
        _("Case merged into the primary case."),
        destructive=True,
    ),
    Action(
        "note",
        _("Add an internal note"),
        F.NoteForm,
        P.can_work,
        lambda c, t: True,
        lambda c, actor, d, t, f: notes.add_internal_note(
            c, actor=actor, text=d["text"], files=d["files"] or ()
        ),
        _("Internal note added."),
    ),
)

# Re-triage and transfer (转办); the agency's outcome once the case is transferred.
ACTION_BUTTONS += (
    Action(
        "retriage",
        _("Re-triage"),
        F.RetriageForm,
        P.can_retriage,
        lambda c, t: c.status in CaseStatus.OPEN_STATES,
        lambda c, actor, d, t, f: retriage.retriage_case(
            c,
            actor=actor,
            category=d["category"],
            tier=d["tier"],
            estate=d["estate"],
            reason=d["reason"],
        ),
        _("Case re-triaged."),
    ),
    Action(
        "transfer",
        _("Transfer to another agency"),
        F.TransferForm,
        P.can_transfer,
        lambda c, t: c.status in CaseStatus.OPEN_STATES,
        lambda c, actor, d, t, f: transfers.transfer_case(
            c, actor=actor, agency=d["agency"], reason=d["reason"], reference=d["reference"]
        ),
        _("Case transferred; the citizen is told where it went."),
        destructive=True,
    ),
    Action(
        "transfer_outcome",
        _("Record the outcome from the agency"),
        F.TransferOutcomeForm,
        P.can_transfer,
        _status_in(CaseStatus.TRANSFERRED),
        lambda c, actor, d, t, f: transfers.record_transfer_outcome(
            c, actor=actor, outcome=d["outcome"], reference=d["reference"]
        ),
        _("Agency's outcome recorded."),
    ),
)

TARGET_ACTIONS: tuple[Action, ...] = (
    Action(
        "sign",
        _("Sign for the case"),
        F.ConfirmForm,
        P.can_view,
        lambda c, d: d.status == DispatchStatus.AWAITING_SIGNATURE,
        lambda c, actor, d, t, f: dispatch.sign_dispatch(t, actor=actor),
        _("Signed for the case."),
        target_model=Dispatch,
        allowed_for_target=P.can_sign,
    ),
    Action(
        "return",
        _("Return the case"),
        F.ReturnForm,
        P.can_view,
        lambda c, d: d.status == DispatchStatus.AWAITING_SIGNATURE,
        lambda c, actor, d, t, f: dispatch.return_dispatch(
            t, actor=actor, reason_code=d["reason_code"], reason=d["reason"]
        ),
        _("Case returned to the official."),
        target_model=Dispatch,
        allowed_for_target=P.can_sign,
        destructive=True,
    ),
    Action(
        "rule_return",
        _("Rule on the return"),
        F.RulingForm,
        P.can_rule_on_return,
        _awaits_ruling,
        lambda c, actor, d, t, f: returns.rule_on_return(
            t,
            actor=actor,
            uphold=d["decision"] == action_forms.RulingForm.UPHOLD,
            note=d["note"],
            redispatch_to=d["redispatch_to"],
        ),
        _("Return ruled on."),
        target_model=Dispatch,
        allowed_for_target=_not_returner,
    ),
    Action(
        "review",
        _("Review the answer"),
        F.ReviewForm,
        P.can_work,
        lambda c, answer: answer.status == AnswerStatus.SUBMITTED,
        lambda c, actor, d, t, f: _review(t, actor, d),
        _("Answer reviewed."),
        target_model=CompanyAnswer,
    ),
    Action(
        "decide_extension",
        _("Decide"),
        F.ExtensionDecisionForm,
        P.can_decide_extension,
        lambda c, extension: extension.status == ExtensionStatus.REQUESTED,
        lambda c, actor, d, t, f: _decide(t, actor, d),
        _("Extension decided."),
        target_model=Extension,
        allowed_for_target=_not_requester,
    ),
    Action(
        "decide_sign_off",
        _("Decide"),
        F.SignOffDecisionForm,
        P.can_sign_off,
        lambda c, proposal: proposal.status == SignOffStatus.PENDING,
        lambda c, actor, d, t, f: _decide_sign_off(t, actor, d),
        _("Sign-off decided."),
        target_model=SignOff,
        allowed_for_target=_not_proposer,
    ),
)

TARGET_PATHS = {Dispatch: "dispatches", CompanyAnswer: "answers", Extension: "extensions"}
TARGET_PATHS[SignOff] = "sign-offs"


class CaseActionView(View):
    """POST only; a GET is a 405."""

    http_method_names = ["post"]
    action: Action | None = None

    def post(self, request, pk, target_pk=None):
        action = self.action
        complaint = get_case(request.user, pk)
        target = None
        if action.target_model is not None:
            target = get_object_or_404(action.target_model, pk=target_pk, complaint=complaint)
        back = redirect("cases_admin:case", pk=complaint.pk)
        if not action.may(request.user, complaint, target):
            messages.error(request, _not_yours(action))
            return back
        form = action.form(complaint, request.user, target, request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _form_errors(action, form))
            return back
        try:
            result = action.perform(complaint, request.user, form.cleaned_data, target, form)
        except workflow.TransitionNotAllowed as error:
            messages.error(request, _not_done(action, str(error)))
        except ValidationError as error:
            messages.error(request, _not_done(action, " ".join(error.messages)))
        else:
            done = action.done(result) if callable(action.done) else action.done
            messages.success(request, str(done))
            permissions.forget_visibility(complaint)
            if not permissions.can_view(request.user, complaint):
                # E.g. a company that returned its dispatch no longer sees the case.
                return redirect("cases_admin:workbench")
        return back


def _not_yours(action: Action) -> str:
    return gettext("You may not use “%(action)s” on this case.") % {"action": action.label}


def _not_done(action: Action, reason: str) -> str:
    return gettext("“%(action)s” was not done: %(reason)s") % {
        "action": action.label,
        "reason": reason,
    }


def _form_errors(action: Action, form: forms.Form) -> str:
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        problems.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return _not_done(action, " ".join(problems))


def action_urlpatterns() -> list:
    patterns = [
        path(f"<int:pk>/{a.name}/", CaseActionView.as_view(action=a), name=a.url_name)
        for a in ACTION_BUTTONS
    ]
    for a in TARGET_ACTIONS:
        route = f"<int:pk>/{TARGET_PATHS[a.target_model]}/<int:target_pk>/{a.name}/"
        patterns.append(path(route, CaseActionView.as_view(action=a), name=a.url_name))
    return patterns
