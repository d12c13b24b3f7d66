"""The owners' committees menu (业主委员会): the list of filings, the filing form, a
committee's page with its members' invitation status, and the renewal.

Thin views: each parses a form and calls one function of ``enterprises.committees``. Who uses
the screens at all is ``permissions.files_committees`` (403 otherwise: administrators and
officials); which committees they see is ``permissions.visible_committees`` (a committee
outside it is a 404, like a guessed id).
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from enterprises import committees, permissions
from enterprises.admin.committee_forms import (
    FilingForm,
    MemberChoiceForm,
    MemberForm,
    MemberFormSet,
    RenewForm,
)
from enterprises.admin.transitions import admin_page, refused, show_on_form
from enterprises.models import CommitteeMember, CommitteePosition, Invitation

PER_PAGE = 50


def _gate(request) -> None:
    if not permissions.files_committees(request.user):
        raise PermissionDenied


_page = partial(admin_page, icon="group")


def _committees(actor):
    """The actor's committees with what the list shows, in a fixed number of queries."""
    chair = CommitteeMember.objects.filter(
        committee=OuterRef("pk"), position=CommitteePosition.CHAIR, removed_at__isnull=True
    )
    return (
        permissions.visible_committees(actor)
        .select_related("estate__district")
        .annotate(
            member_count=Count("members", filter=Q(members__removed_at__isnull=True)),
            chair_name=Subquery(chair.values("name")[:1]),
        )
        .order_by("estate__name", "-term_starts_on", "pk")
    )


def _is_current(committee, today) -> bool:
    return committee.ended_at is None and committee.term_ends_on >= today


def _state(committee, today) -> str:
    if not _is_current(committee, today):
        return gettext("Ended")
    if committee.term_starts_on > today:
        return gettext("Filed, term not yet started")
    return gettext("Current")


def index(request):
    _gate(request)
    page = Paginator(_committees(request.user), PER_PAGE).get_page(request.GET.get("p"))
    today = timezone.localdate()
    rows = [
        {"committee": c, "current": _is_current(c, today), "state": _state(c, today)} for c in page
    ]
    return _page(
        request,
        "enterprises/committees/index.html",
        gettext("Owners' committees"),
        {"rows": rows, "page": page, "object_list": list(page)},
    )


def _member_data(formset) -> list[dict]:
    return [form.cleaned_data for form in formset.forms if form.has_changed() and form.is_valid()]


def _show_refusal(refusal, form, formset) -> None:
    if refusal.member is not None:
        changed = [f for f in formset.forms if f.has_changed()]
        if refusal.member < len(changed):
            target = changed[refusal.member]
            field = refusal.member_field if refusal.member_field in target.fields else None
            target.add_error(field, refusal.message)
            return
    show_on_form(form, refusal)


def file_committee(request):
    _gate(request)
    data = request.POST if request.method == "POST" else None
    form = FilingForm(data, actor=request.user)
    formset = MemberFormSet(data, prefix="members")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        values = form.cleaned_data
        try:
            committee = committees.file_committee(
                actor=request.user,
                estate=values["estate"],
                term_starts_on=values["term_starts_on"],
                term_ends_on=values["term_ends_on"],
                filing_number=values["filing_number"],
                members=_member_data(formset),
            )
        except committees.CommitteeRefused as refusal:
            _show_refusal(refusal, form, formset)
        else:
            messages.success(request, gettext("Committee filed; its members were invited."))
            return redirect("committees:committee", committee.pk)
    return _page(
        request,
        "enterprises/committees/file.html",
        gettext("File an owners' committee"),
        {"form": form, "formset": formset},
    )


def _committee(request, pk):
    _gate(request)
    return get_object_or_404(_committees(request.user), pk=pk)


def _seats(committee):
    pending = Invitation.objects.pending().filter(user=OuterRef("user"))
    return (
        committee.members.select_related("user")
        .annotate(
            invited=Exists(pending),
            rank=Case(
                When(position=CommitteePosition.CHAIR, then=Value(0)),
                When(position=CommitteePosition.VICE_CHAIR, then=Value(1)),
                default=Value(2),
            ),
        )
        .order_by(F("removed_at").asc(nulls_first=True), "rank", "name")
    )


def _invitation_status(seat) -> str:
    if seat.removed_at is not None:
        return gettext("Left the committee")
    person = seat.user
    if person.has_usable_password():
        return gettext("Active") if person.is_active else gettext("Deactivated")
    if seat.invited:
        return gettext("Invited")
    return gettext("Invitation expired or revoked")


def committee(request, pk):
    found = _committee(request, pk)
    seats = [
        {
            "seat": seat,
            "status": _invitation_status(seat),
            # Seated, never signed in, no live link: a new one may be sent.
            "resendable": seat.removed_at is None
            and not seat.user.has_usable_password()
            and not seat.invited,
        }
        for seat in _seats(found)
    ]
    return _page(
        request,
        "enterprises/committees/committee.html",
        str(found),
        {
            "committee": found,
            "current": _is_current(found, timezone.localdate()),
            "state": _state(found, timezone.localdate()),
            "seats": seats,
            "renew_form": RenewForm(),
            "member_form": MemberForm(prefix="new"),
        },
    )


def _act(request, found, perform, done: str):
    """Run one service function on the committee; a refusal about the user is a 403 page,
    one about the data a message on the committee's page."""
    back = reverse("committees:committee", args=(found.pk,))
    try:
        perform()
    except committees.CommitteeNotAllowed as refusal:
        return refused(request, refusal.message, back)
    except committees.CommitteeRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect(back)


def _invalid(request, found, form):
    problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    messages.error(request, problems)
    return redirect("committees:committee", found.pk)


@require_POST
def renew(request, pk):
    found = _committee(request, pk)
    form = RenewForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Enter the new end of the term."))
        return redirect("committees:committee", found.pk)
    end = form.cleaned_data["term_ends_on"]
    return _act(
        request,
        found,
        lambda: committees.renew_committee(found, actor=request.user, term_ends_on=end),
        gettext("Term renewed."),
    )


@require_POST
def add_member(request, pk):
    found = _committee(request, pk)
    form = MemberForm(request.POST, prefix="new")
    if not form.is_valid():
        return _invalid(request, found, form)
    return _act(
        request,
        found,
        lambda: committees.add_member(found, actor=request.user, **form.cleaned_data),
        gettext("Member added and invited."),
    )


def _act_on_seat(request, pk, perform, done):
    """One member's button (a hidden ``member`` field): ``perform(seat, actor)`` and
    ``done(seat)``, the success message; a seat of another committee is a 404."""
    found = _committee(request, pk)
    form = MemberChoiceForm(request.POST)
    if not form.is_valid():
        return _invalid(request, found, form)
    seat = get_object_or_404(found.members.all(), pk=form.cleaned_data["member"])
    return _act(request, found, lambda: perform(seat, actor=request.user), done(seat))


@require_POST
def remove_member(request, pk):
    return _act_on_seat(
        request, pk, committees.remove_member, lambda seat: gettext("Member removed.")
    )


@require_POST
def make_chair(request, pk):
    return _act_on_seat(
        request,
        pk,
        committees.make_chair,
        lambda seat: gettext("%(name)s is the committee's chair now.") % {"name": seat.name},
    )


@require_POST
def resend_invitation(request, pk):
    return _act_on_seat(
        request,
        pk,
        committees.resend_member_invitation,
        lambda seat: gettext("A new invitation was sent to %(name)s.") % {"name": seat.name},
    )


class CommitteesMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.files_committees(request.user)


class CommitteesViewSet(ViewSet):
    name = "committees"
    icon = "group"
    menu_label = _("Owners' committees")
    menu_icon = "group"
    menu_order = 8010
    add_to_admin_menu = True
    menu_item_class = CommitteesMenuItem

    @property
    def menu_url(self) -> str:
        return reverse("committees:index")

    def get_urlpatterns(self):
        return [
            path("", index, name="index"),
            path("file/", file_committee, name="file"),
            path("<int:pk>/", committee, name="committee"),
            path("<int:pk>/renew/", renew, name="renew"),
            path("<int:pk>/members/add/", add_member, name="add_member"),
            path("<int:pk>/members/remove/", remove_member, name="remove_member"),
            path("<int:pk>/members/chair/", make_chair, name="make_chair"),
            path("<int:pk>/members/resend/", resend_invitation, name="resend_invitation"),
        ]
