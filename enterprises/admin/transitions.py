"""Transition buttons of the register screens (核准, 退回, 暂停 ...): small POST-only views.

Each parses a small form, calls the one function of the owning module that performs the
transition, and redirects back to the record with a success or error message. The functions
decide; this module only chooses which buttons to show (the record's state and a cheap check
of the user) and answers 403 when the refusal was about the user rather than the record.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.admin.utils import quote
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages

from enterprises import contracts, credit, disclosures, licensing, permissions
from enterprises.admin.forms import (
    ApprovalForm,
    DecisionForm,
    NoQuestionsForm,
    NoteForm,
    PenaltyForm,
    ReasonForm,
    RenewalForm,
)
from enterprises.models import (
    AppealStatus,
    ContractStatus,
    CreditAppeal,
    CreditRecord,
    Disclosure,
    Licence,
    LicenceStatus,
    ServiceContract,
)

# Who may press which button -----------------------------------------------------------------


def _decides_for_licence(user, licence: Licence) -> bool:
    return permissions.can_decide_for_company(user, licence.company)


def _acts_for_licence(user, licence: Licence) -> bool:
    return permissions.can_act_for_company(user, licence.company)


def _decides_for_contract(user, contract: ServiceContract) -> bool:
    return permissions.can_decide_for_estate(user, contract.estate)


def _may_terminate(user, contract: ServiceContract) -> bool:
    return _decides_for_contract(user, contract) or permissions.can_act_for_company(
        user, contract.company
    )


def _acts_for_disclosure(user, disclosure: Disclosure) -> bool:
    return permissions.can_act_for_company(user, disclosure.company)


def _acts_for_record(user, record: CreditRecord) -> bool:
    return permissions.can_act_for_company(user, record.company)


def _decides_appeal(user, appeal: CreditAppeal) -> bool:
    return permissions.can_decide_for_company(user, appeal.record.company)


# The buttons --------------------------------------------------------------------------------


def _status(obj) -> str:
    return obj.status


@dataclass(frozen=True)
class Transition:
    """One button: offered in ``states`` to users passing ``may``; ``perform`` calls the
    owning module with the acting user and the form's cleaned data."""

    name: str
    label: str
    model: type
    states: frozenset
    may: Callable[[object, object], bool]
    perform: Callable[[object, object, dict], object]
    errors: tuple[type[Exception], ...]
    done: str
    form_class: type[forms.Form] = NoQuestionsForm
    initial: Callable[[object], dict] | None = None
    state: Callable[[object], str] = _status
    destructive: bool = False


L, C, A = LicenceStatus, ContractStatus, AppealStatus
LICENCE_ERRORS = (licensing.LicenceError,)
CONTRACT_ERRORS = (contracts.ContractError,)
CREDIT_ERRORS = (credit.CreditError,)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "approve",
        _("Approve"),
        Licence,
        frozenset({L.APPLIED}),
        _decides_for_licence,
        lambda licence, actor, data: licensing.approve_licence(
            licence,
            actor=actor,
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            number=data["number"] or None,
        ),
        LICENCE_ERRORS,
        _("Licence “%(object)s” approved."),
        ApprovalForm,
        initial=lambda licence: {"valid_from": timezone.localdate()},
    ),
    Transition(
        "reject",
        _("Reject"),
        Licence,
        frozenset({L.APPLIED}),
        _decides_for_licence,
        lambda licence, actor, data: licensing.reject_licence(
            licence, actor=actor, reason=data["reason"]
        ),
        LICENCE_ERRORS,
        _("Licence application “%(object)s” rejected."),
        ReasonForm,
        destructive=True,
    ),
    Transition(
        "suspend",
        _("Suspend"),
        Licence,
        frozenset({L.APPROVED}),
        _decides_for_licence,
        lambda licence, actor, data: licensing.suspend_licence(
            licence,
            actor=actor,
            reason=data["reason"],
            penalty_reference=data["penalty_reference"],
        ),
        LICENCE_ERRORS,
        _("Licence “%(object)s” suspended."),
        PenaltyForm,
        destructive=True,
    ),
    Transition(
        "reinstate",
        _("Reinstate"),
        Licence,
        frozenset({L.SUSPENDED}),
        _decides_for_licence,
        lambda licence, actor, data: licensing.reinstate_licence(
            licence, actor=actor, note=data["note"]
        ),
        LICENCE_ERRORS,
        _("Licence “%(object)s” reinstated."),
        NoteForm,
    ),
    Transition(
        "revoke",
        _("Revoke"),
        Licence,
        frozenset({L.APPROVED, L.SUSPENDED}),
        _decides_for_licence,
        lambda licence, actor, data: licensing.revoke_licence(
            licence,
            actor=actor,
            reason=data["reason"],
            penalty_reference=data["penalty_reference"],
        ),
        LICENCE_ERRORS,
        _("Licence “%(object)s” revoked."),
        PenaltyForm,
        destructive=True,
    ),
    Transition(
        "renew",
        _("Apply for renewal"),
        Licence,
        frozenset({L.APPROVED}),
        _acts_for_licence,
        lambda licence, actor, data: licensing.apply_for_licence(
            licence.company, actor=actor, scope=data["scope"], renewal_of=licence
        ),
        LICENCE_ERRORS,
        _("Renewal of licence “%(object)s” applied for."),
        RenewalForm,
        initial=lambda licence: {"scope": licence.scope},
    ),
    Transition(
        "file",
        _("File"),
        ServiceContract,
        frozenset({C.SUBMITTED}),
        _decides_for_contract,
        lambda contract, actor, data: contracts.file_contract(contract, actor=actor),
        CONTRACT_ERRORS,
        _("Contract “%(object)s” filed."),
    ),
    Transition(
        "return",
        _("Return"),
        ServiceContract,
        frozenset({C.SUBMITTED}),
        _decides_for_contract,
        lambda contract, actor, data: contracts.return_contract(
            contract, actor=actor, reason=data["reason"]
        ),
        CONTRACT_ERRORS,
        _("Contract “%(object)s” returned."),
        ReasonForm,
        destructive=True,
    ),
    Transition(
        "terminate",
        _("Terminate"),
        ServiceContract,
        frozenset({C.FILED}),
        _may_terminate,
        lambda contract, actor, data: contracts.terminate_contract(
            contract, actor=actor, reason=data["reason"]
        ),
        CONTRACT_ERRORS,
        _("Contract “%(object)s” terminated."),
        ReasonForm,
        destructive=True,
    ),
    Transition(
        "publish",
        _("Publish"),
        Disclosure,
        frozenset({"draft"}),
        _acts_for_disclosure,
        lambda disclosure, actor, data: disclosures.publish_disclosure(disclosure, actor=actor),
        (disclosures.DisclosureError,),
        _("Disclosure “%(object)s” published."),
        state=lambda disclosure: "published" if disclosure.published else "draft",
    ),
    Transition(
        "appeal",
        _("Appeal"),
        CreditRecord,
        frozenset({"standing"}),
        _acts_for_record,
        lambda record, actor, data: credit.appeal_credit_record(
            record, actor=actor, reason=data["reason"]
        ),
        CREDIT_ERRORS,
        _("Appeal against “%(object)s” submitted."),
        ReasonForm,
        state=lambda record: "withdrawn" if record.withdrawn else "standing",
    ),
    Transition(
        "uphold",
        _("Uphold"),
        CreditAppeal,
        frozenset({A.SUBMITTED}),
        _decides_appeal,
        lambda appeal, actor, data: credit.uphold_appeal(
            appeal, actor=actor, decision=data["decision"]
        ),
        CREDIT_ERRORS,
        _("Appeal “%(object)s” upheld; the record is withdrawn."),
        DecisionForm,
    ),
    Transition(
        "dismiss",
        _("Dismiss"),
        CreditAppeal,
        frozenset({A.SUBMITTED}),
        _decides_appeal,
        lambda appeal, actor, data: credit.dismiss_appeal(
            appeal, actor=actor, decision=data["decision"]
        ),
        CREDIT_ERRORS,
        _("Appeal “%(object)s” dismissed."),
        DecisionForm,
        destructive=True,
    ),
)


# Other apps' screens reuse these buttons for their own records (cases.admin.supervision).
_REGISTERED: list[Transition] = []


def register_transitions(*transitions: Transition) -> None:
    """Offer more buttons through the same views (called once, from an app's admin module)."""
    known = {(t.model, t.name) for t in (*TRANSITIONS, *_REGISTERED)}
    _REGISTERED.extend(t for t in transitions if (t.model, t.name) not in known)


def transitions_for(model: type) -> list[Transition]:
    return [t for t in (*TRANSITIONS, *_REGISTERED) if t.model is model]


def available_transitions(request, obj, url_namespace: str) -> list[dict]:
    """The buttons to show on a record's inspect screen, each with its unbound form."""
    offered = []
    for transition in transitions_for(type(obj)):
        if transition.state(obj) not in transition.states:
            continue
        if not transition.may(request.user, obj):
            continue
        initial = transition.initial(obj) if transition.initial else None
        offered.append(
            {
                "transition": transition,
                "form": transition.form_class(initial=initial, prefix=transition.name),
                "url": reverse(f"{url_namespace}:{transition.name}", args=(quote(obj.pk),)),
            }
        )
    return offered


# The view -----------------------------------------------------------------------------------


class TransitionView(View):
    """POST only (a GET is a 405): the record comes from the user's scope (404 outside it)."""

    http_method_names = ["post"]
    transition: Transition | None = None
    scope = None
    inspect_url_name: str | None = None

    def post(self, request, pk):
        transition = self.transition
        obj = get_object_or_404(self.scope(request.user), pk=pk)
        back = reverse(self.inspect_url_name, args=(quote(obj.pk),))
        form = transition.form_class(request.POST, request.FILES, prefix=transition.name)
        if not form.is_valid():
            if not transition.may(request.user, obj):
                return refused(request, _not_yours(transition, obj), back)
            messages.error(request, _form_errors(transition, form))
            return redirect(back)
        try:
            transition.perform(obj, request.user, form.cleaned_data)
        except transition.errors as error:
            if not transition.may(request.user, obj):
                return refused(request, str(error), back)
            messages.error(request, str(error))
        else:
            messages.success(request, transition.done % {"object": obj})
        return redirect(back)


def admin_page(request, template: str, title: str, context: dict, *, icon: str, status=200):
    """One of our plain admin screens, under Wagtail's header with its title and icon."""
    context = {"page_title": title, "header_title": title, "header_icon": icon, **context}
    return TemplateResponse(request, template, context, status=status)


def show_on_form(form, refusal) -> None:
    """A service's refusal on the field it names, else at the top of the form."""
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


def refused(request, message: str, back_url: str) -> TemplateResponse:
    """403 with the reason, for a user the transition is not for."""
    title = gettext("Not allowed")
    return TemplateResponse(
        request,
        "enterprises/admin/refused.html",
        {"message": message, "back_url": back_url, "page_title": title, "header_title": title},
        status=403,
    )


def _not_yours(transition: Transition, obj) -> str:
    return gettext("You may not use “%(action)s” on “%(object)s”.") % {
        "action": transition.label,
        "object": obj,
    }


def _form_errors(transition: Transition, form: forms.Form) -> str:
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        problems.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return gettext("“%(action)s” was not done: %(problems)s") % {
        "action": transition.label,
        "problems": " ".join(problems),
    }


def act_and_return(request, back_url: str, perform, done: str, *, not_allowed, refusal):
    """Call a service for a button: a 403 page when it refuses the user (``not_allowed``), a
    message when it refuses the record (``refusal``), ``done`` when it went through."""
    try:
        perform()
    except not_allowed as error:
        return refused(request, error.message, back_url)
    except refusal as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(back_url)
