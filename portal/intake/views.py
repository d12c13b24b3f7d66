"""Staff intake screens (代录): register a caller's complaint, read out its code once, pick an
estate from the register as one types, and find a caller's earlier complaints by phone.

Thin views: the form checks, ``cases.staff_intake`` registers (refusals land on the field they
name), ``cases.callers`` finds; who may open what is ``cases.permissions`` (403 otherwise).
The receipt waits in the session for the one result page and is popped there: a reload, the
back button or another tab never shows the access code again.
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from cases import callers, permissions, staff_intake
from cases.consultations import ANSWERABLE
from cases.masking import mask_phone
from cases.models import Complaint, Tier
from enterprises.admin.transitions import admin_page, show_on_form
from enterprises.models import Estate
from portal.intake.consultations import answer_consultation
from portal.intake.forms import IntakeForm, PhoneLookUpForm, estate_label

SESSION_KEY = "portal.intake.receipt"
TYPE_AHEAD_LIMIT = 20
LOOK_UP_LIMIT = 50  # the newest; the total is said

_page = partial(admin_page, icon="mobile-alt")


def _gate(request) -> None:
    if not permissions.can_register_for_callers(request.user):
        raise PermissionDenied


def _no_store(response):
    add_never_cache_headers(response)
    return response


def _earlier_case(user, earlier: Complaint | None) -> dict | None:
    """What the clerk is shown of the earlier registration: its number, and a link only for
    those who may open it."""
    if earlier is None:
        return None
    may_open = permissions.can_view(user, earlier)
    return {
        "tracking_number": earlier.tracking_number,
        "created_at": earlier.created_at,
        "url": reverse("cases_admin:case", args=(earlier.pk,)) if may_open else "",
    }


def consultation_answerable(user, complaint: Complaint) -> bool:
    """Offer "answer at once" (即问即答) for an open, undispatched consultation."""
    return (
        complaint.tier == Tier.CONSULTATION
        and complaint.status in ANSWERABLE
        and permissions.can_answer_consultation(user, complaint)
    )


def register(request):
    _gate(request)
    form = IntakeForm(request.POST or None, request.FILES or None)
    earlier = None
    if request.method == "POST" and form.is_valid():
        try:
            registration = form.register(request.user)
        except staff_intake.DuplicateRegistration as duplicate:
            earlier = _earlier_case(request.user, duplicate.earlier)
            show_on_form(form, duplicate)
        except staff_intake.IntakeRefused as refusal:
            show_on_form(form, refusal)
        else:
            receipt = registration.receipt
            request.session[SESSION_KEY] = {
                "complaint_id": receipt.complaint.pk,
                "tracking_number": receipt.tracking_number,
                "access_code": receipt.access_code,
                "sms_sent": registration.sms_sent,
                "phone": mask_phone(receipt.complaint.contact_phone),
            }
            return redirect("intake:registered")
    context = {
        "form": form,
        "earlier": earlier,
        "files_dropped": earlier is not None and bool(request.FILES),
        "may_look_up": permissions.can_look_up_callers(request.user),
    }
    return _no_store(
        _page(request, "portal/intake/register.html", gettext("Register a complaint"), context)
    )


def registered(request):
    """The code, shown once to read out to the caller."""
    _gate(request)
    receipt = request.session.pop(SESSION_KEY, None)
    if receipt is None:
        messages.info(
            request,
            gettext(
                "The access code is shown only once, right after registering. If the caller "
                "lost it, they can ask for a new one on the tracking page."
            ),
        )
        return redirect("intake:register")
    complaint = Complaint.objects.filter(pk=receipt["complaint_id"]).first()
    user = request.user
    context = {
        "receipt": receipt,
        "complaint": complaint,
        "case_url": (
            reverse("cases_admin:case", args=(complaint.pk,))
            if complaint is not None and permissions.can_view(user, complaint)
            else ""
        ),
        "answer_url": (
            reverse("intake:answer_consultation", args=(complaint.pk,))
            if complaint is not None and consultation_answerable(user, complaint)
            else ""
        ),
        "repeat": complaint is not None and callers.is_repeat_caller(user, complaint),
        "repeat_threshold": callers.repeat_threshold(),
        "may_look_up": permissions.can_look_up_callers(user),
    }
    return _no_store(
        _page(request, "portal/intake/registered.html", gettext("Complaint registered"), context)
    )


def estates(request):
    """The type-ahead: estates of the register whose name or address contains ``q``."""
    _gate(request)
    typed = request.GET.get("q", "").strip()[:50]
    results = []
    if typed:
        found = (
            Estate.objects.filter(Q(name__icontains=typed) | Q(address__icontains=typed))
            .select_related("district")
            .order_by("name", "pk")[:TYPE_AHEAD_LIMIT]
        )
        results = [
            {
                "id": estate.pk,
                "name": estate.name,
                "label": estate_label(estate),
                "district": estate.district.name,
                "address": estate.address,
            }
            for estate in found
        ]
    return _no_store(JsonResponse({"results": results}))


def look_up(request):
    """A caller's earlier complaints by phone. POST, so the number never sits in a URL."""
    if not permissions.can_look_up_callers(request.user):
        raise PermissionDenied
    form = PhoneLookUpForm(request.POST or None)
    rows, total = None, 0
    if request.method == "POST" and form.is_valid():
        found = callers.look_up_caller(request.user, form.cleaned_data["phone"], request=request)
        rows = list(found[:LOOK_UP_LIMIT])
        total = found.count() if len(rows) == LOOK_UP_LIMIT else len(rows)
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "repeat": rows is not None and callers.repeats_within_window(rows),
        "limit": LOOK_UP_LIMIT,
        "repeat_threshold": callers.repeat_threshold(),
    }
    return _no_store(
        _page(request, "portal/intake/look_up.html", gettext("Find a caller's complaints"), context)
    )


class IntakeMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.can_register_for_callers(request.user)


class LookUpMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.can_look_up_callers(request.user)


class IntakeViewSet(ViewSet):
    name = "intake"
    icon = "mobile-alt"
    menu_label = _("Register a complaint")
    menu_icon = "mobile-alt"
    menu_order = 185  # above the case workbench
    add_to_admin_menu = True
    menu_item_class = IntakeMenuItem

    @property
    def menu_url(self) -> str:
        return reverse("intake:register")

    def get_urlpatterns(self):
        return [
            path("", register, name="register"),
            path("registered/", registered, name="registered"),
            path("estates/", estates, name="estates"),
            path("callers/", look_up, name="look_up"),
            path("<int:pk>/answer/", answer_consultation, name="answer_consultation"),
        ]


def look_up_menu_item() -> LookUpMenuItem:
    return LookUpMenuItem(
        _("Find a caller"), reverse("intake:look_up"), icon_name="search", order=186
    )
