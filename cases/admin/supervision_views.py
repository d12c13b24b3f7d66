"""Scoring an inspection: every checklist item on one form, each handed to
``cases.inspections.score_item``; a refusal of one item leaves the others as scored."""

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cases import inspections, permissions
from cases.models import InspectionStatus, ScoringRule


class ScoreForm(forms.Form):
    """One row per item: pass/fail or points, and the finding."""

    def __init__(self, *args, items, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            score = scores.get(item.pk)
            if item.scoring_rule == ScoringRule.SCALE:
                self.fields[f"points_{item.pk}"] = forms.DecimalField(
                    label=_("Points (0–%(weight)d)") % {"weight": item.weight},
                    min_value=0, max_value=item.weight, decimal_places=1, required=False,
                    initial=score.points if score else None,
                )  # fmt: skip
            else:
                self.fields[f"passed_{item.pk}"] = forms.TypedChoiceField(
                    label=_("Result"),
                    choices=[("", "—"), ("1", _("Passed")), ("0", _("Failed"))],
                    coerce=lambda v: v == "1", empty_value=None, required=False,
                    initial=("1" if score.passed else "0") if score else "",
                )  # fmt: skip
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Finding"), required=False, max_length=500,
                initial=score.note if score else "",
            )  # fmt: skip

    def rows(self):
        for item in self.items:
            value_name = (
                f"points_{item.pk}"
                if item.scoring_rule == ScoringRule.SCALE
                else f"passed_{item.pk}"
            )
            yield {"item": item, "value": self[value_name], "note": self[f"note_{item.pk}"]}


class ScoreInspectionView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "cases/admin/score_inspection.html"
    page_title = _("Score the checklist")
    header_icon = "clipboard-list"
    inspect_url_name = None

    def dispatch(self, request, pk):
        self.inspection = get_object_or_404(permissions.visible_inspections(request.user), pk=pk)
        if not permissions.can_work_inspection(request.user, self.inspection):
            raise PermissionDenied
        self.items = list(self.inspection.checklist.items.order_by("sort_order", "id"))
        self.scores = {s.item_id: s for s in self.inspection.scores.all()}
        return super().dispatch(request, pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            inspection=self.inspection,
            form=kwargs.get("form") or ScoreForm(items=self.items, scores=self.scores),
            back_url=self.back_url,
            editable=self.inspection.status == InspectionStatus.IN_PROGRESS,
        )
        return context

    @property
    def back_url(self) -> str:
        return reverse(self.inspect_url_name, args=(quote(self.inspection.pk),))

    def post(self, request, pk):
        form = ScoreForm(request.POST, items=self.items, scores=self.scores)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        problems, scored = [], 0
        for item in self.items:
            points = form.cleaned_data.get(f"points_{item.pk}")
            passed = form.cleaned_data.get(f"passed_{item.pk}")
            if points is None and passed is None:
                continue
            try:
                inspections.score_item(
                    self.inspection, item, actor=request.user, points=points, passed=passed,
                    note=form.cleaned_data.get(f"note_{item.pk}", ""),
                )  # fmt: skip
                scored += 1
            except (inspections.InspectionError, ValidationError) as error:
                problems.append(f"{item.number}: {error}")
        if problems:
            messages.error(request, " ".join(problems))
        if scored:
            messages.success(request, gettext("%(count)d item(s) scored.") % {"count": scored})
        return redirect(request.path if problems else self.back_url)
