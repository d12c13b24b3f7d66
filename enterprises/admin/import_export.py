"""Bulk import and export of the company register (企业名录导入导出) on the Companies screen.

The views are thin: ``enterprises.importing`` decides who may import and checks every row,
``enterprises.exporting`` writes only the companies the user may see. The URLs sit inside the
companies viewset, so Wagtail's admin gate sends anonymous users to the login page.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button, HeaderButton

from enterprises.admin.transitions import refused
from enterprises.admin.views import ScopedIndexView
from enterprises.exporting import CONTENT_TYPES, export_companies
from enterprises.importing import import_companies
from enterprises.permissions import keeps_register, visible_companies
from foundation.audit import EXPORT_REGISTER, record_event


def may_import(user) -> bool:
    """The cheap check that decides whether the Import button and form are shown at all;
    ``import_companies`` asks again when it runs."""
    return keeps_register(user)


class CompanyIndexView(ScopedIndexView):
    """The Companies list with an Import button for registrars and export links for all."""

    import_url_name: str | None = None
    export_url_name: str | None = None

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.import_url_name and may_import(self.request.user):
            url = reverse(self.import_url_name)
            buttons.append(HeaderButton(_("Import"), url=url, icon_name="upload", priority=20))
        return buttons

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.export_url_name:
            url = reverse(self.export_url_name)
            buttons += [
                Button(_("Export CSV"), url=f"{url}?format=csv", icon_name="download", priority=50),
                Button(
                    _("Export XLSX"), url=f"{url}?format=xlsx", icon_name="download", priority=51
                ),
            ]
        return buttons


class ImportForm(forms.Form):
    # The size limit, the format and every row are checked by import_companies.
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV file (UTF-8 or GBK) or an Excel workbook (.xlsx), at most 5 MB."),
    )


class ImportCompaniesView(WagtailAdminTemplateMixin, TemplateView):
    """GET: the upload form; POST: import the file and show its report (200 either way)."""

    template_name = "enterprises/admin/import_companies.html"
    page_title = _("Import companies")
    header_icon = "upload"
    index_url_name: str | None = None

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not may_import(request.user):
            return self._refused(gettext("Only officials and administrators may import companies."))
        return super().dispatch(request, *args, **kwargs)

    def _refused(self, message: str) -> HttpResponse:
        return refused(self.request, message, reverse(self.index_url_name))

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": gettext("Companies")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=ImportForm()))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_companies(upload, actor=request.user, file_name=upload.name)
            except PermissionDenied as error:
                return self._refused(str(error))
        context = self.get_context_data(
            form=form, report=report, index_url=reverse(self.index_url_name)
        )
        return self.render_to_response(context)


class ExportCompaniesView(View):
    """GET ``?format=csv|xlsx``: the companies in the user's scope as a download (an empty
    table with its header row when there are none)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        # As the company list decides: the model permission or a company in scope.
        user = request.user
        if not (user.has_perm("enterprises.view_company") or visible_companies(user).exists()):
            raise PermissionDenied
        fmt = request.GET.get("format", "csv")
        if fmt not in CONTENT_TYPES:
            return HttpResponseBadRequest(
                gettext("Unknown export format “%(format)s”; choose one of: %(known)s.")
                % {"format": fmt, "known": ", ".join(CONTENT_TYPES)},
                content_type="text/plain; charset=utf-8",
            )
        # Counted with the export's own query: the audit row is written before streaming.
        record_event(
            actor=request.user,
            action=EXPORT_REGISTER,
            label="companies",
            filters=request.GET,
            row_count=visible_companies(request.user).count(),
            format=fmt,
            request=request,
        )
        response = StreamingHttpResponse(
            export_companies(request.user, fmt), content_type=CONTENT_TYPES[fmt]
        )
        file_name = f"companies-{timezone.localdate():%Y%m%d}.{fmt}"
        response["Content-Disposition"] = content_disposition_header(True, file_name)
        return response
