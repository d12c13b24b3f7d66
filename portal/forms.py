"""The public complaint form: validation only; the service decides what is stored."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Category
from cases.services import Receipt, submit_complaint
from cases.uploads import reencode_photo
from enterprises.models import Estate

# Mainland mobile (11 digits from 1) or a landline with optional area code and extension.
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f] if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if len(files) > settings.COMPLAINT_MAX_PHOTOS:
            raise ValidationError(
                _("Attach at most %(count)d photos.") % {"count": settings.COMPLAINT_MAX_PHOTOS}
            )
        return [reencode_photo(super(MultiplePhotoField, self).clean(f, initial)) for f in files]


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices)
    estate_name = forms.CharField(
        label=_("Estate name or address"),
        max_length=200,
        help_text=_("For example: 翠湖花园 3号楼, or the street address."),
    )
    description = forms.CharField(
        label=_("What happened?"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Describe the problem, where and since when. At least 10 characters."),
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
    photos = MultiplePhotoField(
        label=_("Photos (optional, up to 3)"),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    def clean_contact_phone(self) -> str:
        phone = re.sub(r"[\s()]", "", self.cleaned_data["contact_phone"])
        if not PHONE.match(phone):
            raise ValidationError(
                _("Enter an 11-digit mobile number or a landline such as 0571-87654321.")
            )
        return phone

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
            raise ValidationError(_("The description contains control characters."))
        return text

    def submit(self, actor=None) -> Receipt:
        data = self.cleaned_data
        estate = Estate.objects.filter(name=data["estate_name"].strip()).first()
        return submit_complaint(
            actor=actor,
            category=data["category"],
            description=data["description"],
            contact_phone=data["contact_phone"],
            contact_email=data.get("contact_email") or "",
            estate=estate,
            estate_name=data["estate_name"].strip(),
            photos=data.get("photos") or [],
        )
