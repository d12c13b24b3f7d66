"""The self-inspection menu (企业自查): patrol plans, patrols and internal rectification
tasks. The register's screen machinery is reused (scoped list, inspect and history views,
transition buttons); rows come from ``cases.permissions``, every change goes through
``cases.self_inspection``, nothing is deleted or copied. The patrol's checklist is scored on
one phone-sized page (``ScorePatrolView``): each item a block with large inputs."""

from django.contrib.admin.utils import quote
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup

from cases import inspections, permissions, self_inspection
from cases.admin import self_inspection_forms as f
from cases.models import Patrol, PatrolPlan, PatrolStatus, QualityTask, TaskStatus
from enterprises.admin import views as register_views
from enterprises.admin.policy import ScopedPermissionPolicy, acts_for_a_company
from enterprises.admin.transitions import Transition, refused, register_transitions
from enterprises.admin.viewsets import SUBMITTED, RegisterViewSet
from foundation.audit import EXPORT_SUPERVISION

ERRORS = f.DOMAIN_ERRORS

register_transitions(
    Transition(
        "start", _("Start the patrol"), Patrol, frozenset({PatrolStatus.PLANNED}),
        permissions.can_work_patrol,
        lambda obj, actor, data: self_inspection.start_patrol(obj, actor=actor),
        ERRORS, _("Patrol “%(object)s” started."),
    ),
    Transition(
        "add_photo", _("Add a photo"), Patrol, frozenset({PatrolStatus.IN_PROGRESS}),
        permissions.can_work_patrol,
        lambda obj, actor, data: self_inspection.add_patrol_photo(
            obj, data["photo"], actor=actor, caption=data["caption"]
        ),
        ERRORS, _("Photo added to “%(object)s”."), f.PatrolPhotoForm,
    ),
    Transition(
        "complete", _("Complete the patrol"), Patrol, frozenset({PatrolStatus.IN_PROGRESS}),
        permissions.can_work_patrol,
        lambda obj, actor, data: self_inspection.complete_patrol(
            obj, actor=actor, summary=data["summary"]
        ),
        ERRORS, _("Patrol “%(object)s” completed."), f.SummaryForm,
    ),
    Transition(
        "rectify", _("Record the rectification"), QualityTask, TaskStatus.to_rectify(),
        permissions.can_work_quality_task,
        lambda obj, actor, data: self_inspection.rectify_task(
            obj, actor=actor, rectification=data["rectification"], files=data["files"]
        ),
        ERRORS, _("Rectification of “%(object)s” recorded."), f.RectifyTaskForm,
    ),
    Transition(
        "close", _("Re-checked: close"), QualityTask, frozenset({TaskStatus.RECTIFIED}),
        permissions.can_recheck_quality_task,
        lambda obj, actor, data: self_inspection.recheck_task(
            obj, actor=actor, passed=True, note=data["note"]
        ),
        ERRORS, _("“%(object)s” closed after the re-check."), f.RecheckNoteForm,
    ),
    Transition(
        "reopen", _("Re-checked: reopen"), QualityTask, frozenset({TaskStatus.RECTIFIED}),
        permissions.can_recheck_quality_task,
        lambda obj, actor, data: self_inspection.recheck_task(
            obj, actor=actor, passed=False, note=data["note"]
        ),
        ERRORS, _("“%(object)s” reopened."), f.ReopenForm, destructive=True,
    ),
)  # fmt: skip


class ScorePatrolView(WagtailAdminTemplateMixin, TemplateView):
    """Every item of the patrol's checklist on one page; a failed item with an owner and a
    deadline becomes its task. A refusal of one item leaves the others as saved."""

    template_name = "cases/admin/score_patrol.html"
    page_title = _("Patrol checklist")
    header_icon = "clipboard-list"
    inspect_url_name = None

    def dispatch(self, request, pk):
        self.patrol = get_object_or_404(
            permissions.visible_patrols(request.user).select_related("estate", "checklist"), pk=pk
        )
        if not permissions.can_work_patrol(request.user, self.patrol):
            return refused(request, gettext("Only the company's own staff work on its patrols."),
                           self.back_url)  # fmt: skip
        self.items = list(self.patrol.checklist.items.order_by("sort_order", "id"))
        self.scores = {s.item_id: s for s in self.patrol.scores.select_related("task")}
        return super().dispatch(request, pk)

    def form(self, data=None):
        owners = f.company_staff(self.request.user)
        return f.PatrolScoreForm(data, items=self.items, scores=self.scores, owners=owners)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            patrol=self.patrol,
            form=kwargs.get("form") or self.form(),
            back_url=self.back_url,
            editable=self.patrol.status == PatrolStatus.IN_PROGRESS,
            dimensions=inspections.dimension_scores(self.patrol),
        )
        return context

    @property
    def back_url(self) -> str:
        return reverse(self.inspect_url_name, args=(quote(self.patrol.pk),))

    def post(self, request, pk):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        problems, scored = [], 0
        for item in self.items:
            data = form.cleaned_data
            points, passed = data.get(f"points_{item.pk}"), data.get(f"passed_{item.pk}")
            if points is None and passed is None:
                continue
            try:
                score = self_inspection.score_patrol_item(
                    self.patrol, item, actor=request.user, points=points, passed=passed,
                    note=data.get(f"note_{item.pk}", ""),
                )  # fmt: skip
                scored += 1
                if not score.passed and not hasattr(score, "task"):
                    self_inspection.raise_task(
                        score, actor=request.user, owner=data.get(f"owner_{item.pk}"),
                        deadline=data.get(f"deadline_{item.pk}"),
                    )  # fmt: skip
            except ERRORS as error:
                said = getattr(error, "messages", None) or [str(error)]
                problems.append(f"{item.number}: {' '.join(said)}")
        if problems:
            messages.error(request, " ".join(problems))
        if scored:
            messages.success(request, gettext("%(count)d item(s) scored.") % {"count": scored})
        return redirect(request.path if problems else self.back_url)


class SelfInspectionPolicy(ScopedPermissionPolicy):
    """The screens open by role and place (``opens_self_inspection``), not by a query per
    menu item; the rows come from the scope as on every register screen."""

    def _has_records(self, user) -> bool:
        return permissions.opens_self_inspection(user)


class SelfInspectionViewSet(RegisterViewSet):
    inspect_template_name = "cases/admin/self_inspection_inspect.html"
    export_action = EXPORT_SUPERVISION
    actions = SUBMITTED
    can_add = staticmethod(acts_for_a_company)
    add_view_class = register_views.SubmitCreateView

    @cached_property
    def url_prefix(self) -> str:
        return f"self-inspection/{self.name.removeprefix('supervision_')}"

    @cached_property
    def permission_policy(self) -> SelfInspectionPolicy:
        return SelfInspectionPolicy(
            self.model, scope=self.scope, actions=self.actions, can_add=self.can_add
        )


class PatrolPlanViewSet(SelfInspectionViewSet):
    model = PatrolPlan
    name = "supervision_patrol_plans"
    menu_label = _("Patrol plans")
    icon = "date"
    scope = staticmethod(permissions.visible_patrol_plans)
    list_select_related = ("estate", "company")
    add_form_class = f.PatrolPlanForm
    list_display = ["__str__", "company", "planned_count", "created_at"]
    list_export = list_display
    list_filter = ["kind", "district"]
    search_fields = ["estate__name", "company__name", "period"]
    inspect_view_fields = ["estate", "company", "period", "kind", "planned_count", "created_at"]


class PatrolViewSet(SelfInspectionViewSet):
    """Plan, start, score item by item (``ScorePatrolView``), add photos, complete."""

    model = Patrol
    name = "supervision_patrols"
    menu_label = _("Patrols")
    icon = "clipboard-list"
    scope = staticmethod(permissions.visible_patrols)
    list_select_related = ("estate", "company")
    add_form_class = f.PatrolForm
    list_display = ["__str__", "status", "company", "score"]
    list_export = list_display
    list_filter = ["status", "kind", "district"]
    search_fields = ["estate__name", "company__name", "summary"]
    inspect_view_fields = [
        "kind", "status", "estate", "company", "checklist", "quality_staff", "plan",
        "planned_on", "started_at", "completed_at", "score", "summary",
    ]  # fmt: skip

    def get_urlpatterns(self):
        score = ScorePatrolView.as_view(inspect_url_name=self.get_url_name("inspect"))
        return super().get_urlpatterns() + [path("score/<int:pk>/", score, name="score")]


class QualityTaskViewSet(SelfInspectionViewSet):
    model = QualityTask
    name = "supervision_patrol_tasks"
    menu_label = _("Internal rectification")
    icon = "warning"
    scope = staticmethod(permissions.visible_quality_tasks)
    list_select_related = ("estate", "company", "owner")
    actions = frozenset({"view"})
    list_display = ["__str__", "status", "owner", "deadline", "closed_at"]
    list_export = list_display
    list_filter = ["status", "district"]
    search_fields = ["estate__name", "company__name", "finding"]
    inspect_view_fields = [
        "finding", "status", "estate", "company", "patrol", "owner", "deadline", "raised_by",
        "raised_at", "rectification", "rectified_by", "rectified_at", "recheck_note",
        "rechecked_by", "closed_at",
    ]  # fmt: skip


class SelfInspectionViewSetGroup(ViewSetGroup):
    """The 企业自查 menu, shown to users with something to see in it."""

    menu_label = _("Self-inspection")
    menu_icon = "clipboard-list"
    menu_order = 265
    items = (PatrolViewSet, QualityTaskViewSet, PatrolPlanViewSet)
