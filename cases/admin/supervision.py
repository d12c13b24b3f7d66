"""The supervision menu (监督检查): inspections, random draws, rectification orders, penalties.

The register's screen machinery is reused (scoped list, inspect and history views, transition
buttons posting to small views): rows come from ``cases.permissions``, every change goes
through the owning module, nothing is deleted or copied.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.viewsets.base import ViewSetGroup

from cases import checklists, draws, inspections, penalties, permissions, rectification
from cases.admin import penalty_process as due_process
from cases.admin import supervision_forms as f
from cases.models import (
    Campaign,
    ChecklistTemplate,
    Inspection,
    InspectionStatus,
    OrderStatus,
    Penalty,
    PenaltyStatus,
    RandomDraw,
    RectificationOrder,
)
from enterprises.admin import views as register_views
from enterprises.admin.transitions import Transition, register_transitions
from enterprises.admin.viewsets import SUBMITTED, VIEW_ONLY, RegisterViewSet
from foundation.audit import EXPORT_SUPERVISION

INSPECTION_ERRORS = (inspections.InspectionError, rectification.OrderError)
ORDER_ERRORS = (rectification.OrderError, f.ValidationError)
PENALTY_ERRORS = (penalties.PenaltyError,)


def _plans(user) -> bool:
    return permissions.is_regulator(user)


def _draws(user) -> bool:
    return permissions.is_official(user)


register_transitions(
    Transition(
        "start", _("Start the inspection"), Inspection, frozenset({InspectionStatus.PLANNED}),
        permissions.can_work_inspection,
        lambda obj, actor, data: inspections.start_inspection(obj, actor=actor),
        INSPECTION_ERRORS, _("Inspection “%(object)s” started."),
    ),
    Transition(
        "complete", _("Complete the inspection"), Inspection,
        frozenset({InspectionStatus.IN_PROGRESS}),
        permissions.can_work_inspection,
        lambda obj, actor, data: inspections.complete_inspection(
            obj, actor=actor, findings=data["text"]
        ),
        INSPECTION_ERRORS, _("Inspection “%(object)s” completed."), f.FindingsForm,
    ),
    Transition(
        "cancel", _("Cancel the inspection"), Inspection,
        frozenset({InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS}),
        permissions.can_work_inspection,
        lambda obj, actor, data: inspections.cancel_inspection(
            obj, actor=actor, reason=data["text"]
        ),
        INSPECTION_ERRORS, _("Inspection “%(object)s” cancelled."), f.ReasonForm, destructive=True,
    ),
    Transition(
        "issue_order", _("Issue a rectification order"), Inspection,
        frozenset({InspectionStatus.COMPLETED}),
        permissions.can_issue_order,
        lambda obj, actor, data: f.order_from(obj, actor, data),
        INSPECTION_ERRORS, _("Rectification order issued on “%(object)s”."), f.IssueOrderForm,
    ),
    Transition(
        "add_photo", _("Add a photo"), Inspection, frozenset({InspectionStatus.IN_PROGRESS}),
        permissions.can_work_inspection,
        lambda obj, actor, data: inspections.add_photo(
            obj, data["photo"], actor=actor, caption=data["caption"]
        ),
        (*INSPECTION_ERRORS, f.ValidationError), _("Photo added to “%(object)s”."), f.PhotoForm,
    ),
    Transition(
        "new_version", _("Make the next version"), ChecklistTemplate, frozenset({"any"}),
        lambda user, template: permissions.is_official(user),
        lambda obj, actor, data: checklists.new_version(obj, actor=actor),
        (checklists.ChecklistError,), _("Next version of “%(object)s” made."),
        state=lambda template: "any",
    ),
    Transition(
        "acknowledge", _("Acknowledge"), RectificationOrder, frozenset({OrderStatus.ISSUED}),
        permissions.can_answer_order,
        lambda obj, actor, data: rectification.acknowledge_order(obj, actor=actor),
        ORDER_ERRORS, _("Order “%(object)s” acknowledged."),
    ),
    Transition(
        "submit", _("Submit the rectification"), RectificationOrder,
        frozenset({OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED}), permissions.can_answer_order,
        lambda obj, actor, data: rectification.submit_rectification(
            obj, actor=actor, response=data["response"], files=data["files"]
        ),
        ORDER_ERRORS, _("Rectification of “%(object)s” submitted."), f.SubmitRectificationForm,
    ),
    Transition(
        "verify", _("Verify"), RectificationOrder, frozenset({OrderStatus.SUBMITTED}),
        permissions.can_decide_order,
        lambda obj, actor, data: rectification.verify_order(obj, actor=actor, note=data["text"]),
        ORDER_ERRORS, _("Order “%(object)s” verified."), f.OptionalNoteForm,
    ),
    Transition(
        "fail", _("Record as failed"), RectificationOrder,
        frozenset({OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.SUBMITTED}),
        permissions.can_decide_order,
        lambda obj, actor, data: rectification.fail_order(obj, actor=actor, note=data["text"]),
        ORDER_ERRORS, _("Order “%(object)s” recorded as failed."), f.ReasonForm, destructive=True,
    ),
    Transition(
        "approve", _("Approve"), Penalty,
        frozenset({PenaltyStatus.PROPOSED, PenaltyStatus.NOTIFIED, PenaltyStatus.HEARD}),
        permissions.can_approve_penalty,
        lambda obj, actor, data: penalties.approve_penalty(obj, actor=actor, decision=data["text"]),
        PENALTY_ERRORS, _("Penalty “%(object)s” approved."), f.DecisionTextForm,
    ),
    Transition(
        "reject", _("Do not approve"), Penalty, due_process.PRE_DECISION,
        permissions.can_approve_penalty,
        lambda obj, actor, data: penalties.reject_penalty(obj, actor=actor, reason=data["text"]),
        PENALTY_ERRORS, _("Penalty “%(object)s” not approved."), f.ReasonForm, destructive=True,
    ),
    Transition(
        "serve", _("Record service"), Penalty, frozenset({PenaltyStatus.APPROVED}),
        permissions.can_handle_penalty,
        lambda obj, actor, data: penalties.serve_penalty(obj, actor=actor),
        PENALTY_ERRORS, _("Penalty “%(object)s” served."),
    ),
    Transition(
        "execute", _("Record execution"), Penalty, frozenset({PenaltyStatus.SERVED}),
        permissions.can_handle_penalty,
        lambda obj, actor, data: penalties.record_execution(obj, actor=actor),
        PENALTY_ERRORS, _("Penalty “%(object)s” executed."),
    ),
    Transition(
        "publish", _("Publish the result"), Penalty, frozenset({PenaltyStatus.EXECUTED}),
        permissions.can_handle_penalty,
        lambda obj, actor, data: penalties.publish_penalty(obj, actor=actor),
        PENALTY_ERRORS, _("Penalty “%(object)s” published on the public site."),
    ),
    Transition(
        "publish_draw", _("Publish the draw"), RandomDraw, frozenset({"drawn"}),
        lambda user, draw: permissions.can_draw(user, draw.district_id),
        lambda obj, actor, data: draws.publish_draw(obj, actor=actor),
        (draws.DrawError,), _("Draw “%(object)s” published."),
        state=lambda draw: "published" if draw.published_at else "drawn",
    ),
    Transition(
        "plan_drawn", _("Plan the drawn inspections"), RandomDraw,
        frozenset({"drawn", "published"}),
        lambda user, draw: permissions.can_draw(user, draw.district_id),
        lambda obj, actor, data: draws.plan_drawn_inspections(
            obj, actor=actor, checklist=data["checklist"], planned_on=data["planned_on"]
        ),
        (draws.DrawError, inspections.InspectionError), _("Inspections planned for “%(object)s”."),
        f.PlanDrawnInspectionsForm,
        state=lambda draw: "published" if draw.published_at else "drawn",
    ),
    *due_process.TRANSITIONS,
)  # fmt: skip


class SupervisionViewSet(RegisterViewSet):
    inspect_template_name = "cases/admin/supervision_inspect.html"
    export_action = EXPORT_SUPERVISION

    @cached_property
    def url_prefix(self) -> str:
        return f"supervision/{self.name.removeprefix('supervision_')}"


class InspectionViewSet(SupervisionViewSet):
    """Plan, score item by item (``ScoreInspectionView``), complete, issue orders."""

    model = Inspection
    name = "supervision_inspections"
    menu_label = _("Inspections")
    icon = "clipboard-list"
    scope = staticmethod(permissions.visible_inspections)
    list_select_related = ("estate", "company", "district")
    actions = SUBMITTED
    can_add = staticmethod(_plans)
    add_view_class = register_views.SubmitCreateView
    add_form_class = f.PlanInspectionForm
    list_display = ["__str__", "kind", "status", "company", "planned_on", "score"]
    list_export = list_display
    list_filter = ["status", "kind", "district"]
    search_fields = ["estate__name", "company__name", "findings"]
    inspect_view_fields = [
        "kind", "status", "estate", "company", "district", "checklist", "campaign", "complaint",
        "draw", "order", "planned_on", "started_at", "completed_at", "score", "findings",
    ]  # fmt: skip

    def get_urlpatterns(self):
        from django.urls import path

        from cases.admin.supervision_views import ScoreInspectionView

        score = ScoreInspectionView.as_view(inspect_url_name=self.get_url_name("inspect"))
        return super().get_urlpatterns() + [path("score/<int:pk>/", score, name="score")]


class DrawViewSet(SupervisionViewSet):
    model = RandomDraw
    name = "supervision_draws"
    menu_label = _("Random draws")
    icon = "resubmit"
    scope = staticmethod(permissions.visible_draws)
    list_select_related = ("district", "campaign")
    actions = SUBMITTED
    can_add = staticmethod(_draws)
    add_view_class = register_views.SubmitCreateView
    add_form_class = f.DrawForm
    list_display = ["__str__", "district", "target_count", "weighted_by_risk", "published_at"]
    list_export = list_display
    list_filter = ["target_kind", "district"]
    inspect_view_fields = [
        "target_kind", "district", "campaign", "seed", "algorithm", "target_count",
        "inspectors_per_target", "weighted_by_risk", "drawn_at", "published_at",
    ]  # fmt: skip


class OrderViewSet(SupervisionViewSet):
    model = RectificationOrder
    name = "supervision_orders"
    menu_label = _("Rectification orders")
    icon = "warning"
    scope = staticmethod(permissions.visible_orders)
    list_select_related = ("company", "estate")
    actions = VIEW_ONLY
    list_display = ["number", "status", "company", "estate", "deadline", "overdue_since"]
    list_export = list_display
    list_filter = ["status", "district"]
    search_fields = ["number", "company__name", "requirements"]
    inspect_view_fields = [
        "number", "status", "company", "estate", "inspection", "requirements", "deadline",
        "issued_at", "acknowledged_at", "response", "submitted_at", "decided_at",
        "decision_note", "overdue_since",
    ]  # fmt: skip


class PenaltyViewSet(SupervisionViewSet):
    model = Penalty
    name = "supervision_penalties"
    menu_label = _("Penalties")
    icon = "pick"
    scope = staticmethod(permissions.visible_penalties)
    list_select_related = ("company",)
    actions = SUBMITTED
    can_add = staticmethod(_plans)
    add_view_class = register_views.SubmitCreateView
    add_form_class = f.ProposePenaltyForm
    list_display = ["__str__", "kind", "status", "company", "fine_amount", "proposed_at"]
    list_export = list_display
    list_filter = ["status", "kind", "district"]
    search_fields = ["decision_number", "company__name", "violation"]
    inspect_view_fields = [
        "decision_number", "status", "company", "estate", "kind", "fine_amount", "licence",
        "violation", "legal_basis", "notice_evidence", "decision", "inspection", "order",
        "proposed_at", "decision_due_on", "limit_extension_reason", "notice_number",
        "notice_document", "notice_served_at", "noticed_kind", "noticed_fine_amount",
        "hearing_right", "statement_due_at", "hearing_request_due_at", "statement",
        "hearing_requested_at", "hearing_officer", "hearing_at", "hearing_place",
        "hearing_notified_at", "hearing_record", "hearing_recorded_at", "approved_at",
        "decided_on", "rejection_reason", "decision_document", "served_at", "executed_at",
        "enforcement_result", "review_outcome", "review_body", "review_reason", "withdrawn_at",
    ]  # fmt: skip


class ChecklistViewSet(SupervisionViewSet):
    model = ChecklistTemplate
    name = "supervision_checklists"
    menu_label = _("Checklists")
    icon = "list-ol"
    scope = staticmethod(permissions.visible_checklists)
    actions = SUBMITTED
    can_add = staticmethod(_draws)
    add_view_class = register_views.SubmitCreateView
    add_form_class = f.ChecklistForm
    list_display = ["name", "version", "created_at"]
    list_export = list_display
    search_fields = ["name"]
    inspect_view_fields = ["name", "version", "created_at"]


class CampaignViewSet(SupervisionViewSet):
    model = Campaign
    name = "supervision_campaigns"
    menu_label = _("Special campaigns")
    icon = "flag"
    scope = staticmethod(permissions.visible_campaigns)
    list_select_related = ("district",)
    actions = frozenset({"view", "add", "change"})
    can_add = can_change = staticmethod(_draws)
    add_form_class = edit_form_class = f.CampaignForm
    list_display = ["name", "district", "starts_on", "ends_on"]
    list_export = list_display
    search_fields = ["name", "scope"]
    inspect_view_fields = ["name", "scope", "district", "starts_on", "ends_on"]


class SupervisionViewSetGroup(ViewSetGroup):
    """The 监督检查 menu, shown to users with something to see in it."""

    menu_label = pgettext_lazy("menu", "Supervision")
    menu_icon = "clipboard-list"
    menu_order = 260
    items = (
        InspectionViewSet,
        DrawViewSet,
        OrderViewSet,
        PenaltyViewSet,
        ChecklistViewSet,
        CampaignViewSet,
    )
