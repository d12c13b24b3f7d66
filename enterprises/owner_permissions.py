"""Who may act for owners and see their decisions: the owners' committees (业主委员会) and
the records through which owners supervise their estate's company (units, work reports,
improvement requests, surveys, votes, handovers). Kept apart from ``enterprises.permissions``
only for length; that module re-exports every name here, so callers still ask it.
"""

from django.db.models import Q, QuerySet

from enterprises.models import (
    CommitteeMember,
    Estate,
    Handover,
    ImprovementRequest,
    OwnersCommittee,
    Survey,
    Vote,
    VoteStatus,
    WorkReport,
    WorkReportStatus,
)
from enterprises.permission_base import (
    _signed_in,
    can_act_for_company,
    can_decide_for_estate,
    committee_estates,
    companies_acted_for,
    regulator_district_q,
    scoped,
)
from foundation.roles import Role, has_role, roles_of

# Owners' committees (业主委员会备案) ---------------------------------------------------------


def files_committees(user) -> bool:
    """Administrators and officials file committees (for the menu; which ones is
    ``visible_committees``, which estates ``estates_decided_by``)."""
    return _signed_in(user) and has_role(user, Role.OFFICIAL, Role.ADMINISTRATOR)


def estates_decided_by(user) -> QuerySet[Estate]:
    """The estates ``can_decide_for_estate`` allows, as a queryset (the filing's chooser)."""
    if not files_committees(user):
        return Estate.objects.none()
    return Estate.objects.filter(regulator_district_q(user, "district"))


def visible_committees(user) -> QuerySet[OwnersCommittee]:
    """The committee filings a user sees on the committees screens: administrators and
    city-wide officials all, officials their district's, nobody else (the members see
    their estate through ``committee_estates``, not the filing)."""
    if not files_committees(user):
        return OwnersCommittee.objects.none()
    return OwnersCommittee.objects.filter(regulator_district_q(user, "estate__district"))


# Owners as supervisors: units, work reports, improvement requests (issue 19) ---------------


def sits_on_current_committee(user, estate: Estate) -> bool:
    """A member of the estate's current owners' committee: the access a filing grants and
    the term's end withdraws (``enterprises.committees``)."""
    return committee_estates(user).filter(pk=estate.pk).exists()


def _owners_scope(
    queryset: QuerySet, user, *, district: str, company: str | None, estate: str
) -> QuerySet:
    """The regulator its district, a company the estates it manages (``company`` None: none),
    the committee its estate; evaluators and everyone else nothing."""
    return scoped(
        queryset, user, district=district, company=company, estate=estate, evaluators=False
    )


def unit_estates(user) -> QuerySet[Estate]:
    """The estates whose units (and owners) a user reads."""
    return _owners_scope(
        Estate.objects.all(), user, district="district", company="managing_company", estate="pk"
    )


def manages_units(user, estate: Estate) -> bool:
    """Import an estate's units: its current committee, or an official of its district."""
    return sits_on_current_committee(user, estate) or can_decide_for_estate(user, estate)


def visible_work_reports(user) -> QuerySet[WorkReport]:
    """The company its own reports, drafts included; the committee and the regulator the
    submitted ones of their estate or district."""
    reports = WorkReport.objects.all()
    own = reports.filter(company__in=companies_acted_for(user).values("pk"))
    others = _owners_scope(
        reports, user, district="estate__district", company=None, estate="estate"
    ).exclude(status=WorkReportStatus.DRAFT)
    return reports.filter(Q(pk__in=own.values("pk")) | Q(pk__in=others.values("pk")))


def reports_for_estate(user, estate: Estate) -> bool:
    """Write the estate's work report: staff of the company managing it."""
    return estate.managing_company_id is not None and can_act_for_company(
        user, estate.managing_company
    )


def visible_improvement_requests(user) -> QuerySet[ImprovementRequest]:
    """The committee its estate's, the company those sent to it, the regulator its district's."""
    return _owners_scope(
        ImprovementRequest.objects.all(),
        user,
        district="estate__district",
        company="company",
        estate="estate",
    )


OWNERS_SCREEN_ROLES = (
    Role.OWNERS_COMMITTEE,
    Role.COMPANY_STAFF,
    Role.INSPECTOR,
    Role.OFFICIAL,
    Role.ADMINISTRATOR,
)


def uses_owners_screens(user) -> bool:
    """The units, work reports and improvement requests menus (for the menu and the 403;
    which records is decided by the scopes above)."""
    return _signed_in(user) and has_role(user, *OWNERS_SCREEN_ROLES)


# Owners' surveys and opinion collections (满意度调查, 意见征集) ---------------------------------


def runs_surveys(user) -> bool:
    """Officials and administrators, and committee members with an estate (for the menu;
    which surveys is ``visible_surveys``)."""
    return files_committees(user) or committee_estates(user).exists()


def visible_surveys(user) -> QuerySet[Survey]:
    """The regulator's district's surveys (the city's for administrators and city-wide
    officials), and every survey of the estates a committee member sits for; nobody else's.
    Text answers (opinions) are read by the side that runs it only (``manages_survey``)."""
    if not _signed_in(user):
        return Survey.objects.none()
    regulator = regulator_district_q(user, "estate__district")
    q = Q(pk__in=[])
    if regulator is not None and has_role(user, Role.OFFICIAL, Role.ADMINISTRATOR):
        if regulator == Q():  # the whole city (an empty Q would vanish from the union)
            return Survey.objects.all()
        q |= regulator
    if Role.OWNERS_COMMITTEE in roles_of(user):
        q |= Q(estate__in=committee_estates(user).values("pk"))
    return Survey.objects.filter(q)


def survey_estates(user) -> QuerySet[Estate]:
    """The estates a user may start a survey of (the creation form's chooser)."""
    decided = estates_decided_by(user)
    return Estate.objects.filter(
        Q(pk__in=decided.values("pk")) | Q(pk__in=committee_estates(user).values("pk"))
    )


def manages_survey(user, survey: Survey) -> bool:
    """The side that runs it: an official of the estate's district for the regulator's,
    the estate's current committee for the committee's."""
    if not _signed_in(user):
        return False
    if survey.run_by == "regulator":
        return can_decide_for_estate(user, survey.estate)
    return committee_estates(user).filter(pk=survey.estate_id).exists()


# Owners' votes (业主共同决定) and handovers (交接) --------------------------------------------


def committee_seat(user, estate: Estate):
    """The user's seat on a current committee of ``estate`` (None without one): who calls,
    runs and tallies the estate's votes, and confirms a handover for the owners."""
    if not _signed_in(user) or not committee_estates(user).filter(pk=estate.pk).exists():
        return None
    current = OwnersCommittee.objects.current().filter(estate_id=estate.pk)
    return (
        CommitteeMember.objects.filter(user=user, removed_at__isnull=True, committee__in=current)
        .select_related("committee")
        .first()
    )


def visible_votes(user) -> QuerySet:
    """The estate's committee members see its votes in every state; the regulator of the
    district sees a vote once it is filed with them; nobody else."""
    if not _signed_in(user):
        return Vote.objects.none()
    regulator = regulator_district_q(user, "estate__district")
    if regulator is not None:
        return Vote.objects.filter(regulator, status=VoteStatus.FILED)
    return Vote.objects.filter(estate__in=committee_estates(user).values("pk"))


def visible_handovers(user) -> QuerySet:
    """The regulator of the district, the outgoing and incoming companies, the committee."""
    if not _signed_in(user):
        return Handover.objects.none()
    regulator = regulator_district_q(user, "estate__district")
    if regulator is not None:
        return Handover.objects.filter(regulator)
    companies = companies_acted_for(user).values("pk")
    return Handover.objects.filter(
        Q(outgoing_contract__company__in=companies)
        | Q(incoming_contract__company__in=companies)
        | Q(estate__in=committee_estates(user).values("pk"))
    )


def handover_parties_of(user, handover) -> list[str]:
    """The sides of ``handover`` the user may confirm for (outgoing, incoming, committee)."""
    parties = []
    if can_act_for_company(user, handover.outgoing_contract.company):
        parties.append("outgoing")
    if can_act_for_company(user, handover.incoming_contract.company):
        parties.append("incoming")
    if committee_seat(user, handover.estate) is not None:
        parties.append("committee")
    return parties
