"""The scopes the permission modules build on: who is signed in, the regulator's district,
the companies a user acts for and the estates whose committee they sit on. Kept apart so
that ``enterprises.permissions`` and ``enterprises.owner_permissions`` both import them one
way (no cycle); callers use them through ``enterprises.permissions``, which re-exports them.
"""

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from enterprises.models import Company, Estate
from foundation.roles import REGULATOR_STAFF, Role, has_role, roles_of

ACT_FOR_COMPANY = "enterprises.act_for_company"
ADMINISTER_COMPANY_STAFF = "enterprises.administer_company_staff"
VIEW_ESTATE = "enterprises.view_estate"
EVALUATE_ESTATE = "enterprises.evaluate_estate"


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def _profile_district_id(user) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return profile.district_id if profile is not None else None


def is_city_wide(user) -> bool:
    """A head of department: an official whose profile carries the explicit city-wide flag."""
    profile = getattr(user, "staff_profile", None)
    return has_role(user, Role.OFFICIAL) and profile is not None and profile.city_wide


def regulator_district_q(user, district_field: str) -> Q | None:
    """None: the user is no regulator staff. Q(): whole city. Otherwise: their district."""
    roles = roles_of(user)
    if not roles & REGULATOR_STAFF:
        return None
    district_id = _profile_district_id(user)
    if Role.ADMINISTRATOR in roles or is_city_wide(user):
        return Q()
    if district_id is None:
        return Q(pk__in=[])
    return Q(**{district_field: district_id})


def companies_acted_for(user) -> QuerySet[Company]:
    if not _signed_in(user) or Role.COMPANY_STAFF not in roles_of(user):
        return Company.objects.none()
    return get_objects_for_user(
        user, ACT_FOR_COMPANY, klass=Company, accept_global_perms=False, with_superuser=False
    )


def committee_estates(user) -> QuerySet[Estate]:
    if not _signed_in(user) or Role.OWNERS_COMMITTEE not in roles_of(user):
        return Estate.objects.none()
    return get_objects_for_user(
        user, VIEW_ESTATE, klass=Estate, accept_global_perms=False, with_superuser=False
    )


def evaluated_estates(user) -> QuerySet[Estate]:
    roles = roles_of(user)
    if not _signed_in(user) or not roles & {Role.EVALUATOR, Role.OWNERS_COMMITTEE}:
        return Estate.objects.none()
    return get_objects_for_user(
        user, EVALUATE_ESTATE, klass=Estate, accept_global_perms=False, with_superuser=False
    )


def scoped(
    queryset: QuerySet,
    user,
    *,
    district: str,
    company: str | None,
    estate: str | None,
    evaluators: bool = True,
) -> QuerySet:
    """Filter a queryset by the regulator's district, or the user's company (``company``
    None: not by company), or the estates of their committee and, with ``evaluators``, those
    they evaluate (``estate`` None: not by estate)."""
    if not _signed_in(user):
        return queryset.none()
    regulator = regulator_district_q(user, district)
    if regulator is not None:
        return queryset.filter(regulator)
    q = Q(pk__in=[])
    if company is not None:
        q |= Q(**{f"{company}__in": companies_acted_for(user).values("pk")})
    if estate is not None:
        estates = committee_estates(user)
        if evaluators:
            estates = estates | evaluated_estates(user)
        q |= Q(**{f"{estate}__in": estates.values("pk")})
    return queryset.filter(q)


def can_act_for_company(user, company: Company) -> bool:
    """Company staff acting for their own company (apply, submit, publish, appeal)."""
    return companies_acted_for(user).filter(pk=company.pk).exists()


def can_decide_for_estate(user, estate: Estate) -> bool:
    roles = roles_of(user)
    if not roles & {Role.OFFICIAL, Role.ADMINISTRATOR}:
        return False
    return Estate.objects.filter(regulator_district_q(user, "district"), pk=estate.pk).exists()
