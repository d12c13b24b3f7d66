"""The improvement requests menu (整改要求): the requests a user sees, the committee's new
request, a request's page with its history, the company's answer and the committee's decision
(accept, or escalate to the regulator, which opens a case).

Here in the cases layer because escalating opens a case (``cases.committee_requests``); the
other steps are ``enterprises.improvement_requests``'. Who uses the screens is
``permissions.uses_owners_screens`` (403 otherwise); which requests
``permissions.visible_improvement_requests`` (another is a 404).
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.viewsets.base import ViewSet

from cases import committee_requests
from enterprises import improvement_requests, permissions
from enterprises.admin.owner_forms import AnswerForm, DecisionForm, SendRequestForm
from enterprises.admin.transitions import admin_page, refused, show_on_form
from enterprises.admin.units import OwnersMenuItem
from enterprises.models import RequestStatus

PER_PAGE = 50

_page = partial(admin_page, icon="warning")


def _gate(request) -> None:
    if not permissions.uses_owners_screens(request.user):
        raise PermissionDenied


def _requests(user):
    return permissions.visible_improvement_requests(user).select_related("estate", "company")


def index(request):
    _gate(request)
    page = Paginator(_requests(request.user).order_by("-sent_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("p")
    )
    return _page(
        request,
        "cases/committee_requests/index.html",
        gettext("Improvement requests"),
        {
            "page": page,
            "object_list": list(page),
            "may_send": permissions.committee_estates(request.user).exists(),
        },
    )


def new(request):
    _gate(request)
    if not permissions.committee_estates(request.user).exists():
        raise PermissionDenied  # requests are the committees' to send
    form = SendRequestForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            sent = improvement_requests.send_request(actor=request.user, **form.cleaned_data)
        except improvement_requests.RequestRefused as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(request, gettext("Request sent to the company."))
            return redirect("improvement_requests:request", sent.pk)
    return _page(
        request,
        "cases/committee_requests/new.html",
        gettext("New improvement request"),
        {"form": form},
    )


def _request(request, pk):
    _gate(request)
    return get_object_or_404(_requests(request.user), pk=pk)


def detail(request, pk):
    found = _request(request, pk)
    member = permissions.sits_on_current_committee(request.user, found.estate)
    company = permissions.can_act_for_company(request.user, found.company)
    return _page(
        request,
        "cases/committee_requests/request.html",
        str(found),
        {
            "found": found,
            "may_answer": company and found.status == RequestStatus.SENT,
            "may_decide": member and found.status == RequestStatus.ANSWERED,
            "answer_form": AnswerForm(),
            "decision_form": DecisionForm(),
        },
    )


def _act(request, found, perform, done: str):
    back = reverse("improvement_requests:request", args=(found.pk,))
    try:
        perform()
    except improvement_requests.RequestNotAllowed as refusal:
        return refused(request, refusal.message, back)
    except improvement_requests.RequestRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect(back)


@require_POST
def answer(request, pk):
    found = _request(request, pk)
    form = AnswerForm(request.POST)
    text = form.cleaned_data["answer"] if form.is_valid() else ""
    return _act(
        request,
        found,
        lambda: improvement_requests.answer_request(found, actor=request.user, answer=text),
        gettext("Answer sent to the committee."),
    )


def _note(request) -> str:
    form = DecisionForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


@require_POST
def accept(request, pk):
    found = _request(request, pk)
    note = _note(request)
    return _act(
        request,
        found,
        lambda: improvement_requests.accept_answer(found, actor=request.user, note=note),
        gettext("Answer accepted."),
    )


@require_POST
def escalate(request, pk):
    found = _request(request, pk)
    note = _note(request)
    return _act(
        request,
        found,
        lambda: committee_requests.escalate_request(found, actor=request.user, note=note),
        gettext("Escalated to the regulator: a case was opened."),
    )


class ImprovementRequestsViewSet(ViewSet):
    name = "improvement_requests"
    icon = "warning"
    menu_label = _("Improvement requests")
    menu_icon = "warning"
    menu_order = 8040
    add_to_admin_menu = True
    menu_item_class = OwnersMenuItem

    @property
    def menu_url(self) -> str:
        return reverse("improvement_requests:index")

    def get_urlpatterns(self):
        return [
            path("", index, name="index"),
            path("new/", new, name="new"),
            path("<int:pk>/", detail, name="request"),
            path("<int:pk>/answer/", answer, name="answer"),
            path("<int:pk>/accept/", accept, name="accept"),
            path("<int:pk>/escalate/", escalate, name="escalate"),
        ]
