"""Uploaded files of register and supervision records, served only to those who see the record.

The media folder is never served as such in production (object storage stays private): a
contract, an evaluation report, a decision document, an inspection photo or a rectification
order's evidence goes out through this view, which looks the record up in the viewset's scope
first. A record outside the scope and a file that does not exist answer the same 404, so a
guessed id confirms nothing.
"""

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View

from foundation.files import serve


def file_fields(model) -> list[str]:
    """The model's own file fields (a contract's document, a penalty's decision document)."""
    return [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]


def related_files(model) -> dict[str, str]:
    """Rows hanging off the record that carry one file each (an inspection's photos, an
    order's evidence): relation name → the related model's file field."""
    found = {}
    for relation in model._meta.related_objects:
        if relation.one_to_many:
            fields = file_fields(relation.related_model)
            if len(fields) == 1:
                found[relation.get_accessor_name()] = fields[0]
    return found


class ScopedFileView(View):
    """GET ``<pk>/file/<field>/`` or ``<pk>/file/<relation>/<file_pk>/`` of one record."""

    scope = None
    model = None

    def get(self, request, pk: int, field: str, file_pk: int | None = None):
        record = get_object_or_404(self.scope(request.user), pk=pk)
        if file_pk is None:
            if field not in file_fields(self.model):
                raise Http404
            return serve(getattr(record, field))
        file_field = related_files(self.model).get(field)
        if file_field is None:
            raise Http404
        row = get_object_or_404(getattr(record, field).all(), pk=file_pk)
        return serve(getattr(row, file_field))


def file_url(url_namespace: str, record, field: str, row=None) -> str:
    args = (record.pk, field) if row is None else (record.pk, field, row.pk)
    return reverse(f"{url_namespace}:file", args=args)
