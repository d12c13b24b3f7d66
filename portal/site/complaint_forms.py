"""The public complaint form: validation only; the service decides what is stored.

Every check runs before anything is written: a photo is re-encoded (which drops its location)
and a PDF is checked by content while the form is cleaned, so one bad file refuses the whole
submission and the error names the file.
"""

import hashlib
import re
from dataclasses import dataclass

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.attachments import validate_attachment
from cases.models import Category
from cases.models.personal_data import normalise_id_number, validate_id_number
from cases.services import Receipt, submit_complaint
from enterprises.models import Estate
from foundation.notifications import notify
from foundation.uploads import ACCEPTED_IMAGE_TYPES, reencode_photo

# Mainland mobile (11 digits from 1) or a landline with optional area code and extension.
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def phone_number(typed: str) -> str:
    """A phone number as every form takes it (web, intake, Open311, look-ups): spaces and
    brackets dropped; a mainland mobile or a landline, else ValidationError."""
    phone = re.sub(r"[\s()]", "", typed)
    if not PHONE.match(phone):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline such as 0571-87654321.")
        )
    return phone


HONEYPOT = "website"
ACCEPT = ",".join([*sorted(ACCEPTED_IMAGE_TYPES), "application/pdf"])


def estate_names() -> list[str]:
    """The register's estates, for the form's <datalist> (the autocomplete without script)."""
    return list(Estate.objects.order_by("name").values_list("name", flat=True).distinct())


def match_estate(text: str) -> Estate | None:
    """The estate whose name is exactly ``text``; None (free text) if none or several are."""
    found = list(Estate.objects.filter(name=text.strip())[:2])
    return found[0] if len(found) == 1 else None


# C0 and C1 control characters but NUL, tab and line breaks: pasted or typed by accident,
# invisible, and a trap for every page and export that shows them.
_CONTROLS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class PlainTextField(forms.CharField):
    """Free text without control characters, which are dropped; a NUL is left in for Django's
    ProhibitNullCharactersValidator to refuse with a clear message (PostgreSQL would not
    store it)."""

    def to_python(self, value) -> str:
        return _CONTROLS.sub("", super().to_python(value))


@dataclass(frozen=True)
class CleanFiles:
    photos: list[ContentFile]
    documents: list


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoOrPdfField(forms.FileField):
    """Up to COMPLAINT_MAX_FILES photos or PDFs, each judged by its content and size."""

    widget = MultipleFileInput

    def clean(self, data, initial=None) -> CleanFiles:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        limit = settings.COMPLAINT_MAX_FILES
        if len(files) > limit:
            raise ValidationError(
                gettext("Attach at most %(limit)d files: you chose %(count)d.")
                % {"limit": limit, "count": len(files)},
                code="too_many",
            )
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        photos, documents, errors = [], [], []
        for uploaded in files:
            try:
                super().clean(uploaded, initial)
                head = uploaded.read(262)
                uploaded.seek(0)
                kind = filetype.guess(head) if head else None
                if kind is not None and kind.mime in ACCEPTED_IMAGE_TYPES:
                    photos.append(reencode_photo(uploaded))
                else:
                    validate_attachment(uploaded)  # a PDF, or an error naming the file
                    documents.append(uploaded)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return CleanFiles(photos=photos, documents=documents)


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices)
    estate_name = PlainTextField(
        label=_("Estate name or address"),
        max_length=200,
        help_text=_(
            "Start typing and pick your estate from the list, or type its name or street "
            "address if it is not there."
        ),
        widget=forms.TextInput(attrs={"list": "estate-names", "autocomplete": "off"}),
    )
    address = PlainTextField(
        label=_("Building, unit and room (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example: building 3, unit 2, room 501."),
    )
    description = forms.CharField(
        label=_("What happened?"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Describe the problem, where and since when. At least 10 characters."),
    )
    files = PhotoOrPdfField(
        label=_("Photos or PDF documents (optional)"),  # with the limit: see __init__
        required=False,
        help_text=_(
            "JPEG, PNG, WebP or GIF photos and PDF documents, each up to 10 MB. "
            "Location data is removed from photos."
        ),
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )
    contact_name = PlainTextField(
        label=_("Your name (optional)"),
        max_length=64,
        required=False,
        help_text=_("The company never sees it."),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        help_text=_("The company never sees it. Only the regulator may call you back."),
    )
    contact_email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        max_length=254,
        help_text=_("We also send news of your complaint here. The company never sees it."),
    )
    contact_id_number = forms.CharField(
        label=_("Resident ID number (optional)"),
        max_length=22,
        required=False,
        help_text=_("18 characters. Stored encrypted; the company never sees it."),
    )
    anonymous_to_company = forms.BooleanField(
        label=_("Keep my identity from the company"),
        required=False,
        help_text=_(
            "The company never sees your name, phone or e-mail. Tick this and it will not "
            "see your building and room either; the regulator still does."
        ),
    )
    consent_to_publish = forms.BooleanField(
        label=_("I agree that a summary of my complaint may be published"),
        required=False,
        help_text=_("The summary never shows your name, contact details or address."),
    )
    # The honeypot: hidden from people (CSS class, aria-hidden, out of the tab order), a
    # field that simple bots fill in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit the field enforces, so the label can never promise another number.
        limit = settings.COMPLAINT_MAX_FILES
        self.fields["files"].label = gettext(
            "Photos or PDF documents (optional, up to %(count)d)"
        ) % {"count": limit}

    def public_fields(self) -> list:
        return [field for field in self if field.name != HONEYPOT]

    def honeypot(self):
        return self[HONEYPOT]

    def caught_in_honeypot(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def clean_contact_phone(self) -> str:
        return phone_number(self.cleaned_data["contact_phone"])

    def clean_contact_id_number(self) -> str:
        number = normalise_id_number(self.cleaned_data["contact_id_number"])
        if number:
            validate_id_number(number)
        return number

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
            raise ValidationError(_("The description contains control characters."))
        return text

    def submit(self, actor=None) -> Receipt:
        data = self.cleaned_data
        files = data.get("files") or CleanFiles(photos=[], documents=[])
        name = data["estate_name"].strip()
        return submit_complaint(
            actor=actor,
            category=data["category"],
            description=data["description"],
            contact_name=data.get("contact_name", "").strip(),
            contact_phone=data["contact_phone"],
            contact_email=data.get("contact_email") or "",
            contact_id_number=data.get("contact_id_number", ""),
            estate=match_estate(name),
            estate_name=name,
            address=data.get("address", ""),
            photos=files.photos,
            documents=files.documents,
            anonymous_to_company=data.get("anonymous_to_company", False),
            consent_to_publish=data.get("consent_to_publish", False),
            language=translation.get_language(),
        )


class ReceiptEmailForm(forms.Form):
    """Send the tracking number and access code to an address, once, from the confirmation."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("E-mail is not encrypted: anyone who reads it can open your complaint."),
    )

    def send(self, receipt: dict, tracking_url: str) -> bool:
        """Queue the message; False if it was already sent to this address."""
        email = self.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()[:16]
        values = {
            "number": receipt["tracking_number"],
            "code": receipt["access_code"],
            "url": tracking_url,
        }
        return bool(
            notify(
                dedup_key=f"complaint:{receipt['complaint_id']}:receipt:{digest}",
                subject=gettext("Your complaint %(number)s") % values,
                body=gettext(
                    "Tracking number: %(number)s\n"
                    "Access code: %(code)s\n\n"
                    "Follow your complaint at %(url)s with both. The access code cannot be "
                    "recovered: keep this message, and share it with no one."
                )
                % values,
                email=email,
            )
        )
