"""The public ballot page of an owners' vote (业主共同决定): an owner opens it from the QR
code on their ballot paper (the code filled in) or types the code, and votes yes, no or
abstain. No account: the unit's one-time code is the owner's proof, as the paper would be.

Wrong codes are counted per client address (django-ratelimit), like the tracking page's, so
codes cannot be guessed at speed; a refusal says why (spent, another vote, not a code) since
a code is 60 random bits and learning that one is spent tells nothing about the others.
"""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from enterprises import votes
from enterprises.models import BallotChoice, Vote, VoteStatus

RATE_GROUP = "owners-vote-code"
# Twenty wrong codes an hour from one address: enough for a family's typing errors.
WRONG_CODES_PER_HOUR = "20/h"


class BallotForm(forms.Form):
    code = forms.CharField(label=_("Code on your ballot"), max_length=20)
    choice = forms.ChoiceField(
        label=_("Your vote"), choices=BallotChoice.choices, widget=forms.RadioSelect
    )


def _wrong_codes(request: HttpRequest, *, increment: bool) -> dict | None:
    return get_usage(
        request, group=RATE_GROUP, key="ip", rate=WRONG_CODES_PER_HOUR, increment=increment
    )


def _page(request, vote, form, *, status=200, **context) -> HttpResponse:
    response = TemplateResponse(
        request,
        "portal/owners_vote.html",
        {"vote": vote, "form": form, "open": vote.status == VoteStatus.OPEN, **context},
        status=status,
    )
    add_never_cache_headers(response)
    return response


def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    vote = (
        Vote.objects.select_related("estate").exclude(status=VoteStatus.DRAFT).filter(pk=pk).first()
    )
    if vote is None:
        raise Http404
    if request.method != "POST":
        return _page(request, vote, BallotForm(initial={"code": request.GET.get("code", "")}))
    usage = _wrong_codes(request, increment=False)
    if usage is not None and usage["count"] >= usage["limit"]:
        return _page(request, vote, BallotForm(), status=429, rate_limited=True)
    form = BallotForm(request.POST)
    if form.is_valid():
        try:
            votes.cast_ballot(
                vote, code=form.cleaned_data["code"], choice=form.cleaned_data["choice"]
            )
        except votes.VoteRefused as refusal:
            _wrong_codes(request, increment=True)
            form.add_error("code" if refusal.field == "code" else None, refusal.message)
        else:
            return _page(request, vote, None, cast=True)
    return _page(request, vote, form, status=400)
