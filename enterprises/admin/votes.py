"""The owners' votes menu (业主共同决定) and handovers (交接): the committee calls and runs its
estate's votes (open, paper ballots, close, tally, file) and prints the ballot sheet; the
district's officials read filed votes and start the handover after a dismissal; the companies
and the committee confirm the handover.

Thin views: each parses a form and calls one function of ``enterprises.votes`` or
``enterprises.handovers``. Who may open the screens at all is a role check (403 otherwise);
which records they see is ``permissions.visible_votes`` / ``visible_handovers`` (a record
outside it is a 404, like a guessed id); a refusal about the user is a 403 page, one about
the data a message on the record's page.
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from enterprises import handovers, people, permissions, vote_sheets, vote_tally, votes
from enterprises.admin.transitions import admin_page, refused, show_on_form
from enterprises.admin.vote_forms import (
    ActForm,
    BallotDecisionForm,
    CallForm,
    ConfirmHandoverForm,
    PaperBallotForm,
    StartHandoverForm,
)
from enterprises.models import (
    Ballot,
    BallotChannel,
    Estate,
    Handover,
    HandoverParty,
    Matter,
    OwnersCommittee,
    VoteStatus,
)
from foundation.roles import Role, has_role

_page = partial(admin_page, icon="tasks")
VOTE_ROLES = (Role.OWNERS_COMMITTEE, Role.OFFICIAL, Role.ADMINISTRATOR)
HANDOVER_ROLES = (*VOTE_ROLES, Role.COMPANY_STAFF)


def _gate(request, roles=VOTE_ROLES) -> None:
    if not request.user.is_authenticated or not has_role(request.user, *roles):
        raise PermissionDenied


def _seated_estates(user):
    current = OwnersCommittee.objects.current().filter(
        members__user=user, members__removed_at__isnull=True
    )
    estates = permissions.committee_estates(user).filter(pk__in=current.values("estate_id"))
    return Estate.objects.filter(pk__in=estates.values("pk"))


def _votes(user):
    return (
        permissions.visible_votes(user)
        .select_related("estate")
        .annotate(cast=Count("ballots", filter=~Q(ballots__choice="")))
        .order_by("-opens_at", "-pk")
    )


def index(request):
    _gate(request)
    rows = list(_votes(request.user)[:200])
    return _page(
        request,
        "enterprises/votes/index.html",
        gettext("Owners' votes"),
        {
            "object_list": rows,
            "may_call": _seated_estates(request.user).exists(),
        },
    )


def call(request):
    _gate(request)
    estates = _seated_estates(request.user)
    if not estates.exists():
        raise PermissionDenied
    form = CallForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            vote = votes.call_vote(actor=request.user, **values)
        except votes.VoteRefused as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(request, gettext("Vote called: open it to issue the codes."))
            return redirect("votes:vote", vote.pk)
    return _page(
        request, "enterprises/votes/call.html", gettext("Call an owners' vote"), {"form": form}
    )


def _vote(request, pk):
    _gate(request)
    return get_object_or_404(_votes(request.user), pk=pk)


def vote(request, pk):
    found = _vote(request, pk)
    seat = permissions.committee_seat(request.user, found.estate)
    pending = (
        Ballot.objects.filter(vote=found, channel=BallotChannel.PAPER, confirmed_at__isnull=True)
        .exclude(choice="")
        .select_related("unit", "entered_by")
    )
    handover = Handover.objects.filter(vote=found).first()
    may_start = (
        handover is None
        and found.status == VoteStatus.FILED
        and found.passed
        and found.matter == Matter.COMPANY
        and found.dismissal
        and permissions.can_decide_for_estate(request.user, found.estate)
    )
    return _page(
        request,
        "enterprises/votes/vote.html",
        str(found),
        {
            "vote": found,
            "runs": seat is not None,
            "pending": list(pending) if seat is not None else [],
            "explained": vote_tally.explain(found.result) if found.result else [],
            "paper_form": PaperBallotForm(),
            "handover": handover,
            "start_form": StartHandoverForm(estate=found.estate) if may_start else None,
        },
    )


def sheet(request, pk):
    """The ballot sheet (PDF): for the committee that runs the vote, while it is open."""
    found = _vote(request, pk)
    if permissions.committee_seat(request.user, found.estate) is None:
        raise PermissionDenied
    if found.status != VoteStatus.OPEN:
        messages.error(request, gettext("The ballot sheet is printed while the vote is open."))
        return redirect("votes:vote", found.pk)
    response = HttpResponse(vote_sheets.ballot_sheet(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ballots-{found.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _run(request, back: str, perform, done: str):
    try:
        perform()
    except people.NotAllowed as refusal:
        return refused(request, refusal.message, back)
    except (votes.VoteRefused, handovers.HandoverRefused) as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect(back)


STEPS = {
    "open": (votes.open_vote, _("Voting is open; print the ballot sheet.")),
    "close": (votes.close_vote, _("Voting is closed.")),
    "tally": (votes.tally_vote, _("Vote tallied.")),
    "file": (votes.file_vote, _("Result filed with the regulator.")),
}


@require_POST
def act(request, pk):
    found = _vote(request, pk)
    back = reverse("votes:vote", args=(found.pk,))
    form = ActForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a step offered."))
        return redirect(back)
    perform, done = STEPS[form.cleaned_data["step"]]
    return _run(request, back, lambda: perform(found, actor=request.user), str(done))


@require_POST
def paper(request, pk):
    """Enter a paper ballot, or confirm or discard one entered by another member."""
    found = _vote(request, pk)
    back = reverse("votes:vote", args=(found.pk,))
    decision = BallotDecisionForm(request.POST)
    if decision.is_valid():
        ballot = get_object_or_404(
            Ballot.objects.filter(vote=found), pk=decision.cleaned_data["ballot"]
        )
        if decision.cleaned_data["decision"] == "confirm":
            return _run(
                request,
                back,
                lambda: votes.confirm_paper_ballot(ballot, actor=request.user),
                gettext("Paper ballot confirmed."),
            )
        return _run(
            request,
            back,
            lambda: votes.discard_paper_ballot(ballot, actor=request.user),
            gettext("Paper ballot discarded; its code may be entered again."),
        )
    form = PaperBallotForm(request.POST)
    if not form.is_valid():
        if permissions.committee_seat(request.user, found.estate) is None:
            return refused(
                request,
                gettext("Only members of the estate's current owners' committee may do this."),
                back,
            )
        messages.error(request, gettext("Enter the code and the vote of the paper ballot."))
        return redirect(back)
    return _run(
        request,
        back,
        lambda: votes.enter_paper_ballot(found, actor=request.user, **form.cleaned_data),
        gettext("Paper ballot entered; another member must confirm it."),
    )


@require_POST
def start_handover(request, pk):
    found = _vote(request, pk)
    back = reverse("votes:vote", args=(found.pk,))
    if not permissions.can_decide_for_estate(request.user, found.estate):
        return refused(request, gettext("You may not start handovers of this estate."), back)
    form = StartHandoverForm(request.POST, estate=found.estate)
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, problems)
        return redirect(back)
    return _run(
        request,
        back,
        lambda: handovers.start_handover(found, actor=request.user, **form.cleaned_data),
        gettext("Handover started; the companies and the committee confirm it."),
    )


def _handovers(user):
    return (
        permissions.visible_handovers(user)
        .select_related("estate", "outgoing_contract__company", "incoming_contract__company")
        .annotate(confirmed=Count("confirmations"))
        .order_by("-started_at", "-pk")
    )


def handover_index(request):
    _gate(request, HANDOVER_ROLES)
    return _page(
        request,
        "enterprises/votes/handovers.html",
        gettext("Handovers"),
        {"object_list": list(_handovers(request.user)[:200])},
    )


def _handover(request, pk):
    _gate(request, HANDOVER_ROLES)
    return get_object_or_404(_handovers(request.user), pk=pk)


def handover(request, pk):
    found = _handover(request, pk)
    confirmed = {c.party: c for c in found.confirmations.select_related("confirmed_by")}
    mine = permissions.handover_parties_of(request.user, found)
    parties = [
        {
            "value": value,
            "label": label,
            "confirmation": confirmed.get(value),
            "mine": value in mine,
        }
        for value, label in HandoverParty.choices
    ]
    return _page(
        request,
        "enterprises/votes/handover.html",
        str(found),
        {"handover": found, "items": found.items.all(), "parties": parties},
    )


@require_POST
def confirm_handover(request, pk):
    found = _handover(request, pk)
    back = reverse("votes:handover", args=(found.pk,))
    form = ConfirmHandoverForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose the side you confirm for."))
        return redirect(back)
    return _run(
        request,
        back,
        lambda: handovers.confirm_handover(
            found, actor=request.user, party=form.cleaned_data["party"]
        ),
        gettext("Handover confirmed."),
    )


class VotesMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return has_role(request.user, *VOTE_ROLES)


class HandoversMenuItem(MenuItem):
    """Handovers for company staff, who take part in them but see no votes."""

    def __init__(self):
        super().__init__(
            _("Handovers"), reverse_lazy("votes:handovers"), icon_name="tasks", order=8030
        )

    def is_shown(self, request) -> bool:
        return has_role(request.user, Role.COMPANY_STAFF)


class VotesViewSet(ViewSet):
    name = "votes"
    icon = "tasks"
    menu_label = _("Owners' votes")
    menu_icon = "tasks"
    menu_order = 8020
    add_to_admin_menu = True
    menu_item_class = VotesMenuItem

    @property
    def menu_url(self) -> str:
        return reverse("votes:index")

    def get_urlpatterns(self):
        return [
            path("", index, name="index"),
            path("call/", call, name="call"),
            path("<int:pk>/", vote, name="vote"),
            path("<int:pk>/ballots.pdf", sheet, name="sheet"),
            path("<int:pk>/act/", act, name="act"),
            path("<int:pk>/paper/", paper, name="paper"),
            path("<int:pk>/handover/", start_handover, name="start_handover"),
            path("handovers/", handover_index, name="handovers"),
            path("handovers/<int:pk>/", handover, name="handover"),
            path("handovers/<int:pk>/confirm/", confirm_handover, name="confirm_handover"),
        ]
