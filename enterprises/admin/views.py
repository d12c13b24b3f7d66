"""Wagtail's generic views, narrowed to the user's scope.

Wagtail's views check model-level permissions only; here every object and every listing
comes from the scope functions of ``enterprises.permissions``, so a guessed id outside the
scope is a 404, looked up before any permission answer that would confirm it exists.
"""

import os

from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import FileField, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.widgets.button import Button, HeaderButton

from enterprises import credit_score
from enterprises.admin import files, transitions
from foundation import spreadsheets
from foundation.audit import EXPORT_REGISTER, as_filters, record_event


class ScopedMixin:
    """``scope(user)`` and the relations each row shows are given by the viewset."""

    scope = None
    list_select_related: tuple[str, ...] = ()

    def scoped_queryset(self):
        queryset = self.scope(self.request.user)
        # select_related() without names would follow every foreign key.
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    def get_scoped_object(self, pk):
        return get_object_or_404(self.scoped_queryset(), pk=unquote(str(pk)))


class ScopedIndexView(ScopedMixin, generic.IndexView):
    """The listing, and its ``?export=csv|xlsx`` download (Wagtail's, for ``list_export``):
    the same scoped, filtered and searched rows, streamed and recorded in the audit log."""

    export_action = EXPORT_REGISTER
    export_label = ""  # the screen, as recorded in the audit log

    def get_base_queryset(self):
        return self.scoped_queryset()

    def get(self, request, *args, **kwargs):
        # Wagtail builds the listing's context before exporting, which loads every row at
        # once (len(object_list)); go straight to the rows instead.
        if self.is_export and self.list_export:
            return self.as_spreadsheet(self.get_queryset(), request.GET["export"])
        return super().get(request, *args, **kwargs)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        headings = [self.get_heading(queryset, field) for field in self.list_export]
        labels = self._choice_labels()
        rows = (
            [labels[f].get(v, v) if f in labels else v for f, v in self.to_row_dict(item).items()]
            for item in (
                queryset.iterator(chunk_size=spreadsheets.CHUNK_ROWS)
                if isinstance(queryset, QuerySet)
                else queryset
            )
        )
        filters = as_filters(self.request.GET, drop=("export", self.page_kwarg))

        def on_finish(row_count: int) -> None:
            record_event(
                actor=self.request.user,
                action=self.export_action,
                label=self.export_label,
                filters=filters,
                row_count=row_count,
                format=spreadsheet_format,
                request=self.request,
            )

        kwargs = {"headings": headings, "filename": self.get_filename(), "on_finish": on_finish}
        if spreadsheet_format == self.FORMAT_CSV:
            return spreadsheets.csv_response(rows, **kwargs)
        title = str(self.model._meta.verbose_name_plural).capitalize()
        return spreadsheets.xlsx_response(rows, sheet_title=title, **kwargs)

    def _choice_labels(self) -> dict[str, dict]:
        """The label of each coded value ("applied" → 申请中), fixed in the request's language."""
        labels = {}
        for name in self.list_export:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:  # a property or a method
                continue
            if getattr(field, "choices", None):
                labels[name] = {value: str(label) for value, label in field.flatchoices}
        return labels

    def get_edit_url(self, instance):
        if self.permission_policy.user_may_change_row(self.request.user, instance):
            return super().get_edit_url(instance)
        return None


class ScopedInspectView(ScopedMixin, generic.InspectView):
    """The record, its history link and the transition buttons the user may press."""

    history_url_name = None
    url_namespace = None

    def get_object(self, queryset=None):
        return self.get_scoped_object(self.pk)

    @cached_property
    def can_change(self) -> bool:
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", self.object
        )

    def get_edit_url(self):
        return super().get_edit_url() if self.can_change else None

    def get_delete_url(self):
        if self.permission_policy.user_has_permission_for_instance(
            self.request.user, "delete", self.object
        ):
            return super().get_delete_url()
        return None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.history_url_name:
            url = reverse(self.history_url_name, args=(quote(self.object.pk),))
            buttons.append(Button(_("History"), url=url, icon_name="history", priority=30))
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["transitions"] = transitions.available_transitions(
            self.request, self.object, self.url_namespace
        )
        context["file_url_name"] = f"{self.url_namespace}:file"
        return context

    def get_field_display_value(self, field_name, field):
        # A file is linked to the scoped download view, never to its place in the storage.
        if isinstance(field, FileField):
            value = getattr(self.object, field_name)
            if not value:
                return "-"
            url = files.file_url(self.url_namespace, self.object, field_name)
            return format_html('<a href="{}">{}</a>', url, os.path.basename(value.name))
        return super().get_field_display_value(field_name, field)


# Higher apps add to a company's page (``cases``: its self-inspection against what the
# regulator and the owners find) through this hook: ``fn(request, company)`` returns a
# component or None.
COMPANY_PAGE_PANELS = "company_page_panels"


class CompanyInspectView(ScopedInspectView):
    """A company's record with its credit score explained record by record."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["credit"] = credit_score.explain_credit(self.object)
        panels = (fn(self.request, self.object) for fn in hooks.get_hooks(COMPANY_PAGE_PANELS))
        context["panels"] = [panel for panel in panels if panel is not None]
        return context


class ScopedEditView(ScopedMixin, generic.EditView):
    """Looks the record up in the scope first (404), then asks about this very record."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = self.get_object()

    def get_queryset(self):
        return self.scoped_queryset()

    def get_object(self, queryset=None):
        if getattr(self, "object", None) is not None:
            return self.object
        return super().get_object(queryset)

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission_for_instance("change", self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        if self.inspect_url_name:
            return reverse(self.inspect_url_name, args=(quote(self.object.pk),))
        return super().get_success_url()


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scoped_queryset()


class ScopedHistoryView(ScopedMixin, HistoryView):
    """The audit entries (``ModelLogEntry``) of one record, for whoever may see the record."""

    any_permission_required = ["add", "change", "delete", "view"]
    inspect_url_name = None

    def get_base_object_queryset(self):
        return self.scoped_queryset()

    @cached_property
    def can_change(self) -> bool:
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", self.object
        )

    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if self.can_change else None

    @cached_property
    def header_buttons(self):
        if url := self.get_edit_url(self.object):
            return [HeaderButton(label=_("Edit"), url=url, icon_name="edit")]
        if self.inspect_url_name:
            url = reverse(self.inspect_url_name, args=(quote(self.object.pk),))
            return [HeaderButton(label=_("Inspect"), url=url, icon_name="info-circle")]
        return []


class ScopedUsageView(ScopedMixin, UsageView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class SubmitFormMixin:
    """``form_valid`` hands the form to the owning module (``form.submit(actor)``) instead of
    saving it; a refusal is shown on the form and nothing is stored."""

    inspect_url_name = None

    def form_valid(self, form):
        self.form = form
        try:
            self.object = form.submit(self.request.user)
        except form.domain_errors as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, str(error))
            self.produced_error_message = str(error)
            return self.form_invalid(form)
        return self.save_action()

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=(quote(self.object.pk),))

    def get_success_buttons(self):
        return []


class SubmitCreateView(SubmitFormMixin, generic.CreateView):
    def get_success_message(self, instance):
        return _("%(model_name)s '%(object)s' submitted.") % {
            "model_name": self.model._meta.verbose_name.capitalize(),
            "object": instance,
        }


class SubmitEditView(SubmitFormMixin, ScopedEditView):
    pass
