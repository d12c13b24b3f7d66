"""The Evaluation organisations menu (评价机构): the list, the registration and edit forms,
an organisation's page with its staff and their engagements, the engagement form and the
end-of-engagement button.

Thin views: each parses a form and calls one function of ``enterprises.evaluators``. Who may
use the screens at all is ``permissions.keeps_register`` (403 otherwise): administrators and
officials. Organisations are city-wide records, so every official sees and corrects all of
them; the engagements each sees and may end are those on estates of their district
(``permissions.visible_engagements``), and they engage only on those estates.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSet

from enterprises import evaluators, permissions
from enterprises.admin.evaluator_forms import EndEngagementForm, EngageForm, OrganisationForm
from enterprises.admin.transitions import admin_page, refused, show_on_form
from enterprises.models import StaffProfile

PER_PAGE = 50
TEMPLATES = "enterprises/evaluators/"


def _gate(request) -> None:
    if not permissions.keeps_register(request.user):
        raise PermissionDenied


def _count(queryset, field: str):
    """A correlated count (no join of the list with its staff and engagements)."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
    counted = counted.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _organisations(actor):
    today = timezone.localdate()
    engagements = permissions.visible_engagements(actor).filter(ended_at=None, ends_on__gte=today)
    return (
        permissions.visible_evaluation_organisations(actor)
        .annotate(
            staff_count=_count(StaffProfile.objects.all(), "evaluation_organisation"),
            engagement_count=_count(engagements, "organisation"),
        )
        .order_by("name", "pk")
    )


def _page(request, template: str, title: str, context: dict, status: int = 200):
    return admin_page(request, TEMPLATES + template, title, context, icon="doc-full", status=status)


def index(request):
    _gate(request)
    page = Paginator(_organisations(request.user), PER_PAGE).get_page(request.GET.get("p"))
    return _page(
        request,
        "index.html",
        gettext("Evaluation organisations"),
        {"page": page, "object_list": page.object_list, "today": timezone.localdate()},
    )


def add(request):
    _gate(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = evaluators.register_organisation(actor=request.user, **form.cleaned_data)
        except evaluators.EvaluatorRefused as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(request, gettext("Registered %s.") % organisation.name)
            return redirect("evaluation_organisations:organisation", organisation.pk)
    title = gettext("Register an evaluation organisation")
    return _page(request, "form.html", title, {"form": form})


def _organisation(request, pk):
    _gate(request)
    return get_object_or_404(permissions.visible_evaluation_organisations(request.user), pk=pk)


def edit(request, pk):
    organisation = _organisation(request, pk)
    initial = {name: getattr(organisation, name) for name in evaluators.ORGANISATION_FIELDS}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            evaluators.change_organisation(organisation, actor=request.user, **form.cleaned_data)
        except evaluators.EvaluatorRefused as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("evaluation_organisations:organisation", organisation.pk)
    title = gettext("Edit %s") % organisation.name
    return _page(request, "form.html", title, {"form": form, "organisation": organisation})


def _engagements(actor):
    return permissions.visible_engagements(actor).select_related(
        "evaluator", "estate", "ended_by", "engaged_by"
    )


def show(request, pk, engage_form=None):
    organisation = _organisation(request, pk)
    staff = (
        get_user_model()
        .objects.filter(staff_profile__evaluation_organisation=organisation)
        .order_by("username")[:500]
    )
    engagements = _engagements(request.user).filter(organisation=organisation)
    engage_form = engage_form or EngageForm(actor=request.user, organisation=organisation)
    return _page(
        request,
        "organisation.html",
        organisation.name,
        {
            "organisation": organisation,
            "staff": staff,
            "engagements": engagements.order_by("-starts_on", "pk")[:200],
            "engage_form": engage_form,
            "today": timezone.localdate(),
        },
    )


@require_POST
def engage(request, pk):
    organisation = _organisation(request, pk)
    form = EngageForm(request.POST, actor=request.user, organisation=organisation)
    back = reverse("evaluation_organisations:organisation", args=(organisation.pk,))
    if form.is_valid():
        data = form.cleaned_data
        try:
            engagement = evaluators.engage(
                actor=request.user,
                evaluator=data["evaluator"],
                estate=data["estate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except evaluators.NotAllowed as refusal:
            return refused(request, refusal.message, back)
        except evaluators.EvaluatorRefused as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(
                request,
                gettext("%(evaluator)s engaged on %(estate)s.")
                % {"evaluator": engagement.evaluator, "estate": engagement.estate},
            )
            return redirect(back)
    messages.error(request, gettext("The engagement was not made: see the form below."))
    return show(request, organisation.pk, engage_form=form)


@require_POST
def end_engagement(request, pk):
    _gate(request)
    engagement = get_object_or_404(_engagements(request.user), pk=pk)
    back = reverse("evaluation_organisations:organisation", args=(engagement.organisation_id,))
    form = EndEngagementForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Say why the engagement ends."))
        return redirect(back)
    try:
        evaluators.end_engagement(
            engagement, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except evaluators.NotAllowed as refusal:
        return refused(request, refusal.message, back)
    except evaluators.EvaluatorRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, gettext("Engagement ended: the evaluator's access is withdrawn."))
    return redirect(back)


# An evaluator's engagements on their People page ------------------------------------------


class EngagementsPanel(Component):
    template_name = TEMPLATES + "person_engagements.html"

    def __init__(self, engagements):
        self.engagements = engagements

    def get_context_data(self, parent_context=None) -> dict:
        return {"engagements": self.engagements, "today": timezone.localdate()}


def engagements_panel(request, person) -> EngagementsPanel | None:
    """The person's engagements the viewer may see; nothing for someone without any."""
    engagements = list(
        _engagements(request.user)
        .filter(evaluator=person)
        .select_related("organisation")
        .order_by("-starts_on", "pk")[:200]
    )
    return EngagementsPanel(engagements) if engagements else None


# The menu -------------------------------------------------------------------------------


class EvaluatorsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.keeps_register(request.user)


class EvaluationOrganisationsViewSet(ViewSet):
    name = "evaluation_organisations"
    icon = "doc-full"
    menu_label = _("Evaluation organisations")
    menu_icon = "doc-full"
    menu_order = 8100
    add_to_admin_menu = True
    menu_item_class = EvaluatorsMenuItem

    @property
    def menu_url(self) -> str:
        return reverse("evaluation_organisations:index")

    def get_urlpatterns(self):
        return [
            path("", index, name="index"),
            path("add/", add, name="add"),
            path("<int:pk>/", show, name="organisation"),
            path("<int:pk>/edit/", edit, name="edit"),
            path("<int:pk>/engage/", engage, name="engage"),
            path("engagements/<int:pk>/end/", end_engagement, name="end_engagement"),
        ]
