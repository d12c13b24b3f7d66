"""People (人员): inviting, scoping, deactivating and reactivating the portal's staff.

The person is created at the invitation, inactive and without a usable password, with the
role and scope already granted through ``enterprises.access``. So the people list shows the
invited person with their scope from the first moment, the unique username and e-mail are
claimed at once (two administrators cannot invite the same person twice), and accepting
changes only the password and the active flag. Nobody is ever deleted: the audit log names
them.

Every function takes the acting user, refuses what ``enterprises.permissions`` does not allow
(``NotAllowed``) or what the data forbids (``PersonRefused`` naming the form field), changes
everything or nothing in one transaction, and writes one audit event.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enterprises import access, permissions
from enterprises.models import CompanyUserObjectPermission, Invitation, StaffProfile
from enterprises.models.invitations import VALID_FOR
from foundation import audit
from foundation.notifications import notify
from foundation.roles import ROLE_LABELS, Role, roles_of

INVITED = "enterprises.people.invited"
INVITATION_RESENT = "enterprises.people.invitation_resent"
INVITATION_REVOKED = "enterprises.people.invitation_revoked"
INVITATION_ACCEPTED = "enterprises.people.invitation_accepted"
DEACTIVATED = "enterprises.people.deactivated"
REACTIVATED = "enterprises.people.reactivated"
SCOPE_CHANGED = "enterprises.people.scope_changed"
COMPANY_ADMINISTRATION_GRANTED = "enterprises.people.company_administration_granted"
COMPANY_ADMINISTRATION_WITHDRAWN = "enterprises.people.company_administration_withdrawn"


class PersonRefused(Exception):
    """The request cannot be done as asked; ``field`` names the form field at fault."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(PersonRefused):
    """The actor may not do this (a scope they do not hold, a person they do not manage)."""


class InvitationInvalid(Exception):
    """The link is unknown, used, revoked or expired: ``reason`` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Roles and scopes -----------------------------------------------------------------------------


def main_role(person) -> Role | None:
    """The role a person is managed as: the first of ``permissions.PEOPLE_ROLES`` they hold."""
    held = roles_of(person)
    return next((role for role in permissions.PEOPLE_ROLES if role in held), None)


def _check_scope(
    role, *, district, city_wide, company, estate, evaluation_organisation=None
) -> None:
    """Each role's scope, and only it: refusals name the field to correct."""
    if role not in permissions.PEOPLE_ROLES:
        raise PersonRefused(_("Choose one of the roles offered."), "role")
    if role == Role.OFFICIAL and bool(district) == bool(city_wide):
        raise PersonRefused(
            _("An official works in one district, or city-wide: choose exactly one."), "district"
        )
    if role == Role.INSPECTOR and (district is None or city_wide):
        raise PersonRefused(_("An inspector works in one district: choose it."), "district")
    if role == Role.COMPANY_STAFF and company is None:
        raise PersonRefused(_("Company staff need their company."), "company")
    if role == Role.OWNERS_COMMITTEE and estate is None:
        raise PersonRefused(_("Choose the estate."), "estate")
    _check_evaluator_scope(role, estate=estate, evaluation_organisation=evaluation_organisation)
    if role == Role.INTAKE_CLERK and (district or company or estate):
        raise PersonRefused(
            _("An intake clerk registers calls for the whole city: leave the scope empty."),
            "district",
        )
    if city_wide and role != Role.OFFICIAL:
        raise PersonRefused(_("Only an official can be city-wide."), "city_wide")
    if role == Role.ASSOCIATION and (district or company or estate):
        raise PersonRefused(
            _(
                "The industry association works city-wide: leave district, company and estate "
                "empty."
            ),
            "district",
        )


def _check_evaluator_scope(role, *, estate, evaluation_organisation) -> None:
    """An evaluator belongs to an evaluation organisation; the estates come later, one
    engagement at a time, from the organisation's page (``enterprises.evaluators``)."""
    if role != Role.EVALUATOR:
        if evaluation_organisation is not None:
            raise PersonRefused(
                _("Only an evaluator belongs to an evaluation organisation."),
                "evaluation_organisation",
            )
        return
    if evaluation_organisation is None:
        raise PersonRefused(
            _("Choose the evaluator's evaluation organisation."), "evaluation_organisation"
        )
    if estate is not None:
        raise PersonRefused(
            _("Evaluators are engaged on estates from their organisation's page: leave empty."),
            "estate",
        )


def _scope_field(role) -> str:
    """The form field a refused scope is shown on."""
    if role == Role.COMPANY_STAFF:
        return "company"
    if role == Role.EVALUATOR:
        return "evaluation_organisation"
    if role == Role.OWNERS_COMMITTEE:
        return "estate"
    return "district"


def scope_of(person) -> dict:
    """The person's scope as JSON for the audit log."""
    profile = StaffProfile.objects.filter(user=person).first()
    if profile is None:
        return {}
    return {
        "district": profile.district_id,
        "city_wide": profile.city_wide,
        "company": profile.company_id,
        "estate": profile.estate_id,
        "evaluation_organisation": profile.evaluation_organisation_id,
    }


def _audit(actor, action: str, person, **data) -> None:
    audit.record_event(
        actor=actor,
        action=action,
        label=person.get_username(),
        filters={"person": person.pk, **data},
    )


# Invitations ----------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("accept_invitation", args=(token,))


def _in_both(compose) -> list[str]:
    """The message in Chinese, then in English: the invitee's language is not known yet."""
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append(compose())
    return texts


def _invitation_subject() -> str:
    return gettext("Your account at the property-service regulator's portal")


def _invitation_body(name: str, role: str, token: str) -> str:
    return gettext(
        "%(name)s, you are invited to the portal as %(role)s. Choose your password "
        "within 72 hours at %(link)s"
    ) % {"name": name, "role": ROLE_LABELS.get(Role(role), role), "link": invitation_url(token)}


def _issue(person, *, actor, email, phone, name, role, scope: dict) -> Invitation:
    """A new invitation with a fresh token, sent by e-mail (and SMS with a phone) on commit."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        user=person,
        email=email,
        phone=phone,
        name=name,
        role=role,
        invited_by=actor,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + VALID_FOR,
        **scope,
    )
    notify(
        dedup_key=f"enterprises.invitation:{invitation.pk}",
        subject=" / ".join(_in_both(_invitation_subject)),
        body="\n\n".join(_in_both(lambda: _invitation_body(name, role, token))),
        email=email,
        phone=phone,
    )
    return invitation


@transaction.atomic
def invite_person(
    *,
    actor,
    email: str,
    name: str,
    role: str,
    phone: str = "",
    username: str | None = None,
    district=None,
    city_wide: bool = False,
    company=None,
    estate=None,
    evaluation_organisation=None,
) -> Invitation:
    """Create the (inactive) person with ``role`` and its scope, and send the link."""
    scope = {"district": district, "city_wide": city_wide, "company": company, "estate": estate}
    _check_scope(role, **scope, evaluation_organisation=evaluation_organisation)
    if not permissions.may_give_scope(actor, role, **scope):
        raise NotAllowed(_("You may not give this role in this scope."), _scope_field(role))
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    username = (username or email).strip()
    phone = (phone or "").strip()
    users = get_user_model().objects
    if users.filter(email__iexact=email).exists():
        raise PersonRefused(_("A person with this e-mail already exists."), "email")
    if users.filter(username__iexact=username).exists():
        raise PersonRefused(_("A person with this username already exists."), "username")
    if phone and Invitation.objects.filter(phone=phone).exists():
        raise PersonRefused(_("A person with this mobile phone already exists."), "phone")
    try:
        with transaction.atomic():  # a savepoint: a parallel invitation took the username
            person = users.create_user(username=username, email=email, first_name=name[:150])
    except IntegrityError:
        raise PersonRefused(_("A person with this username already exists."), "username") from None
    person.is_active = False
    person.save(update_fields=["is_active"])
    access.grant_role(person, Role(role), **scope, evaluation_organisation=evaluation_organisation)
    invitation = _issue(
        person, actor=actor, email=email, phone=phone, name=name, role=role, scope=scope
    )
    _audit(actor, INVITED, person, invitation=invitation.pk, role=role, scope=scope_of(person))
    return invitation


def _accepted(person) -> bool:
    return person.has_usable_password()


def _refuse_unless_managed(actor, person) -> None:
    if not permissions.may_manage_person(actor, person):
        raise NotAllowed(_("You do not manage this person."))


def _revoke_pending(person, now) -> int:
    return Invitation.objects.pending(now).filter(user=person).update(revoked_at=now)


@transaction.atomic
def resend_invitation(person, *, actor) -> Invitation:
    """A new link (the old one stops working), valid 72 hours from now."""
    _refuse_unless_managed(actor, person)
    return reissue_invitation(person, actor=actor)


@transaction.atomic
def reissue_invitation(person, *, actor) -> Invitation:
    """``resend_invitation`` once the caller has decided the actor may (the People screens:
    whoever manages the person; a committee's page: whoever files the committee)."""
    if _accepted(person):
        raise PersonRefused(_("This person has already accepted their invitation."))
    last = Invitation.objects.filter(user=person).order_by("-created_at").first()
    if last is None:
        raise PersonRefused(_("This person was never invited."))
    _revoke_pending(person, timezone.now())
    profile = StaffProfile.objects.filter(user=person).first()
    scope = {
        "district": profile.district if profile else None,
        "city_wide": profile.city_wide if profile else False,
        "company": profile.company if profile else None,
        "estate": profile.estate if profile else last.estate,
    }
    invitation = _issue(
        person,
        actor=actor,
        email=person.email or last.email,
        phone=last.phone,
        name=last.name,
        role=last.role,
        scope=scope,
    )
    _audit(actor, INVITATION_RESENT, person, invitation=invitation.pk)
    return invitation


@transaction.atomic
def revoke_invitation(person, *, actor) -> int:
    """Withdraw the pending link; the person stays, inactive, and can be re-invited."""
    _refuse_unless_managed(actor, person)
    revoked = _revoke_pending(person, timezone.now())
    if not revoked:
        raise PersonRefused(_("This person has no pending invitation."))
    _audit(actor, INVITATION_REVOKED, person)
    return revoked


def find_invitation(token: str) -> Invitation:
    """The pending invitation of ``token``, or ``InvitationInvalid`` saying why not."""
    invitation = Invitation.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if invitation is None:
        raise InvitationInvalid("unknown")
    if invitation.accepted_at is not None:
        raise InvitationInvalid("used")
    if invitation.revoked_at is not None:
        raise InvitationInvalid("revoked")
    if not invitation.is_pending():
        raise InvitationInvalid("expired")
    return invitation


@transaction.atomic
def accept_invitation(token: str, password: str):
    """Set the person's password (Django's validators decide; a ``ValidationError`` changes
    nothing) and activate them. Returns the person."""
    invitation = find_invitation(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending():  # accepted in a parallel request since
        raise InvitationInvalid("used")
    person = invitation.user
    validate_password(password, person)
    person.set_password(password)
    person.is_active = True
    person.save(update_fields=["password", "is_active"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    _audit(person, INVITATION_ACCEPTED, person, invitation=invitation.pk)
    return person


# Deactivation and scope --------------------------------------------------------------------


@transaction.atomic
def deactivate_person(person, *, actor) -> None:
    """The person can no longer sign in (their sessions end at the next request); never
    deleted. A pending invitation is withdrawn with them."""
    _refuse_unless_managed(actor, person)
    if not person.is_active and not Invitation.objects.pending().filter(user=person).exists():
        return
    person.is_active = False
    person.save(update_fields=["is_active"])
    _revoke_pending(person, timezone.now())
    _audit(actor, DEACTIVATED, person)


@transaction.atomic
def reactivate_person(person, *, actor) -> None:
    _refuse_unless_managed(actor, person)
    if not _accepted(person):
        raise PersonRefused(_("This person never chose a password: resend the invitation instead."))
    if person.is_active:
        return
    person.is_active = True
    person.save(update_fields=["is_active"])
    _audit(actor, REACTIVATED, person)


@transaction.atomic
def change_scope(
    person,
    *,
    actor,
    district=None,
    city_wide: bool = False,
    company=None,
    estate=None,
    evaluation_organisation=None,
) -> None:
    """Move the person to another district, company or estate (or city-wide), keeping their
    role. The cases an inspector holds stay with them: reassigning is the case screens' work
    (``cases`` stands above this app)."""
    _refuse_unless_managed(actor, person)
    role = main_role(person)
    if role is None:
        raise PersonRefused(_("This person has no staff role."), "district")
    scope = {"district": district, "city_wide": city_wide, "company": company, "estate": estate}
    _check_scope(role, **scope, evaluation_organisation=evaluation_organisation)
    if not permissions.may_give_scope(actor, role, **scope):
        raise NotAllowed(_("You may not give this role in this scope."), _scope_field(role))
    before = scope_of(person)
    access.grant_role(person, role, **scope, evaluation_organisation=evaluation_organisation)
    _audit(actor, SCOPE_CHANGED, person, before=before, after=scope_of(person))


# Company administrators (企业管理员) ----------------------------------------------------------


def is_company_administrator(person) -> bool:
    """Holds the right on their own company (queried, not ``has_perm``: that is always
    False for an inactive person and cached on the user)."""
    return CompanyUserObjectPermission.objects.filter(
        user=person,
        content_object__staffprofile__user=person,
        permission__codename="administer_company_staff",
    ).exists()


def _company_of_staff(person, actor):
    if not permissions.may_grant_company_administration(actor, person):
        raise NotAllowed(_("You may not give or withdraw this right for this person."))
    return StaffProfile.objects.select_related("company").get(user=person).company


@transaction.atomic
def grant_company_administration(person, *, actor) -> None:
    """Let a company staff member invite and deactivate their company's staff: given by an
    administrator or an official of the company's district, never by the person themselves."""
    company = _company_of_staff(person, actor)
    if is_company_administrator(person):
        return
    access.grant_company_administration(person, company)
    _audit(actor, COMPANY_ADMINISTRATION_GRANTED, person, company=company.pk)


@transaction.atomic
def withdraw_company_administration(person, *, actor) -> None:
    company = _company_of_staff(person, actor)
    if not is_company_administrator(person):
        return
    access.withdraw_company_administration(person, company)
    _audit(actor, COMPANY_ADMINISTRATION_WITHDRAWN, person, company=company.pk)
