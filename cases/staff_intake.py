"""Staff intake (代录): a complaint received by phone, at the counter, by letter ... registered
by a member of staff for the caller, and the caller's access code sent to them by SMS.

Registration goes through ``services.submit_complaint`` like the web form's and a partner's,
with the channel, its reference and the staff member who registered it. The same call must
not become two cases: a complaint from the same phone about the same estate and category in
the last ``DUPLICATE_WINDOW`` is shown to the clerk, who must confirm to register anyway.
The check and the insert run under a lock on the phone's digest, so two clerks pressing
"register" at once cannot both pass it.

The access code is never stored in clear on the case: it reaches the caller by SMS (only a
mainland mobile can take one; the notification outbox keeps the message until it is sent)
and is read out from the one result page the clerk sees.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.citizen_messages import tracking_url
from cases.models import Channel, Complaint, Tier
from cases.phones import is_mainland_mobile, normalise_phone, phone_digest
from cases.services import Receipt, submit_complaint
from foundation.notifications import notify

DUPLICATE_WINDOW = dt.timedelta(minutes=10)


class IntakeRefused(Exception):
    """The registration cannot be done as asked; ``field`` names the form field at fault."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(IntakeRefused):
    """The actor may not register complaints for callers."""


class DuplicateRegistration(IntakeRefused):
    """The same call seems registered already: ``earlier`` is that complaint."""

    def __init__(self, earlier: Complaint):
        super().__init__(
            _(
                "The same phone number reported the same problem at the same estate a few "
                "minutes ago. Check the earlier case; tick the confirmation to register this "
                "one anyway."
            ),
            "confirm_duplicate",
        )
        self.earlier = earlier


@dataclass(frozen=True)
class Registration:
    receipt: Receipt
    sms_sent: bool
    # The earlier case of the same call the clerk confirmed past, if any.
    confirmed_duplicate_of: Complaint | None = None


def earlier_registration(
    *, phone: str, estate, estate_name: str, category: str, now: dt.datetime | None = None
) -> Complaint | None:
    """The latest complaint from this phone about this estate (or, outside the register,
    this estate name) and category within ``DUPLICATE_WINDOW``, by any channel."""
    digest = phone_digest(phone)
    if not digest:
        return None
    since = (now or timezone.now()) - DUPLICATE_WINDOW
    found = Complaint.objects.filter(phone_digest=digest, category=category, created_at__gte=since)
    if estate is not None:
        found = found.filter(estate=estate)
    else:
        found = found.filter(estate__isnull=True, estate_name__iexact=estate_name.strip())
    return found.order_by("-created_at", "-pk").first()


def _lock_phone(digest: str) -> None:
    """Serialise registrations from one phone until the transaction ends (PostgreSQL; the
    demo's SQLite serialises every write anyway)."""
    if digest and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(digest[:15], 16)])


def _check(actor, *, channel: str, tier: str, language: str) -> None:
    if not permissions.can_register_for_callers(actor):
        raise NotAllowed(_("You may not register complaints for callers."))
    if channel not in Channel.STAFF_INTAKE:
        raise IntakeRefused(_("Choose one of the channels offered."), "channel")
    if tier not in Tier.values:
        raise IntakeRefused(_("Choose one of the severity tiers offered."), "tier")
    if language not in dict(settings.LANGUAGES):
        raise IntakeRefused(_("Choose one of the languages offered."), "language")


@transaction.atomic
def register_for_caller(
    *,
    actor,
    channel: str,
    category: str,
    description: str,
    contact_phone: str,
    channel_reference: str = "",
    tier: str = Tier.GENERAL,
    language: str = "",
    estate=None,
    estate_name: str = "",
    confirm_duplicate: bool = False,
    **fields,
) -> Registration:
    """Register the caller's complaint and text them the access code (after commit).
    ``fields`` are the rest of ``submit_complaint``'s (contact details, files ...)."""
    language = language or settings.LANGUAGE_CODE
    _check(actor, channel=channel, tier=tier, language=language)
    _lock_phone(phone_digest(contact_phone))
    earlier = earlier_registration(
        phone=contact_phone, estate=estate, estate_name=estate_name, category=category
    )
    if earlier is not None and not confirm_duplicate:
        raise DuplicateRegistration(earlier)
    receipt = submit_complaint(
        actor=actor,
        category=category,
        description=description,
        contact_phone=contact_phone,
        estate=estate,
        estate_name=estate_name,
        tier=tier,
        channel=channel,
        channel_reference=channel_reference,
        registered_by=actor,
        language=language,
        **fields,
    )
    return Registration(
        receipt=receipt,
        sms_sent=text_access_code(receipt),
        confirmed_duplicate_of=earlier,
    )


def text_access_code(receipt: Receipt) -> bool:
    """Queue the SMS with the tracking number and access code to the complainant's phone,
    in their language, sent once the caller's transaction commits; False (nothing queued)
    when the phone is no mainland mobile."""
    complaint = receipt.complaint
    if not is_mainland_mobile(complaint.contact_phone):
        return False
    with translation.override(complaint.language or settings.LANGUAGE_CODE):
        values = {
            "number": receipt.tracking_number,
            "code": receipt.access_code,
            "url": tracking_url(complaint),
        }
        subject = gettext("Your complaint %(number)s") % values
        text = (
            gettext(
                "Your complaint is registered. Tracking number %(number)s, access code "
                "%(code)s: follow and rate it at %(url)s. Share the code with no one."
            )
            % values
        )
    return bool(
        notify(
            dedup_key=f"complaint:{complaint.pk}:access_code",
            subject=subject,
            body=text,
            sms=text,
            phone=normalise_phone(complaint.contact_phone),
        )
    )
