"""Screens of good conduct declarations and training sessions: companies add their own, the
regulator reads them, and an official verifies or rejects a declaration with the register's
transition buttons (``enterprises.good_conduct`` decides)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from enterprises import good_conduct, permissions
from enterprises.admin import views
from enterprises.admin.forms import ActingForCompanyForm, DecisionForm
from enterprises.admin.policy import acts_for_a_company
from enterprises.admin.transitions import Transition, register_transitions
from enterprises.admin.viewsets import SUBMITTED, RegisterViewSet
from enterprises.models import ClaimStatus, Estate, GoodConductClaim, TrainingSession


class _ForOwnEstates(ActingForCompanyForm):
    domain_errors = (good_conduct.GoodConductError,)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = Estate.objects.filter(
            managing_company__in=self.companies.values("pk")
        )


class GoodConductForm(_ForOwnEstates):
    class Meta:
        model = GoodConductClaim
        fields = ["company", "estate", "kind", "title", "description", "occurred_on", "evidence"]
        widgets = {"occurred_on": AdminDateInput}

    def submit(self, actor) -> GoodConductClaim:
        data = self.cleaned_data
        return good_conduct.declare_good_conduct(actor=actor, **data)


class TrainingSessionForm(_ForOwnEstates):
    class Meta:
        model = TrainingSession
        fields = ["company", "estate", "held_on", "topic", "hours", "staff_count"]
        widgets = {"held_on": AdminDateInput}

    def submit(self, actor) -> TrainingSession:
        return good_conduct.record_training(actor=actor, **self.cleaned_data)


class GoodConductViewSet(RegisterViewSet):
    model = GoodConductClaim
    name = "register_good_conduct"
    menu_label = _("Good conduct")
    icon = "success"
    scope = staticmethod(permissions.visible_good_conduct_claims)
    list_select_related = ("company", "estate")
    actions = SUBMITTED
    can_add = staticmethod(acts_for_a_company)
    add_view_class = views.SubmitCreateView
    add_form_class = GoodConductForm
    list_display = ["__str__", "kind", "occurred_on", "status", "submitted_at"]
    list_export = list_display
    list_filter = ["status", "kind", "company__district"]
    search_fields = ["company__name", "title"]
    inspect_view_fields = [
        "company",
        "estate",
        "kind",
        "title",
        "description",
        "occurred_on",
        "evidence",
        "status",
        "decision",
        "submitted_at",
        "decided_at",
    ]


class TrainingSessionViewSet(RegisterViewSet):
    model = TrainingSession
    name = "register_training"
    menu_label = _("Training")
    icon = "user"
    scope = staticmethod(permissions.visible_training_sessions)
    list_select_related = ("company", "estate")
    actions = SUBMITTED
    can_add = staticmethod(acts_for_a_company)
    add_view_class = views.SubmitCreateView
    add_form_class = TrainingSessionForm
    list_display = ["topic", "company", "estate", "held_on", "hours", "staff_count"]
    list_export = list_display
    list_filter = ["company__district"]
    search_fields = ["company__name", "topic"]
    inspect_view_fields = [
        "company",
        "estate",
        "held_on",
        "topic",
        "hours",
        "staff_count",
        "recorded_at",
    ]


def _decides(user, claim: GoodConductClaim) -> bool:
    return permissions.can_decide_for_company(
        user, claim.company
    ) and not permissions.can_act_for_company(user, claim.company)


register_transitions(
    Transition(
        "verify",
        _("Verify"),
        GoodConductClaim,
        frozenset({ClaimStatus.SUBMITTED}),
        _decides,
        lambda claim, actor, data: good_conduct.verify_good_conduct(
            claim, actor=actor, decision=data["decision"]
        ),
        (good_conduct.GoodConductError,),
        _("“%(object)s” verified; the company's credit counts it."),
        DecisionForm,
    ),
    Transition(
        "reject_claim",
        _("Do not verify"),
        GoodConductClaim,
        frozenset({ClaimStatus.SUBMITTED}),
        _decides,
        lambda claim, actor, data: good_conduct.reject_good_conduct(
            claim, actor=actor, decision=data["decision"]
        ),
        (good_conduct.GoodConductError,),
        _("“%(object)s” not verified."),
        DecisionForm,
        destructive=True,
    ),
)
