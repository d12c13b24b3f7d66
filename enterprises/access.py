"""Granting and withdrawing object-level access to the register (django-guardian).

The profile (``enterprises.StaffProfile``) says where a user belongs, the object permissions say
what they may touch; both are set here together so they never disagree.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from enterprises.models import (
    CommitteeMember,
    Company,
    Estate,
    EvaluatorEngagement,
    OwnersCommittee,
    StaffProfile,
)
from enterprises.permissions import (
    ACT_FOR_COMPANY,
    ADMINISTER_COMPANY_STAFF,
    EVALUATE_ESTATE,
    VIEW_ESTATE,
)
from foundation.roles import Role


def company_staff(company_id: int | None):
    """The active staff of a company: who is told of what is sent to the company (a
    dispatch, an order, a penalty, a reply to its answer). Nobody for no company."""
    return (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__company_id=company_id)
        .exclude(staff_profile__company_id=None)
    )


def _join(user, role: Role) -> None:
    user.groups.add(Group.objects.get(name=role.value))
    user.__dict__.pop("_portal_roles", None)


@transaction.atomic
def grant_company_staff(user, company: Company) -> None:
    """Make ``user`` staff of ``company`` (and of no other company)."""
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    if profile.company_id and profile.company_id != company.pk:
        remove_perm(ACT_FOR_COMPANY, user, profile.company)
        remove_perm(ADMINISTER_COMPANY_STAFF, user, profile.company)
    profile.company = company
    profile.save(update_fields=["company"])
    assign_perm(ACT_FOR_COMPANY, user, company)
    _join(user, Role.COMPANY_STAFF)


def grant_company_administration(user, company: Company) -> None:
    """Let ``user`` (staff of ``company``) invite and deactivate the company's staff."""
    assign_perm(ADMINISTER_COMPANY_STAFF, user, company)


def withdraw_company_administration(user, company: Company) -> None:
    remove_perm(ADMINISTER_COMPANY_STAFF, user, company)


@transaction.atomic
def grant_committee_member(user, estate: Estate) -> None:
    """Make ``user`` a member of ``estate``'s owners' committee, who may also evaluate it."""
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    if profile.estate_id and profile.estate_id != estate.pk:
        remove_perm(VIEW_ESTATE, user, profile.estate)
        _withdraw_evaluation(user, profile.estate)
    profile.estate = estate
    profile.save(update_fields=["estate"])
    assign_perm(VIEW_ESTATE, user, estate)
    assign_perm(EVALUATE_ESTATE, user, estate)
    _join(user, Role.OWNERS_COMMITTEE)


@transaction.atomic
def withdraw_committee_member(user, estate: Estate) -> None:
    """End ``user``'s committee access to ``estate``: the object permissions go, and a
    profile pointing at the estate is cleared, so they fail closed (no scope, the dashboard
    says whom to ask) rather than keep a stale estate."""
    remove_perm(VIEW_ESTATE, user, estate)
    _withdraw_evaluation(user, estate)
    StaffProfile.objects.filter(user=user, estate=estate).update(estate=None)
    if hasattr(user, "staff_profile") and user.staff_profile.estate_id == estate.pk:
        user.staff_profile.estate = None


@transaction.atomic
def engage_evaluator(user, estate: Estate) -> None:
    """Engage a third-party evaluator on one more estate."""
    assign_perm(EVALUATE_ESTATE, user, estate)
    _join(user, Role.EVALUATOR)


@transaction.atomic
def end_evaluator_engagement(user, estate: Estate) -> None:
    """Ending an engagement (the caller checked the evaluator's other engagements): keep the
    permission while a seat on the estate's current committee holds it."""
    if not sits_on_committee(user, estate.pk):
        remove_perm(EVALUATE_ESTATE, user, estate)


# ``evaluate_estate`` comes from a committee seat or from an evaluator's engagement, and one
# object permission holds both: ending one leaves it while the other stands (a committee
# member of the estate who is also engaged on it keeps evaluating).


def _withdraw_evaluation(user, estate: Estate) -> None:
    """Ending a seat: keep the permission while an engagement on the estate holds it."""
    engaged = EvaluatorEngagement.objects.filter(
        evaluator=user, estate=estate, access_granted=True, ended_at__isnull=True
    )
    if not engaged.exists():
        remove_perm(EVALUATE_ESTATE, user, estate)


def sits_on_committee(user, estate_id: int, *, today=None, besides=None) -> bool:
    """Whether ``user`` holds a seat on a current committee of the estate (``besides``: other
    than that committee)."""
    seats = CommitteeMember.objects.filter(
        user=user,
        removed_at__isnull=True,
        committee__estate_id=estate_id,
        committee__in=OwnersCommittee.objects.current(today),
    )
    if besides is not None:
        seats = seats.exclude(committee=besides)
    return seats.exists()


@transaction.atomic
def grant_evaluator(user, organisation) -> None:
    """Make ``user`` an evaluator of ``organisation``: no estate yet, its engagements
    (``enterprises.evaluators.engage``) grant them one by one."""
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    profile.evaluation_organisation = organisation
    profile.save(update_fields=["evaluation_organisation"])
    _join(user, Role.EVALUATOR)


@transaction.atomic
def grant_regulator_staff(user, role: Role, *, district=None, city_wide: bool = False) -> None:
    """Make ``user`` an inspector or official of ``district``, or (officials only) city-wide."""
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    profile.district = district
    profile.city_wide = bool(city_wide) and role == Role.OFFICIAL
    profile.save(update_fields=["district", "city_wide"])
    _join(user, role)


def grant_role(
    user,
    role: Role,
    *,
    district=None,
    city_wide=False,
    company=None,
    estate=None,
    evaluation_organisation=None,
) -> None:
    """Give ``user`` ``role`` with its scope, through the one function above for that role
    (so the profile and the object permissions agree). Administrators and intake clerks
    (who register for callers anywhere in the city and see no case) need no scope."""
    if role in (Role.INSPECTOR, Role.OFFICIAL):
        grant_regulator_staff(user, role, district=district, city_wide=city_wide)
    elif role == Role.COMPANY_STAFF:
        grant_company_staff(user, company)
    elif role == Role.OWNERS_COMMITTEE:
        grant_committee_member(user, estate)
    elif role == Role.EVALUATOR and evaluation_organisation is not None:
        grant_evaluator(user, evaluation_organisation)
    elif role == Role.EVALUATOR:
        engage_evaluator(user, estate)
    elif role in (Role.ADMINISTRATOR, Role.ASSOCIATION, Role.INTAKE_CLERK):
        _join(user, role)
    else:
        raise ValueError(f"no scope for role {role!r}")
