"""The staff intake form: the public complaint form (same fields, same checks, same files
rules, same service) with what a clerk adds: the channel and its reference, the severity tier,
the caller's language, the estate picked from the register, and the confirmation that lets a
second registration of the same call through."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Channel, Tier
from cases.staff_intake import Registration, register_for_caller
from enterprises import register_names
from enterprises.models import Estate
from portal.site.complaint_forms import CleanFiles, ComplaintForm, phone_number


def estate_label(estate: Estate) -> str:
    """How the type-ahead names an estate: with its district, as a caller places it."""
    return register_names.estate_label(estate.name, estate.district.name)


def _one_estate_named(typed: str) -> Estate | None:
    """The one estate a typed name or type-ahead label names (picked without script, or a
    stale pick); None when none or several are."""
    found = register_names.estates_named(typed)
    return found[0] if len(found) == 1 else None


class IntakeForm(ComplaintForm):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (value, label) for value, label in Channel.choices if value in Channel.STAFF_INTAKE
        ],
        initial=Channel.HOTLINE,
    )
    channel_reference = forms.CharField(
        label=_("Channel reference (optional)"),
        max_length=100,
        required=False,
        help_text=_("The hotline ticket number, the letter's date and reference, and so on."),
    )
    tier = forms.ChoiceField(label=_("Severity tier"), choices=Tier.choices, initial=Tier.GENERAL)
    language = forms.ChoiceField(
        label=_("The caller's language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        help_text=_("Every message to the caller is sent in it."),
    )
    # Set by the type-ahead when an estate of the register is picked; a typed name that is
    # no estate's is kept as free text and the case is flagged for linking.
    # A stale or tampered id is no error the clerk could see or fix: it is just no pick.
    estate = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    confirm_duplicate = forms.BooleanField(
        label=_("Register anyway: this is a new problem, not the same call again"),
        required=False,
    )
    website = None  # the public form's honeypot: staff are no bots

    field_order = [
        "channel",
        "channel_reference",
        "contact_phone",
        "contact_name",
        "language",
        "estate_name",
        "estate",
        "address",
        "category",
        "tier",
        "description",
        "files",
        "contact_email",
        "contact_id_number",
        "anonymous_to_company",
        "consent_to_publish",
        "confirm_duplicate",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["estate_name"].widget.attrs["list"] = "intake-estates"
        fields["estate_name"].help_text = _(
            "Type a few characters and pick the estate from the register; a name that is not "
            "there is kept as typed and the case is flagged for linking to the register."
        )
        fields["contact_phone"].label = _("Caller's phone")
        fields["contact_phone"].help_text = _(
            "A mainland mobile receives the tracking number and access code by SMS. A landline "
            "is allowed, but gets no SMS: read the code out to the caller."
        )
        # The public form speaks to the citizen ("your name"); here the clerk is addressed.
        hidden_from_company = _("The company never sees the caller's contact details.")
        for name, label in (
            ("contact_name", _("Caller's name (optional)")),
            ("contact_email", _("Caller's e-mail (optional)")),
            ("contact_id_number", _("Caller's resident ID number (optional)")),
        ):
            fields[name].label, fields[name].help_text = label, hidden_from_company
        fields["description"].label = _("What the caller says")
        fields["description"].help_text = _(
            "The caller's words: the problem, where and since when. At least 10 characters."
        )
        fields["anonymous_to_company"].label = _("The caller asks to stay anonymous to the company")
        fields["anonymous_to_company"].help_text = _(
            "The company then does not see the caller's building and room either."
        )
        fields["consent_to_publish"].label = _("The caller agrees that a summary may be published")
        fields["consent_to_publish"].help_text = _(
            "The summary never shows the caller's name, contact details or address."
        )
        fields["files"].label = gettext(
            "Scanned letters, photos or PDF documents (optional, up to %(count)d)"
        ) % {"count": settings.COMPLAINT_MAX_FILES}

    def picked_estate(self) -> Estate | None:
        """The estate picked in the type-ahead, if the text still names it; else the one
        estate of the register with exactly this name or label; else None (free text, to
        be linked)."""
        typed = self.cleaned_data["estate_name"].strip()
        picked_id = self.cleaned_data.get("estate", "")
        picked = (
            Estate.objects.select_related("district").filter(pk=int(picked_id)).first()
            if picked_id.isdigit()
            else None
        )
        if picked is not None and typed in (picked.name, estate_label(picked)):
            return picked
        return _one_estate_named(typed)

    def register(self, actor) -> Registration:
        data = self.cleaned_data
        files = data.get("files") or CleanFiles(photos=[], documents=[])
        estate = self.picked_estate()
        return register_for_caller(
            actor=actor,
            channel=data["channel"],
            channel_reference=data.get("channel_reference", ""),
            tier=data["tier"],
            language=data["language"],
            confirm_duplicate=data.get("confirm_duplicate", False),
            category=data["category"],
            description=data["description"],
            contact_name=data.get("contact_name", "").strip(),
            contact_phone=data["contact_phone"],
            contact_email=data.get("contact_email") or "",
            contact_id_number=data.get("contact_id_number", ""),
            estate=estate,
            estate_name=estate.name if estate else data["estate_name"].strip(),
            address=data.get("address", ""),
            photos=files.photos,
            documents=files.documents,
            anonymous_to_company=data.get("anonymous_to_company", False),
            consent_to_publish=data.get("consent_to_publish", False),
        )


class PhoneLookUpForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        help_text=_("Mobile or landline, as the caller gives it."),
    )

    def clean_phone(self) -> str:
        return phone_number(self.cleaned_data["phone"])
