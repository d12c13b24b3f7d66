"""Validation of what partners send and ask: nothing is stored or queried before it passes.

A partner's service request obeys the public complaint form's rules
(portal.site.complaint_forms): the same description field and checks, the same phone rule,
and a contact phone is required, as the regulator must be able to call back. Field names are
Open311's, so errors name what the partner sent.
"""

import copy
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Category
from enterprises.models import Estate
from portal.site.complaint_forms import ComplaintForm, PlainTextField, match_estate, phone_number

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000  # deeper than this, narrow the dates instead
MAX_IDS = 100
_BIGINT = 2**63 - 1
_TRACKING_NUMBER = re.compile(r"[A-Za-z0-9]{1,20}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NAME_LENGTH = 64  # Complaint.contact_name


def is_tracking_number(text: str) -> bool:
    """Could ``text`` be a tracking number? Anything else is refused before any query."""
    return bool(_TRACKING_NUMBER.fullmatch(text))


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class ServiceRequestForm(forms.Form):
    """POST requests.json: one complaint filed by a partner system."""

    service_code = forms.ChoiceField(choices=Category.choices)
    description = copy.deepcopy(ComplaintForm.base_fields["description"])
    phone = forms.CharField(max_length=20)
    email = forms.EmailField(required=False, max_length=254)
    first_name = PlainTextField(required=False, max_length=_NAME_LENGTH)
    last_name = PlainTextField(required=False, max_length=_NAME_LENGTH)
    lat = forms.DecimalField(required=False, min_value=-90, max_value=90)
    long = forms.DecimalField(required=False, min_value=-180, max_value=180)
    address_string = PlainTextField(required=False, max_length=200)
    address_id = forms.IntegerField(required=False, min_value=1, max_value=_BIGINT)
    # Checked, never fetched or stored: a photo reaches the regulator only through the
    # portal's form, which re-encodes it.
    media_url = forms.URLField(required=False, max_length=2000, assume_scheme="https")

    clean_description = ComplaintForm.clean_description  # no control characters

    def clean_phone(self) -> str:
        return phone_number(self.cleaned_data["phone"])

    def clean_address_id(self) -> Estate | None:
        estate_id = self.cleaned_data["address_id"]
        if estate_id is None:
            return None
        estate = Estate.objects.filter(pk=estate_id).first()
        if estate is None:
            raise ValidationError(_("No estate in the register has this address_id."))
        return estate

    def clean(self) -> dict:
        data = super().clean()
        lat, long = data.get("lat"), data.get("long")
        # A location that was given but is wrong has its own error already.
        location_errors = any(
            self.has_error(f) for f in ("lat", "long", "address_string", "address_id")
        )
        if (lat is None) != (long is None) and not location_errors:
            raise ValidationError(_("Give both lat and long, or neither."))
        has_location = (
            (lat is not None and long is not None)
            or data.get("address_string", "").strip()
            or data.get("address_id")
        )
        if not has_location and not location_errors:
            raise ValidationError(_("Give a location: lat and long, address_string or address_id."))
        if len(self.contact_name()) > _NAME_LENGTH:
            raise ValidationError(
                _("first_name and last_name together are longer than %(limit)d characters.")
                % {"limit": _NAME_LENGTH}
            )
        return data

    def contact_name(self) -> str:
        """A Chinese name is written family name first without a space, others given first."""
        first = self.cleaned_data.get("first_name", "").strip()
        last = self.cleaned_data.get("last_name", "").strip()
        if _CJK.search(first + last):
            return last + first
        return " ".join(part for part in (first, last) if part)

    def complaint_fields(self) -> dict:
        """The keyword arguments of ``cases.services.submit_complaint``."""
        data = self.cleaned_data
        estate = data.get("address_id")
        typed = data.get("address_string", "").strip()
        if estate is None and typed:
            estate = match_estate(typed)
        if estate is not None:
            estate_name = estate.name
        elif typed:
            estate_name = typed
        else:
            estate_name = f"{data['lat']}, {data['long']}"
        return {
            "category": data["service_code"],
            "description": data["description"],
            "contact_phone": data["phone"],
            "contact_name": self.contact_name(),
            "contact_email": data.get("email") or "",
            "estate": estate,
            "estate_name": estate_name,
        }


class RequestFilterForm(forms.Form):
    """GET requests.json: the query string. ``service_request_id`` overrides every other
    filter, as GeoReport v2 says."""

    service_request_id = forms.CharField(required=False, max_length=MAX_IDS * 21)
    service_code = forms.CharField(required=False, max_length=500)
    start_date = forms.DateTimeField(required=False)
    end_date = forms.DateTimeField(required=False)
    status = forms.CharField(required=False, max_length=20)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def clean_service_request_id(self) -> list[str]:
        ids = _comma_list(self.cleaned_data["service_request_id"])
        if len(ids) > MAX_IDS:
            raise ValidationError(
                _("Ask for at most %(limit)d service_request_id values at once.")
                % {"limit": MAX_IDS}
            )
        wrong = [i for i in ids if not is_tracking_number(i)]
        if wrong:
            raise ValidationError(_("Not a service_request_id: %(id)s") % {"id": wrong[0]})
        return [i.upper() for i in ids]

    def clean_service_code(self) -> list[str]:
        codes = _comma_list(self.cleaned_data["service_code"])
        unknown = [c for c in codes if c not in Category.values]
        if unknown:
            raise ValidationError(_("Unknown service_code: %(code)s") % {"code": unknown[0]})
        return codes

    def clean_status(self) -> list[str]:
        statuses = _comma_list(self.cleaned_data["status"].lower())
        if any(s not in ("open", "closed") for s in statuses):
            raise ValidationError(_('Give status as "open" or "closed".'))
        return statuses

    def clean_start_date(self):
        return _in_utc(self.cleaned_data["start_date"], "start_date")

    def clean_end_date(self):
        return _in_utc(self.cleaned_data["end_date"], "end_date")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and start > end:
            raise ValidationError(_("start_date is after end_date."))
        return data


def _in_utc(moment, name: str):
    """A W3C date-time as UTC: any offset a client writes (even a nonsensical -18:21) is
    resolved here, never handed to the database, which refuses offsets beyond ±15:59."""
    if moment is None:
        return None
    try:
        moment = moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or not 1900 <= moment.year <= 9999:
        raise ValidationError(_("%(name)s is out of range.") % {"name": name})
    return moment
