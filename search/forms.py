"""The staff search screen's parameters, validated: a bad value is dropped with a message,
never a server error, and the rest of the search still runs."""

import base64
import binascii
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from search.facets import FACETS, SORTS, SearchRequest
from search.syntax import parse

MAX_VALUES_PER_FACET = 50


def encode_cursor(values: tuple) -> str:
    """The last hit's sort values as an opaque, URL-safe token."""
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple | None:
    """The sort values back, or None for anything that is not a cursor we made."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or not 1 <= len(values) <= 4:
        return None
    if not all(v is None or isinstance(v, str | int | float) for v in values):
        return None
    return tuple(values)


class ComplaintSearchForm(forms.Form):
    q = forms.CharField(label=_("Words, or a tracking number"), required=False, max_length=200)
    date_from = forms.DateField(label=_("Submitted from"), required=False)
    date_to = forms.DateField(label=_("Submitted until"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=list(SORTS.items()), required=False)
    after = forms.CharField(required=False, max_length=400)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.facet_values = {}
        if data is not None:
            for facet in FACETS:
                values = [v.strip() for v in data.getlist(facet.name) if v.strip()]
                self.facet_values[facet.name] = tuple(dict.fromkeys(values))[:MAX_VALUES_PER_FACET]

    def clean_after(self) -> tuple | None:
        token = self.cleaned_data.get("after")
        if not token:
            return None
        cursor = decode_cursor(token)
        if cursor is None:
            raise forms.ValidationError(_("That page link is not valid: showing the first page."))
        return cursor

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def search_request(self, per_page: int = 20) -> SearchRequest:
        """The request from the valid fields; an invalid field is left out."""
        self.is_valid()  # fills cleaned_data with the fields that are valid
        data = getattr(self, "cleaned_data", {})
        after = data.get("after")
        sort = data.get("sort") or "relevance"
        ranked = sort == "relevance" and not parse(data.get("q") or "").empty
        if after and len(after) != (3 if ranked else 2):
            after = None  # a link from another sort order: start at the first page
        return SearchRequest(
            query=data.get("q") or "",
            filters={name: values for name, values in self.facet_values.items() if values},
            date_from=data.get("date_from") if "date_to" not in self.errors else None,
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
            sort=sort,
            after=after,
            per_page=per_page,
        )
