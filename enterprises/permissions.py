"""Who may see and change which register record: the one place that decides, for every
admin listing, inspect and edit view, export, API answer and task in ``enterprises``.

- Regulator staff (inspector, official, administrator) see the register of their district;
  an administrator, and an official with the explicit city-wide flag, see the whole city;
  anyone else without a district sees nothing (fail closed).
- Company staff hold the django-guardian object permission ``act_for_company`` on their
  company (granted by ``enterprises.access``) and see only that company's records. A
  company's administrator (企业管理员) also holds ``administer_company_staff`` on it, granted
  by the regulator, and invites and deactivates that company's staff only.
- Owners' committee members hold ``view_estate`` on their estate and see its records.
- Evaluators hold ``evaluate_estate`` on the estates they are engaged on.

The scopes it builds on live in ``enterprises.permission_base`` and the owners' committees
and owners' records (units, work reports, improvement requests, surveys, votes, handovers)
in ``enterprises.owner_permissions``, only for length: both are re-exported below, so
callers still ask this module (``permissions.visible_votes``).
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from enterprises.models import (
    Company,
    CompanyUserObjectPermission,
    ContractVersion,
    CreditAppeal,
    CreditRecord,
    Disclosure,
    Estate,
    Evaluation,
    EvaluationOrganisation,
    EvaluatorEngagement,
    GoodConductClaim,
    Honour,
    Licence,
    PeerReview,
    ServiceContract,
    TrainingSession,
)
from enterprises.owner_permissions import (  # noqa: F401
    OWNERS_SCREEN_ROLES,
    committee_seat,
    estates_decided_by,
    files_committees,
    handover_parties_of,
    manages_survey,
    manages_units,
    reports_for_estate,
    runs_surveys,
    sits_on_current_committee,
    survey_estates,
    unit_estates,
    uses_owners_screens,
    visible_committees,
    visible_handovers,
    visible_improvement_requests,
    visible_surveys,
    visible_votes,
    visible_work_reports,
)
from enterprises.permission_base import (  # noqa: F401
    ACT_FOR_COMPANY,
    ADMINISTER_COMPANY_STAFF,
    EVALUATE_ESTATE,
    VIEW_ESTATE,
    _profile_district_id,
    _signed_in,
    can_act_for_company,
    can_decide_for_estate,
    committee_estates,
    companies_acted_for,
    evaluated_estates,
    is_city_wide,
    regulator_district_q,
    scoped,
)
from foundation.roles import REGULATOR_STAFF, Role, has_role, roles_of

_SEE_REGISTER = ["enterprises.view_company", "enterprises.view_estate"]
_SEE_REGISTER_RECORDS = [
    f"enterprises.view_{model}"
    for model in (
        "licence",
        "servicecontract",
        "disclosure",
        "evaluation",
        "creditrecord",
        "creditappeal",
        "goodconductclaim",
        "trainingsession",
        "peerreview",
        "honour",
    )
]
_EDIT_REGISTER = [
    "enterprises.add_company",
    "enterprises.change_company",
    "enterprises.add_estate",
    "enterprises.change_estate",
]
# Model-wide permissions per role (merged into the groups by ``foundation.roles.sync_roles``);
# which rows each role sees is decided by the functions below.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.EVALUATOR: _SEE_REGISTER,
    # The industry association (行业协会) records peer reviews and honours of any company
    # (enterprises.association); the rest of the register is the regulator's screens.
    Role.ASSOCIATION: ["enterprises.view_peerreview", "enterprises.view_honour"],
    Role.INSPECTOR: [*_SEE_REGISTER, *_SEE_REGISTER_RECORDS],
    Role.OFFICIAL: [*_SEE_REGISTER, *_SEE_REGISTER_RECORDS, *_EDIT_REGISTER],
    Role.ADMINISTRATOR: [
        *_SEE_REGISTER,
        *_SEE_REGISTER_RECORDS,
        *_EDIT_REGISTER,
        "enterprises.change_creditpolicy",
    ],
}


def administered_companies(user) -> QuerySet[Company]:
    """The companies whose staff ``user`` administers: company staff holding the right on
    their own company (both permissions, so a moved person keeps no stale right)."""
    if not _signed_in(user) or Role.COMPANY_STAFF not in roles_of(user):
        return Company.objects.none()
    # One permission per call: guardian builds a lazy subquery for one, but runs queries
    # for a list of them.
    administered = get_objects_for_user(
        user,
        ADMINISTER_COMPANY_STAFF,
        klass=Company,
        accept_global_perms=False,
        with_superuser=False,
    )
    return companies_acted_for(user).filter(pk__in=administered.values("pk"))


# The regulator's district, the user's company, or their committee's and evaluated estates.
_scoped = scoped


def visible_companies(user) -> QuerySet[Company]:
    qs = _scoped(Company.objects.all(), user, district="district", company="pk", estate=None)
    if roles_of(user) & {Role.OWNERS_COMMITTEE, Role.EVALUATOR}:
        estates = committee_estates(user) | evaluated_estates(user)
        qs = qs | Company.objects.filter(estates__in=estates.values("pk"))
    return qs.distinct()


def visible_estates(user) -> QuerySet[Estate]:
    return _scoped(
        Estate.objects.all(), user, district="district", company="managing_company", estate="pk"
    )


def visible_licences(user) -> QuerySet[Licence]:
    return _scoped(
        Licence.objects.all(), user, district="company__district", company="company", estate=None
    )


def visible_contracts(user) -> QuerySet[ServiceContract]:
    return _scoped(
        ServiceContract.objects.all(),
        user,
        district="estate__district",
        company="company",
        estate="estate",
    )


def visible_disclosures(user) -> QuerySet[Disclosure]:
    return _scoped(
        Disclosure.objects.all(),
        user,
        district="estate__district",
        company="company",
        estate="estate",
    )


def visible_evaluations(user) -> QuerySet[Evaluation]:
    qs = _scoped(
        Evaluation.objects.all(), user, district="estate__district", company=None, estate="estate"
    )
    if Role.COMPANY_STAFF in roles_of(user):
        qs = qs | Evaluation.objects.filter(company__in=companies_acted_for(user).values("pk"))
    return qs


def visible_credit_records(user) -> QuerySet[CreditRecord]:
    return _scoped(
        CreditRecord.objects.all(),
        user,
        district="company__district",
        company="company",
        estate=None,
    )


def visible_appeals(user) -> QuerySet[CreditAppeal]:
    return _scoped(
        CreditAppeal.objects.all(),
        user,
        district="record__company__district",
        company="record__company",
        estate=None,
    )


def visible_good_conduct_claims(user) -> QuerySet[GoodConductClaim]:
    """The company's own declarations; the regulator's district's."""
    return _scoped(
        GoodConductClaim.objects.all(),
        user,
        district="company__district",
        company="company",
        estate=None,
    )


def visible_training_sessions(user) -> QuerySet[TrainingSession]:
    return _scoped(
        TrainingSession.objects.all(),
        user,
        district="company__district",
        company="company",
        estate=None,
    )


def is_association(user) -> bool:
    """The industry association records peer reviews and honours of any company."""
    return _signed_in(user) and has_role(user, Role.ASSOCIATION)


def _association_records(queryset: QuerySet, user) -> QuerySet:
    """The association's records: all of them to the association, the district's to the
    regulator, its own to a company."""
    if is_association(user):
        return queryset
    return _scoped(queryset, user, district="company__district", company="company", estate=None)


def visible_peer_reviews(user) -> QuerySet[PeerReview]:
    return _association_records(PeerReview.objects.all(), user)


def visible_honours(user) -> QuerySet[Honour]:
    return _association_records(Honour.objects.all(), user)


# Object checks used by the transition functions --------------------------------------------


def can_decide_for_company(user, company: Company) -> bool:
    """An official of the company's district (or city-wide), or an administrator: decides
    licences, filings and appeals."""
    roles = roles_of(user)
    if not roles & {Role.OFFICIAL, Role.ADMINISTRATOR}:
        return False
    regulator = regulator_district_q(user, "district")
    return Company.objects.filter(regulator, pk=company.pk).exists()


def decides_companys_request(user, company: Company, submitted_by_id: int | None) -> bool:
    """Who decides what a company asked for (a credit appeal, a good conduct declaration): an
    official of its district who neither made the request nor acts for the company."""
    return (
        _signed_in(user)
        and can_decide_for_company(user, company)
        and user.pk != submitted_by_id
        and not can_act_for_company(user, company)
    )


def can_evaluate_estate(user, estate: Estate) -> bool:
    return evaluated_estates(user).filter(pk=estate.pk).exists()


def keeps_register(user) -> bool:
    """Officials and administrators keep the register: they add, edit and import companies
    and estates (a cheap check, for showing buttons; the rows are still scoped)."""
    return has_role(user, Role.OFFICIAL, Role.ADMINISTRATOR)


def sits_on_committee_of(user, estate: Estate) -> bool:
    """A member of this estate's owners' committee (业主委员会), who speaks for its owners."""
    profile = getattr(user, "staff_profile", None)
    return (
        has_role(user, Role.OWNERS_COMMITTEE)
        and profile is not None
        and profile.estate_id == estate.pk
    )


def is_third_party_evaluator(user) -> bool:
    return has_role(user, Role.EVALUATOR)


def has_scope(user) -> bool:
    """Whether a signed-in staff member has been given anywhere to work: administrators by
    their role; officials a district or the city-wide flag; inspectors a district; company
    staff a company; committee members an estate; evaluators an engagement. Without one
    every list is empty (fail closed) and the dashboard says whom to ask."""
    if not _signed_in(user):
        return False
    if has_role(user, Role.ADMINISTRATOR, Role.ASSOCIATION, Role.INTAKE_CLERK):
        # The association's and an intake clerk's work is city-wide, not a scope of records.
        return True
    profile = getattr(user, "staff_profile", None)
    district = profile is not None and profile.district_id is not None
    return (
        (has_role(user, Role.OFFICIAL) and (district or is_city_wide(user)))
        or (has_role(user, Role.INSPECTOR) and district)
        or companies_acted_for(user).exists()
        or committee_estates(user).exists()
        or evaluated_estates(user).exists()
    )


# People (人员管理): who may invite and manage whom --------------------------------------------

# The roles an inviter may give, in the order a person's main role is named by.
PEOPLE_ROLES = (
    Role.ADMINISTRATOR,
    Role.OFFICIAL,
    Role.INSPECTOR,
    Role.COMPANY_STAFF,
    Role.OWNERS_COMMITTEE,
    Role.EVALUATOR,
    Role.ASSOCIATION,
    Role.INTAKE_CLERK,
)


def _administers_company_staff(user) -> bool:
    return administered_companies(user).exists()


def manages_people(user) -> bool:
    """Administrators manage everyone; officials the inspectors of their district; a
    company's administrator its staff (for the menu; which people is ``people_visible_to``)."""
    return _signed_in(user) and (
        has_role(user, Role.OFFICIAL, Role.ADMINISTRATOR) or _administers_company_staff(user)
    )


def may_give_scope(
    actor, role: str, *, district=None, city_wide: bool = False, company=None, estate=None
) -> bool:
    """Whether ``actor`` may give ``role`` in this scope: administrators any; an official
    only an inspector's place in their own district (a city-wide official in any district)
    or a committee member's seat on an estate of their district (filing a committee);
    a company's administrator only a staff place in the company they administer."""
    if not _signed_in(actor):
        return False
    if has_role(actor, Role.ADMINISTRATOR):
        return True
    if role == Role.COMPANY_STAFF and not (district or city_wide or estate) and company:
        return administered_companies(actor).filter(pk=company.pk).exists()
    if role == Role.OWNERS_COMMITTEE and estate is not None and not (district or company):
        # An official files their district's committees (enterprises.committees).
        return (
            not city_wide
            and has_role(actor, Role.OFFICIAL)
            and can_decide_for_estate(actor, estate)
        )
    if not has_role(actor, Role.OFFICIAL) or role != Role.INSPECTOR or city_wide:
        return False
    if district is None or company is not None or estate is not None:
        return False
    return is_city_wide(actor) or district.pk == _profile_district_id(actor)


def _plain_company_staff(users: QuerySet, companies: QuerySet) -> QuerySet:
    """Company staff of ``companies`` holding no regulator role and not the right to
    administer the company's staff (company administrators are the regulator's to manage)."""
    administrators = CompanyUserObjectPermission.objects.filter(
        user=OuterRef("pk"), permission__codename="administer_company_staff"
    )
    return (
        users.filter(
            groups__name=Role.COMPANY_STAFF.value, staff_profile__company__in=companies.values("pk")
        )
        .exclude(groups__name__in=[role.value for role in REGULATOR_STAFF])
        .exclude(Exists(administrators))
    )


def people_managed_by(actor) -> QuerySet:
    """The people an actor manages: administrators every non-citizen account; officials the
    inspectors of their district (every district when city-wide); a company's administrator
    the plain staff of that company; anyone else nobody."""
    users = get_user_model().objects.all()
    if not _signed_in(actor):
        return users.none()
    if has_role(actor, Role.ADMINISTRATOR):
        return users.exclude(groups__name=Role.CITIZEN.value)
    if not has_role(actor, Role.OFFICIAL):
        companies = administered_companies(actor)
        return _plain_company_staff(users, companies).exclude(pk=actor.pk)
    inspectors = users.filter(groups__name=Role.INSPECTOR.value).exclude(
        groups__name=Role.ADMINISTRATOR.value
    )
    if is_city_wide(actor):
        return inspectors.exclude(groups__name=Role.OFFICIAL.value)
    district_id = _profile_district_id(actor)
    if district_id is None:
        return users.none()
    return inspectors.exclude(groups__name=Role.OFFICIAL.value).filter(
        staff_profile__district_id=district_id
    )


def people_visible_to(actor) -> QuerySet:
    """Whom the People screens show: those the actor manages, and, for officials, the staff
    and administrators of the companies of their district (the regulator sees who they are)."""
    managed = people_managed_by(actor)
    if not _signed_in(actor) or not has_role(actor, Role.OFFICIAL):
        return managed
    users = get_user_model().objects.all()
    companies = Company.objects.filter(regulator_district_q(actor, "district"))
    staff = users.filter(
        groups__name=Role.COMPANY_STAFF.value, staff_profile__company__in=companies.values("pk")
    )
    return users.filter(Q(pk__in=managed.values("pk")) | Q(pk__in=staff.values("pk")))


def may_manage_person(actor, person) -> bool:
    """Change the scope of, deactivate, reactivate or re-invite ``person``: someone the actor
    manages, and never oneself."""
    return person.pk != actor.pk and people_managed_by(actor).filter(pk=person.pk).exists()


def may_grant_company_administration(actor, person) -> bool:
    """Grant or withdraw ``administer_company_staff``: an administrator, or an official of the
    company's district (or city-wide), for a company staff member; never oneself."""
    profile = getattr(person, "staff_profile", None)
    if not _signed_in(actor) or person.pk == actor.pk or profile is None:
        return False
    if profile.company_id is None or not has_role(person, Role.COMPANY_STAFF):
        return False
    return can_decide_for_company(actor, profile.company)


# Evaluation organisations (评价机构) and their engagements ------------------------------------


def visible_evaluation_organisations(user) -> QuerySet[EvaluationOrganisation]:
    """City-wide records: every administrator and official (of any district) sees, registers
    and corrects them; nobody else. Which estates their staff are engaged on is scoped by
    ``visible_engagements``."""
    if not _signed_in(user) or not keeps_register(user):
        return EvaluationOrganisation.objects.none()
    return EvaluationOrganisation.objects.all()


def visible_engagements(user) -> QuerySet[EvaluatorEngagement]:
    """Engagements on the estates of an official's district (the city for administrators
    and city-wide officials): the estates they may decide for; nobody else's."""
    if not _signed_in(user) or not keeps_register(user):
        return EvaluatorEngagement.objects.none()
    regulator = regulator_district_q(user, "district")
    estates = Estate.objects.filter(regulator) if regulator is not None else Estate.objects.none()
    return EvaluatorEngagement.objects.filter(estate__in=estates.values("pk"))


# Versions of a contract filing (备案补正, 变更备案) ------------------------------------------


def sees_contract_history(user, contract: ServiceContract) -> bool:
    """Every version of a filing, the returned ones and an amendment under review: the
    regulator staff who see the contract and its own company. Committee members and engaged
    evaluators see the contract's current version only."""
    if regulator_district_q(user, "district") is not None:
        return visible_contracts(user).filter(pk=contract.pk).exists()
    return can_act_for_company(user, contract.company)


def visible_contract_versions(user, contract: ServiceContract) -> QuerySet[ContractVersion]:
    """The versions of ``contract`` a user may list and download (none outside its scope)."""
    versions = ContractVersion.objects.filter(contract_id=contract.pk)
    if sees_contract_history(user, contract):
        return versions
    if not visible_contracts(user).filter(pk=contract.pk).exists():
        return versions.none()
    return versions.filter(number=F("contract__version"))
