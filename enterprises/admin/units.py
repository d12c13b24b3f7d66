"""The units menu (房屋与业主): the estates a user reads with their units, an estate's units
with their owners (a buyer of several units marked, the developer's units marked), and the
import of units from a spreadsheet.

Thin views: ``enterprises.unit_import`` checks and writes. Who uses the screens at all is
``permissions.uses_owners_screens`` (403 otherwise); which estates ``permissions.unit_estates``
(another estate is a 404); who imports ``permissions.manages_units`` (403 otherwise).
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from enterprises import permissions, unit_import
from enterprises.admin.people_import import StaffImportForm
from enterprises.admin.transitions import admin_page
from enterprises.models import Unit
from foundation.spreadsheets import CONTENT_TYPES
from foundation.uploads import display_name

PER_PAGE = 100
TEMPLATE_NAME = "units-import-template.csv"

_page = partial(admin_page, icon="home")


def _gate(request) -> None:
    if not permissions.uses_owners_screens(request.user):
        raise PermissionDenied


def _estate(request, pk):
    _gate(request)
    return get_object_or_404(permissions.unit_estates(request.user), pk=pk)


def index(request):
    _gate(request)
    estates = (
        permissions.unit_estates(request.user)
        .select_related("district")
        .annotate(unit_count=Count("units"), area=Sum("units__exclusive_area"))
        .order_by("name", "pk")
    )
    page = Paginator(estates, PER_PAGE).get_page(request.GET.get("p"))
    return _page(
        request,
        "enterprises/units/index.html",
        gettext("Units and owners"),
        {"page": page, "object_list": list(page)},
    )


def estate(request, pk):
    found = _estate(request, pk)
    units = (
        Unit.objects.filter(estate=found)
        .select_related("owner")
        .annotate(owner_units=Count("owner__units"))
        .order_by("building", "entrance", "room", "pk")
    )
    page = Paginator(units, PER_PAGE).get_page(request.GET.get("p"))
    totals = Unit.objects.filter(estate=found).aggregate(
        count=Count("pk"), area=Sum("exclusive_area")
    )
    return _page(
        request,
        "enterprises/units/estate.html",
        gettext("Units of %(estate)s") % {"estate": found.name},
        {
            "estate": found,
            "page": page,
            "object_list": list(page),
            "totals": totals,
            "may_import": permissions.manages_units(request.user, found),
        },
    )


class UnitImportForm(StaffImportForm):
    """The same file field and size check as the people import."""


def import_units(request, pk):
    found = _estate(request, pk)
    if not permissions.manages_units(request.user, found):
        raise PermissionDenied
    form = UnitImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = unit_import.import_units(
            upload, actor=request.user, estate=found, file_name=display_name(upload)
        )
        if report.ok:
            message = ngettext(
                "%(count)d unit was recorded from “%(file)s”.",
                "%(count)d units were recorded from “%(file)s”.",
                report.units,
            )
            messages.success(request, message % {"count": report.units, "file": report.file_name})
            return redirect("units:estate", found.pk)
    return _page(
        request,
        "enterprises/units/import.html",
        gettext("Import the units of %(estate)s") % {"estate": found.name},
        {"estate": found, "form": form, "report": report},
    )


def import_template(request):
    _gate(request)
    text = "\ufeff" + ",".join(unit_import.template_headings()) + "\r\n"
    response = HttpResponse(text.encode(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_NAME)
    return response


class OwnersMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.uses_owners_screens(request.user)


class UnitsViewSet(ViewSet):
    name = "units"
    icon = "home"
    menu_label = _("Units and owners")
    menu_icon = "home"
    menu_order = 8020
    add_to_admin_menu = True
    menu_item_class = OwnersMenuItem

    @property
    def menu_url(self) -> str:
        return reverse("units:index")

    def get_urlpatterns(self):
        return [
            path("", index, name="index"),
            path("template/", import_template, name="import_template"),
            path("estate/<int:pk>/", estate, name="estate"),
            path("estate/<int:pk>/import/", import_units, name="import"),
        ]
