"""The due-process buttons of the penalty screen (事先告知, 陈述申辩, 听证, 期限延长, 撤回):
each posts a small form to the register's transition view, which calls ``cases.penalty_process``
or ``cases.penalty_publicity``; the services decide and refuse. Also the administrator's screen
of ``PenaltyRule`` (hearing thresholds and publicity periods)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from cases import penalties, penalty_process, penalty_publicity, permissions
from cases.models import Penalty, PenaltyKind, PenaltyRule, ReviewBody, ReviewOutcome
from cases.models import PenaltyStatus as S
from enterprises.admin.transitions import Transition
from foundation.roles import Role, has_role

ERRORS = (penalties.PenaltyError,)
PRE_DECISION = frozenset(S.UNDECIDED_STATES)


def _text(label, rows: int = 4) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}))


class EvidenceForm(forms.Form):
    text = _text(_("Evidence"))


class StatementForm(forms.Form):
    text = _text(_("Statement and defence"))


class HearingRecordForm(forms.Form):
    text = _text(_("Hearing record"), rows=8)


class ScheduleHearingForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=_("Held by"),
        queryset=get_user_model()
        .objects.filter(is_active=True, groups__name=Role.OFFICIAL)
        .order_by("last_name", "first_name", "username")
        .distinct(),
        help_text=_("An official who did not investigate the case."),
    )
    hearing_at = forms.DateTimeField(
        label=_("Hearing at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200)


class ReviseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Penalty"), choices=PenaltyKind.choices)
    fine_amount = forms.DecimalField(
        label=_("Fine (yuan)"), required=False, max_digits=12, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtendLimitForm(forms.Form):
    days = forms.IntegerField(label=_("Days more"), min_value=1)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome of the review"), choices=ReviewOutcome.choices)
    body = forms.ChoiceField(label=_("Decided by"), choices=ReviewBody.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


def _party_or_handler(user, penalty) -> bool:
    return permissions.can_answer_penalty(user, penalty) or permissions.can_handle_penalty(
        user, penalty
    )


def _notice_state(penalty) -> str:
    simple = not penalty_process.needs_prior_notice(penalty)
    return f"{penalty.status}:{'simple' if simple else 'general'}"


def _hearing_state(penalty) -> str:
    return f"{penalty.status}:{'hearing' if penalty.hearing_right else 'none'}"


TRANSITIONS = (
    Transition(
        "notify", _("Serve the prior notice"), Penalty, frozenset({f"{S.PROPOSED}:general"}),
        permissions.can_handle_penalty,
        lambda obj, actor, data: penalty_process.serve_prior_notice(
            obj, actor=actor, evidence=data["text"]
        ),
        ERRORS, _("Prior notice of “%(object)s” served."), EvidenceForm, state=_notice_state,
    ),
    Transition(
        "statement", _("Record the statement and defence"), Penalty,
        frozenset({S.NOTIFIED, S.HEARING_REQUESTED, S.HEARING_SCHEDULED}), _party_or_handler,
        lambda obj, actor, data: penalty_process.record_statement(
            obj, actor=actor, statement=data["text"]
        ),
        ERRORS, _("Statement on “%(object)s” recorded."), StatementForm,
    ),
    Transition(
        "request_hearing", _("Request a hearing"), Penalty, frozenset({f"{S.NOTIFIED}:hearing"}),
        _party_or_handler,
        lambda obj, actor, data: penalty_process.request_hearing(obj, actor=actor),
        ERRORS, _("Hearing on “%(object)s” requested."), state=_hearing_state,
    ),
    Transition(
        "schedule_hearing", _("Schedule the hearing"), Penalty,
        frozenset({S.HEARING_REQUESTED, S.HEARING_SCHEDULED}), permissions.can_handle_penalty,
        lambda obj, actor, data: penalty_process.schedule_hearing(
            obj, actor=actor, officer=data["officer"], hearing_at=data["hearing_at"],
            place=data["place"],
        ),
        ERRORS, _("Hearing on “%(object)s” scheduled and notified."), ScheduleHearingForm,
    ),
    Transition(
        "record_hearing", _("Record the hearing"), Penalty, frozenset({S.HEARING_SCHEDULED}),
        permissions.can_handle_penalty,
        lambda obj, actor, data: penalty_process.record_hearing(
            obj, actor=actor, record=data["text"]
        ),
        ERRORS, _("Hearing on “%(object)s” recorded."), HearingRecordForm,
    ),
    Transition(
        "revise", _("Revise the intended penalty"), Penalty, PRE_DECISION,
        permissions.can_approve_penalty,
        lambda obj, actor, data: penalty_process.revise_penalty(
            obj, actor=actor, kind=data["kind"], fine_amount=data["fine_amount"],
            reason=data["reason"],
        ),
        ERRORS, _("Intended penalty of “%(object)s” revised."), ReviseForm,
        initial=lambda obj: {"kind": obj.kind, "fine_amount": obj.fine_amount},
    ),
    Transition(
        "extend_limit", _("Extend the time limit to decide"), Penalty, PRE_DECISION,
        permissions.can_approve_penalty,
        lambda obj, actor, data: penalty_process.extend_decision_limit(
            obj, actor=actor, days=data["days"], reason=data["reason"]
        ),
        ERRORS, _("Time limit of “%(object)s” extended."), ExtendLimitForm,
    ),
    Transition(
        "withdraw", _("Withdraw after review"), Penalty, penalty_publicity.WITHDRAWABLE,
        permissions.can_handle_penalty,
        lambda obj, actor, data: penalty_publicity.withdraw_penalty(
            obj, actor=actor, outcome=data["outcome"], body=data["body"], reason=data["reason"]
        ),
        ERRORS, _("Decision “%(object)s” withdrawn; its publication and credit record too."),
        WithdrawForm, destructive=True,
    ),
)  # fmt: skip


class AdministratorsEdit(ModelPermissionPolicy):
    """Administrators view and edit the rules; nobody adds or deletes one (one row per kind
    comes with the migration). Decided by role, so the roles' permission tables stay as
    they are."""

    def user_has_permission(self, user, action: str) -> bool:
        return action in ("view", "change") and has_role(user, Role.ADMINISTRATOR)

    def users_with_any_permission(self, actions):
        if not {"view", "change"} & set(actions):
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(
                Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR), is_active=True
            )
            .distinct()
        )


class PenaltyRuleViewSet(ModelViewSet):
    """Hearing thresholds and publicity periods per kind, edited by administrators."""

    model = PenaltyRule

    @cached_property
    def permission_policy(self) -> AdministratorsEdit:
        return AdministratorsEdit(self.model)

    icon = "pick"
    menu_label = _("Penalty rules")
    add_to_admin_menu = False
    form_fields = ["kind", "hearing_always", "hearing_from_amount", "publicity_days"]
    list_display = ["kind", "hearing_always", "hearing_from_amount", "publicity_days"]
    copy_view_enabled = False
