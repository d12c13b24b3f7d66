"""The People menu (人员): the list, the invitation form, a person's page and its buttons.

Thin views: each parses a form and calls one function of ``enterprises.people``; who sees
whom is ``permissions.people_visible_to`` (a person outside it is a 404), who may use the
screens at all is ``permissions.manages_people`` (403 otherwise): administrators, officials
and companies' administrators, each seeing the people the permission functions allow.
"""

from functools import partial

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from enterprises import people, permissions
from enterprises.admin.people_forms import InviteForm, ScopeForm
from enterprises.admin.people_import import import_people, import_template
from enterprises.admin.transitions import admin_page, refused, show_on_form
from enterprises.models import CompanyUserObjectPermission, Invitation
from foundation.names import display_name
from foundation.roles import ROLE_LABELS, Role

PER_PAGE = 50


def _gate(request) -> None:
    if not permissions.manages_people(request.user):
        raise PermissionDenied


def _people(actor):
    """The actor's people with everything the list shows, in a fixed number of queries."""
    return (
        permissions.people_visible_to(actor)
        .select_related(
            "staff_profile__district",
            "staff_profile__company",
            "staff_profile__estate",
            "staff_profile__evaluation_organisation",
        )
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("name")))
        .annotate(
            invited=Exists(Invitation.objects.pending().filter(user=OuterRef("pk"))),
            company_administrator=Exists(
                CompanyUserObjectPermission.objects.filter(
                    user=OuterRef("pk"),
                    content_object=OuterRef("staff_profile__company"),
                    permission__codename="administer_company_staff",
                )
            ),
        )
        .order_by("username")
    )


def _role_labels(person) -> list[str]:
    labels = {role.value: label for role, label in ROLE_LABELS.items()}
    held = [labels[group.name] for group in person.groups.all() if group.name in labels]
    if getattr(person, "company_administrator", False):
        held.append(gettext("Company administrator"))
    return held


def _status(person) -> str:
    if person.is_active:
        return gettext("Active")
    if getattr(person, "invited", False):
        return gettext("Invited")
    return gettext("Deactivated")


def _scope_label(person) -> str:
    if Role.INTAKE_CLERK.value in {group.name for group in person.groups.all()}:
        return gettext("City-wide intake")  # registers calls, sees no case: no scope needed
    profile = getattr(person, "staff_profile", None)
    if profile is None:
        return ""
    if profile.city_wide:
        return gettext("City-wide")
    parts = [profile.district, profile.company, profile.estate, profile.evaluation_organisation]
    return " / ".join(str(part) for part in parts if part is not None)


_page = partial(admin_page, icon="group")


def index(request):
    _gate(request)
    page = Paginator(_people(request.user), PER_PAGE).get_page(request.GET.get("p"))
    rows = [
        {
            "person": person,
            "roles": _role_labels(person),
            "scope": _scope_label(person),
            "status": _status(person),
        }
        for person in page
    ]
    return _page(
        request, "enterprises/people/index.html", gettext("People"), {"rows": rows, "page": page}
    )


def invite(request):
    _gate(request)
    form = InviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = people.invite_person(
                actor=request.user,
                email=data["email"],
                name=data["name"],
                role=data["role"],
                phone=data["phone"],
                username=data["username"] or None,
                **form.scope(),
            )
        except people.PersonRefused as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(request, gettext("Invitation sent to %s.") % invitation.email)
            return redirect("people:person", invitation.user_id)
    return _page(
        request, "enterprises/people/invite.html", gettext("Invite a person"), {"form": form}
    )


def _person(request, pk):
    _gate(request)
    return get_object_or_404(_people(request.user), pk=pk)


# Higher apps add to a person's page (``cases``: the work they hold) through this hook, as
# ``enterprises`` may not import them: ``fn(request, person)`` returns a component or None.
PERSON_PAGE_PANELS = "person_page_panels"


def _panels(request, someone) -> list:
    panels = (fn(request, someone) for fn in hooks.get_hooks(PERSON_PAGE_PANELS))
    return [panel for panel in panels if panel is not None]


def person(request, pk):
    someone = _person(request, pk)
    profile = getattr(someone, "staff_profile", None)
    initial = {}
    if profile is not None:
        initial = {
            "district": profile.district_id,
            "city_wide": profile.city_wide,
            "company": profile.company_id,
            "estate": profile.estate_id,
            "evaluation_organisation": profile.evaluation_organisation_id,
        }
    return _page(
        request,
        "enterprises/people/person.html",
        display_name(someone),
        {
            "person": someone,
            "roles": _role_labels(someone),
            "scope": _scope_label(someone),
            "status": _status(someone),
            "scope_form": ScopeForm(initial=initial, actor=request.user),
            "invitations": someone.invitations.select_related("invited_by")[:10],
            "is_self": someone.pk == request.user.pk,
            "manages": permissions.may_manage_person(request.user, someone),
            "grants_company_administration": permissions.may_grant_company_administration(
                request.user, someone
            ),
            "accepted": someone.has_usable_password(),
            "panels": _panels(request, someone),
        },
    )


def _act(request, pk, perform, done: str):
    """Run one service function on the person; a refusal about the user is a 403 page,
    one about the person a message on their page."""
    someone = _person(request, pk)
    back = reverse("people:person", args=(someone.pk,))
    try:
        perform(someone)
    except people.NotAllowed as refusal:
        return refused(request, refusal.message, back)
    except people.PersonRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect(back)


@require_POST
def change_scope(request, pk):
    form = ScopeForm(request.POST, actor=request.user)
    if not form.is_valid():
        _person(request, pk)
        messages.error(request, gettext("Choose a district, company or estate offered."))
        return redirect("people:person", pk)
    return _act(
        request,
        pk,
        lambda someone: people.change_scope(someone, actor=request.user, **form.scope()),
        gettext("Scope changed."),
    )


@require_POST
def deactivate(request, pk):
    return _act(
        request,
        pk,
        lambda someone: people.deactivate_person(someone, actor=request.user),
        gettext("Deactivated: this person can no longer sign in."),
    )


@require_POST
def reactivate(request, pk):
    return _act(
        request,
        pk,
        lambda someone: people.reactivate_person(someone, actor=request.user),
        gettext("Reactivated."),
    )


@require_POST
def resend(request, pk):
    return _act(
        request,
        pk,
        lambda someone: people.resend_invitation(someone, actor=request.user),
        gettext("A new link was sent; the old one no longer works."),
    )


@require_POST
def revoke(request, pk):
    return _act(
        request,
        pk,
        lambda someone: people.revoke_invitation(someone, actor=request.user),
        gettext("Invitation revoked."),
    )


@require_POST
def grant_company_administration(request, pk):
    return _act(
        request,
        pk,
        lambda someone: people.grant_company_administration(someone, actor=request.user),
        gettext("This person may now invite and deactivate their company's staff."),
    )


@require_POST
def withdraw_company_administration(request, pk):
    return _act(
        request,
        pk,
        lambda someone: people.withdraw_company_administration(someone, actor=request.user),
        gettext("The right to administer the company's staff was withdrawn."),
    )


class PeopleMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.manages_people(request.user)


class PeopleViewSet(ViewSet):
    name = "people"
    icon = "group"
    menu_label = _("People")
    menu_icon = "group"
    menu_order = 8000
    add_to_admin_menu = True
    menu_item_class = PeopleMenuItem

    @property
    def menu_url(self) -> str:
        return reverse("people:index")

    def get_urlpatterns(self):
        return [
            path("", index, name="index"),
            path("invite/", invite, name="invite"),
            path("import/", import_people, name="import"),
            path("import/template/", import_template, name="import_template"),
            path("<int:pk>/", person, name="person"),
            path("<int:pk>/scope/", change_scope, name="change_scope"),
            path("<int:pk>/deactivate/", deactivate, name="deactivate"),
            path("<int:pk>/reactivate/", reactivate, name="reactivate"),
            path("<int:pk>/resend/", resend, name="resend"),
            path("<int:pk>/revoke/", revoke, name="revoke"),
            path(
                "<int:pk>/company-administration/grant/",
                grant_company_administration,
                name="grant_company_administration",
            ),
            path(
                "<int:pk>/company-administration/withdraw/",
                withdraw_company_administration,
                name="withdraw_company_administration",
            ),
        ]
