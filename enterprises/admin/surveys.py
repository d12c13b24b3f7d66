"""The surveys menu (满意度调查, 意见征集): the list, the creation form (one estate, or several
for a city-wide campaign), a survey's page with its questions, results and buttons (open,
close, the household codes' sheet), and the question forms.

Thin views: each parses a form and calls one function of ``enterprises.surveys``. Who uses
the screens at all is ``permissions.runs_surveys`` (403 otherwise); which surveys they see is
``permissions.visible_surveys`` (a survey outside it is a 404, like a guessed id); only the
side that runs a survey changes it, prints its codes and reads its text answers (opinions
included; the other side sees the marks and the counts) (``permissions.manages_survey``).
"""

from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from enterprises import permissions, survey_results, surveys
from enterprises.admin.survey_forms import QuestionForm, RemoveQuestionForm, SurveyForm
from enterprises.admin.transitions import act_and_return, admin_page, refused, show_on_form
from enterprises.models import SurveyKind, SurveyStatus
from enterprises.survey_sheets import code_sheet

PER_PAGE = 50

_page = partial(admin_page, icon="list-ul")


def _gate(request) -> None:
    if not permissions.runs_surveys(request.user):
        raise PermissionDenied


def _surveys(actor):
    return (
        permissions.visible_surveys(actor)
        .select_related("estate__district")
        .annotate(used=Count("codes", filter=Q(codes__used_at__isnull=False)))
        .order_by("-opens_on", "-pk")
    )


def index(request):
    _gate(request)
    page = Paginator(_surveys(request.user), PER_PAGE).get_page(request.GET.get("p"))
    return _page(
        request,
        "enterprises/surveys/index.html",
        gettext("Surveys"),
        {"page": page, "object_list": list(page)},
    )


def create(request):
    _gate(request)
    form = SurveyForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        estates = list(values.pop("estates"))
        kind = values.pop("kind")
        try:
            if len(estates) > 1:
                if kind != SurveyKind.SATISFACTION:
                    raise surveys.SurveyRefused(
                        gettext("A campaign of several estates is a satisfaction survey."), "kind"
                    )
                created = surveys.start_campaign(actor=request.user, estates=estates, **values)
            else:
                created = [
                    surveys.create_survey(
                        actor=request.user, estate=estates[0], kind=kind, **values
                    )
                ]
        except surveys.SurveyRefused as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d survey created as a draft.",
                    "%(count)d surveys created as drafts.",
                    len(created),
                )
                % {"count": len(created)},
            )
            if len(created) == 1:
                return redirect("surveys:survey", created[0].pk)
            return redirect("surveys:index")
    return _page(request, "enterprises/surveys/create.html", gettext("New survey"), {"form": form})


def _survey(request, pk):
    _gate(request)
    return get_object_or_404(_surveys(request.user), pk=pk)


def survey(request, pk):
    found = _survey(request, pk)
    manages = permissions.manages_survey(request.user, found)
    editable = manages and found.status != SurveyStatus.CLOSED and found.used == 0
    return _page(
        request,
        "enterprises/surveys/survey.html",
        str(found),
        {
            "survey": found,
            "manages": manages,
            "editable": editable,
            "results": survey_results.live_results(found, with_texts=manages),
            "question_form": QuestionForm(),
            "public": found.kind == SurveyKind.SATISFACTION,
            "entry_url": _entry_url(),
        },
    )


def _act(request, found, perform, done: str):
    back = reverse("surveys:survey", args=(found.pk,))
    return act_and_return(
        request,
        back,
        perform,
        done,
        not_allowed=surveys.SurveyNotAllowed,
        refusal=surveys.SurveyRefused,
    )


@require_POST
def add_question(request, pk):
    found = _survey(request, pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, problems)
        return redirect("surveys:survey", found.pk)
    return _act(
        request,
        found,
        lambda: surveys.add_question(found, actor=request.user, **form.cleaned_data),
        gettext("Question added."),
    )


@require_POST
def remove_question(request, pk):
    found = _survey(request, pk)
    form = RemoveQuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a question."))
        return redirect("surveys:survey", found.pk)
    question = get_object_or_404(found.questions.all(), pk=form.cleaned_data["question"])
    return _act(
        request,
        found,
        lambda: surveys.remove_question(question, actor=request.user),
        gettext("Question removed."),
    )


@require_POST
def open_survey(request, pk):
    found = _survey(request, pk)
    return _act(
        request,
        found,
        lambda: surveys.open_survey(found, actor=request.user),
        gettext("Survey opened: print the household codes and hand them out."),
    )


@require_POST
def close_survey(request, pk):
    found = _survey(request, pk)
    return _act(
        request,
        found,
        lambda: surveys.close_survey(found, actor=request.user),
        gettext("Survey closed."),
    )


def _entry_url() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("survey_entry")


def answer_url(survey_id: int):
    """The public answer page of a survey, with a code: the link of each slip's QR code."""
    with translation.override(settings.LANGUAGE_CODE):
        base = reverse("survey_answer", args=(survey_id,))
    root = settings.PUBLIC_BASE_URL.rstrip("/")
    return lambda code: f"{root}{base}?{urlencode({'code': code})}"


def codes(request, pk):
    """The printable sheet; only the side that runs the survey may print its codes."""
    found = _survey(request, pk)
    if not permissions.manages_survey(request.user, found):
        back = reverse("surveys:survey", args=(found.pk,))
        return refused(request, gettext("Only the side that runs a survey prints its codes."), back)
    if found.status != SurveyStatus.OPEN:
        messages.error(request, gettext("Codes are printed while the survey is open."))
        return redirect("surveys:survey", found.pk)
    response = HttpResponse(code_sheet(found, answer_url(found.pk)), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="survey-{found.pk}-codes.pdf"'
    response["Cache-Control"] = "no-store"
    return response


class SurveysMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.runs_surveys(request.user)


class SurveysViewSet(ViewSet):
    name = "surveys"
    icon = "list-ul"
    menu_label = _("Surveys")
    menu_icon = "list-ul"
    menu_order = 8020
    add_to_admin_menu = True
    menu_item_class = SurveysMenuItem

    @property
    def menu_url(self) -> str:
        return reverse("surveys:index")

    def get_urlpatterns(self):
        return [
            path("", index, name="index"),
            path("new/", create, name="create"),
            path("<int:pk>/", survey, name="survey"),
            path("<int:pk>/questions/add/", add_question, name="add_question"),
            path("<int:pk>/questions/remove/", remove_question, name="remove_question"),
            path("<int:pk>/open/", open_survey, name="open"),
            path("<int:pk>/close/", close_survey, name="close"),
            path("<int:pk>/codes.pdf", codes, name="codes"),
        ]
