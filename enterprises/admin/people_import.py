"""The People screens' bulk import (人员批量导入): the upload form, its per-row report and the
template to fill in. Thin views: ``enterprises.staff_import`` checks and invites; only those
who manage people (``permissions.manages_people``) reach them, others get a 403."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages

from enterprises import permissions
from enterprises.staff_import import import_staff, template_headings
from foundation.spreadsheets import CONTENT_TYPES
from foundation.tabular import MAX_BYTES
from foundation.uploads import display_name

TEMPLATE_NAME = "people-import-template.csv"


def _gate(request) -> None:
    if not permissions.manages_people(request.user):
        raise PermissionDenied


class StaffImportForm(forms.Form):
    # The format is judged by the file's bytes when it is read (``foundation.tabular``).
    file = forms.FileField(
        label=_("Spreadsheet file"),
        help_text=_("A CSV file (UTF-8 or GBK) or an Excel workbook (.xlsx), at most 5 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s; split it into smaller files.")
                % {"limit": filesizeformat(MAX_BYTES)}
            )
        return upload


def import_people(request):
    _gate(request)
    form = StaffImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_staff(upload, actor=request.user, file_name=display_name(upload))
        if report.ok:
            message = ngettext(
                "%(count)d person was invited from “%(file)s”; each receives their link.",
                "%(count)d people were invited from “%(file)s”; each receives their link.",
                report.invited,
            )
            messages.success(request, message % {"count": report.invited, "file": report.file_name})
            return redirect("people:index")
    title = gettext("Import people")
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "upload",
        "form": form,
        "report": report,
    }
    return TemplateResponse(request, "enterprises/people/import.html", context)


def import_template(request):
    """The header row to fill in, as CSV in UTF-8 with a BOM, so that Excel shows Chinese."""
    _gate(request)
    text = "\ufeff" + ",".join(template_headings()) + "\r\n"
    response = HttpResponse(text.encode(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_NAME)
    return response
