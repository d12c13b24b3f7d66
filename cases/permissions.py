"""Who may see and act on which complaint: the one place that decides, for every list,
detail, search, export and API path. ``ComplaintScope`` is turned into an ORM filter here and
into an Elasticsearch filter in ``search.queries``, so both answer the same.

Seeing: an administrator and a head of department (an official with the explicit city-wide
flag on the staff profile) see everything; officials and inspectors their district, and
inspectors also every case assigned to them (a django-guardian grant made on dispatch); a
company only the cases dispatched to it; an owners' committee member its estate's cases.
Anyone else, and anyone without a scope, sees nothing (fail closed). Acting: the ``can_*``
predicates below.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from cases.models import (
    CaseStatus,
    Complaint,
    ComplaintUserObjectPermission,
    Dispatch,
)
from enterprises.permissions import (
    can_act_for_company,
    committee_estates,
    companies_acted_for,
    is_city_wide,
    regulator_district_q,
)
from foundation.roles import REGULATOR_STAFF, Role, has_role, roles_of

_SEE_CASES = ["cases.view_complaint", "cases.search_complaints"]
_WORK_CASES = [*_SEE_CASES, "cases.change_complaint", "cases.view_complainant_personal_data"]
# The supervision screens open for regulator staff even before their first record (rows and
# actions are still decided by the functions below).
_SUPERVISION = [
    f"cases.view_{model}"
    for model in ("inspection", "rectificationorder", "penalty", "checklisttemplate", "campaign")
]
# Model-wide permissions per role (merged into the groups by ``foundation.roles.sync_roles``);
# which cases each role sees is decided by ``scope_for`` and the predicates below.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.COMPANY_STAFF: _SEE_CASES,
    Role.OWNERS_COMMITTEE: _SEE_CASES,
    Role.INSPECTOR: [*_WORK_CASES, *_SUPERVISION],
    Role.OFFICIAL: [*_WORK_CASES, *_SUPERVISION, "cases.view_randomdraw"],
    Role.ADMINISTRATOR: [
        *_WORK_CASES,
        *_SUPERVISION,
        "cases.view_randomdraw",
        *[
            f"cases.{action}_{model}"
            for model in ("slarule", "calendaroverride", "tierrule", "dutyassignment")
            for action in ("view", "add", "change", "delete")
        ],
        # The agencies a case is transferred to: deactivated, never deleted (cases.transfers).
        *[f"cases.{action}_agency" for action in ("view", "add", "change")],
    ],
}


@dataclass(frozen=True)
class ComplaintScope:
    everything: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    company_ids: frozenset[int] = field(default_factory=frozenset)
    estate_ids: frozenset[int] = field(default_factory=frozenset)
    # Cases granted one by one (django-guardian), e.g. assigned across districts.
    complaint_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def nothing(self) -> bool:
        return not (
            self.everything
            or self.district_ids
            or self.company_ids
            or self.estate_ids
            or self.complaint_ids
        )

    def as_q(self) -> Q:
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if self.district_ids:
            q |= Q(district_id__in=self.district_ids)
        if self.company_ids:
            q |= Q(dispatched_company_id__in=self.company_ids)
        if self.estate_ids:
            q |= Q(estate_id__in=self.estate_ids)
        if self.complaint_ids:
            q |= Q(pk__in=self.complaint_ids)
        return q


def _profile(user):
    return getattr(user, "staff_profile", None) if user.is_authenticated else None


def _granted_complaint_ids(user) -> frozenset[int]:
    cached = getattr(user, "_portal_granted_complaints", None)
    if cached is None:
        cached = frozenset(
            ComplaintUserObjectPermission.objects.filter(
                user=user, permission__codename="view_complaint"
            ).values_list("content_object_id", flat=True)
        )
        user._portal_granted_complaints = cached
    return cached


def scope_for(user) -> ComplaintScope:
    roles = roles_of(user)
    if not roles:
        return ComplaintScope()
    profile = _profile(user)
    if Role.ADMINISTRATOR in roles:
        return ComplaintScope(everything=True)
    if roles & {Role.OFFICIAL, Role.INSPECTOR}:
        # A head of department oversees the whole city, by an explicit flag only: a profile
        # missing or without a district gives nothing (fail closed).
        if is_city_wide(user):
            return ComplaintScope(everything=True)
        districts = frozenset({profile.district_id}) if profile and profile.district_id else ()
        return ComplaintScope(
            district_ids=frozenset(districts), complaint_ids=_granted_complaint_ids(user)
        )
    if profile is None:
        return ComplaintScope()
    if Role.COMPANY_STAFF in roles and profile.company_id:
        return ComplaintScope(company_ids=frozenset({profile.company_id}))
    if Role.OWNERS_COMMITTEE in roles and profile.estate_id:
        return ComplaintScope(estate_ids=frozenset({profile.estate_id}))
    return ComplaintScope()


def visible_complaints(user) -> QuerySet[Complaint]:
    scope = scope_for(user)
    if scope.nothing:
        return Complaint.objects.none()
    return Complaint.objects.filter(scope.as_q())


def can_view(user, complaint: Complaint) -> bool:
    """Asked of the database once per user and complaint instance: the case page asks it
    for every action it may offer, about the instance it loaded through this very scope."""
    seen = complaint.__dict__.setdefault("_portal_visible_to", set())
    if user.pk is not None and user.pk in seen:
        return True
    visible = visible_complaints(user).filter(pk=complaint.pk).exists()
    if visible and user.pk is not None:
        seen.add(user.pk)
    return visible


def forget_visibility(complaint: Complaint) -> None:
    """After a change that may have taken the case out of someone's scope (a returned
    dispatch), ``can_view`` asks the database again."""
    complaint.__dict__.pop("_portal_visible_to", None)


def loaded_as_visible(user, complaint: Complaint) -> Complaint:
    """Marks ``complaint``, just loaded from ``visible_complaints(user)``, as visible to
    ``user`` (so ``can_view`` needs no query for it); a fresh instance asks again."""
    complaint.__dict__.setdefault("_portal_visible_to", set()).add(user.pk)
    return complaint


def can_search(user) -> bool:
    return user.is_authenticated and user.has_perm("cases.search_complaints")


def is_regulator(user) -> bool:
    return has_role(user, *REGULATOR_STAFF)


def is_inspector(user) -> bool:
    return has_role(user, Role.INSPECTOR)


def is_official(user) -> bool:
    return has_role(user, Role.OFFICIAL, Role.ADMINISTRATOR)


def is_head_of_department(user) -> bool:
    """A city-wide official: the second rung of the escalation ladder."""
    return is_city_wide(user)


def can_see_personal_data(user) -> bool:
    return is_regulator(user) and user.has_perm("cases.view_complainant_personal_data")


def can_register_for_callers(user) -> bool:
    """Staff intake (代录): intake clerks and hotline operators, inspectors, officials and
    administrators register a complaint received by phone, at the counter, by letter ...
    Registering shows nothing of other cases; an earlier case is linked only by ``can_view``."""
    return has_role(user, Role.INTAKE_CLERK, *REGULATOR_STAFF)


def can_look_up_callers(user) -> bool:
    """Find a caller's earlier complaints by phone: the personal-data permission; the cases
    found are still only those of ``visible_complaints``."""
    return can_see_personal_data(user)


def can_work(user, complaint: Complaint) -> bool:
    """Regulator staff within their scope: triage, review, resolve, notes, requests, merges."""
    return is_regulator(user) and can_view(user, complaint)


def can_dispatch(user, complaint: Complaint) -> bool:
    """Dispatch and re-dispatch (分派) are the officials' (or an administrator's)."""
    return is_official(user) and can_view(user, complaint)


def can_sign_off(user, complaint: Complaint) -> bool:
    """The second level of two-level handling (两级审核): an official of the case's district
    (or an administrator, or a city-wide official) signs off a proposed resolution."""
    return is_official(user) and can_view(user, complaint)


def can_answer_consultation(user, complaint: Complaint) -> bool:
    """Answering a consultation at once (即问即答): an official within their scope, or the
    intake clerk who registered it (a clerk sees no other case, so no other one to answer)."""
    if is_official(user):
        return can_view(user, complaint)
    return (
        user.is_authenticated
        and has_role(user, Role.INTAKE_CLERK)
        and complaint.registered_by_id == user.pk
    )


def can_retriage(user, complaint: Complaint) -> bool:
    """Re-triage (category, tier, estate): an official of the case's district (or an
    administrator), or the inspector the case is assigned to."""
    if not can_view(user, complaint):
        return False
    if is_official(user):
        return True
    return is_inspector(user) and complaint.assigned_inspector_id == user.pk


def can_transfer(user, complaint: Complaint) -> bool:
    """Transfer (转办) and recording the agency's outcome: an official's act, as dispatch is."""
    return can_dispatch(user, complaint)


def company_of(user) -> int | None:
    """The company a company-staff user acts for, else None."""
    if Role.COMPANY_STAFF not in roles_of(user):
        return None
    profile = _profile(user)
    return profile.company_id if profile else None


def can_answer_as_company(user, complaint: Complaint) -> bool:
    company_id = company_of(user)
    return company_id is not None and complaint.dispatched_company_id == company_id


def can_sign(user, dispatch: Dispatch) -> bool:
    """The receiving unit signs for (签收) or returns (退单) its own dispatch."""
    if dispatch.inspector_id is not None:
        return user.is_authenticated and dispatch.inspector_id == user.pk
    company_id = company_of(user)
    return company_id is not None and dispatch.company_id == company_id


def can_request_extension(user, complaint: Complaint) -> bool:
    return can_work(user, complaint) or can_answer_as_company(user, complaint)


def can_decide_extension(user, complaint: Complaint) -> bool:
    return is_official(user) and can_view(user, complaint)


def can_transition(user, complaint: Complaint, target: str) -> bool:
    """Regulator staff act within their scope; a company only through signing (which starts
    work); the citizen (anonymous, holding the access code checked by the tracking view) only
    answers the satisfaction follow-up."""
    roles = roles_of(user)
    if not roles:
        return complaint.status == CaseStatus.RESOLVED and target in {
            CaseStatus.FOLLOWED_UP,
            CaseStatus.REOPENED,
        }
    if roles & REGULATOR_STAFF:
        return can_view(user, complaint)
    if Role.COMPANY_STAFF in roles:
        return target == CaseStatus.IN_PROGRESS and can_answer_as_company(user, complaint)
    return False


# Supervision: inspections, draws, rectification orders, penalties -----------------------------
#
# The same scope decides: the city for administrators and department heads, a district for its
# officials and inspectors, a company's own records for its staff, an estate's for its owners'
# committee. Penalties reach the company once the prior notice is served (under the simple
# procedure, the decision), the committee once the decision is served: a proposal and its
# approval are the regulator's deliberation.


def _supervision_q(user, *, estate_field: str = "estate_id") -> Q | None:
    """The records ``user`` may see as a filter; None means none at all."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    if scope.district_ids:
        return Q(district_id__in=scope.district_ids)
    if scope.company_ids:
        return Q(company_id__in=scope.company_ids)
    if scope.estate_ids:
        return Q(**{f"{estate_field}__in": scope.estate_ids})
    return None


def visible_inspections(user) -> QuerySet:
    from cases.models import Inspection

    q = _supervision_q(user)
    return Inspection.objects.none() if q is None else Inspection.objects.filter(q)


def visible_orders(user) -> QuerySet:
    from cases.models import RectificationOrder

    q = _supervision_q(user)
    return RectificationOrder.objects.none() if q is None else RectificationOrder.objects.filter(q)


def visible_penalties(user) -> QuerySet:
    from cases.models import Penalty, PenaltyStatus

    q = _supervision_q(user)
    if q is None:
        return Penalty.objects.none()
    penalties = Penalty.objects.filter(q)
    if is_regulator(user):
        return penalties
    served = [PenaltyStatus.SERVED, PenaltyStatus.EXECUTED, PenaltyStatus.PUBLISHED]
    if company_of(user) is None:
        return penalties.filter(status__in=[*served, PenaltyStatus.WITHDRAWN])
    # The company is a party from the prior notice on (it states its case, asks for a hearing).
    return penalties.exclude(
        status__in=[PenaltyStatus.PROPOSED, PenaltyStatus.APPROVED, PenaltyStatus.REJECTED]
    )


def visible_draws(user) -> QuerySet:
    """Draws are the regulator's until published (then the public site shows them)."""
    from cases.models import RandomDraw

    if not is_regulator(user):
        return RandomDraw.objects.none()
    scope = scope_for(user)
    if scope.everything:
        return RandomDraw.objects.all()
    return RandomDraw.objects.filter(district_id__in=scope.district_ids)


def covers_district(user, district_id: int | None) -> bool:
    """Regulator staff whose scope includes this district (the city's staff cover all)."""
    if not is_regulator(user):
        return False
    scope = scope_for(user)
    return scope.everything or (district_id is not None and district_id in scope.district_ids)


def can_plan_inspection(user, district_id: int | None) -> bool:
    return covers_district(user, district_id)


def can_work_inspection(user, inspection) -> bool:
    """The assigned inspectors carry it out; an official of the district may too."""
    if not covers_district(user, inspection.district_id):
        return False
    return is_official(user) or inspection.inspectors.filter(pk=user.pk).exists()


def can_draw(user, district_id: int | None) -> bool:
    """A random draw is an official's act (a city-wide draw needs a city-wide official)."""
    return is_official(user) and covers_district(user, district_id)


def can_issue_order(user, inspection) -> bool:
    return can_work_inspection(user, inspection)


def can_answer_order(user, order) -> bool:
    """The company acknowledges its order and submits the rectification with evidence."""
    company_id = company_of(user)
    return company_id is not None and order.company_id == company_id


def can_decide_order(user, order) -> bool:
    """Verification or failure: regulator staff of the order's district."""
    return covers_district(user, order.district_id)


def can_propose_penalty(user, district_id: int | None) -> bool:
    return covers_district(user, district_id)


def can_approve_penalty(user, penalty) -> bool:
    """An official of the district, never the one who proposed it (four eyes)."""
    return (
        is_official(user)
        and covers_district(user, penalty.district_id)
        and penalty.proposed_by_id != user.pk
    )


def can_answer_penalty(user, penalty) -> bool:
    """The company's staff state its case and ask for a hearing (a party's rights)."""
    company_id = company_of(user)
    return company_id is not None and penalty.company_id == company_id


def can_handle_penalty(user, penalty) -> bool:
    """Serving, recording execution and publishing: officials of the district."""
    return is_official(user) and covers_district(user, penalty.district_id)


def visible_checklists(user) -> QuerySet:
    """Checklists are the regulator's working documents."""
    from cases.models import ChecklistTemplate

    return (
        ChecklistTemplate.objects.all() if is_regulator(user) else ChecklistTemplate.objects.none()
    )


def visible_campaigns(user) -> QuerySet:
    """City-wide campaigns and those of the user's district, for regulator staff."""
    from cases.models import Campaign

    if not is_regulator(user):
        return Campaign.objects.none()
    scope = scope_for(user)
    if scope.everything:
        return Campaign.objects.all()
    return Campaign.objects.filter(Q(district__isnull=True) | Q(district_id__in=scope.district_ids))


# Return arbitration (退单审定) and reply templates -------------------------------------------


def can_rule_on_return(user, complaint: Complaint) -> bool:
    """An official (or an administrator) who sees the case rules on a unit's return."""
    return is_official(user) and can_view(user, complaint)


def can_edit_reply_templates(user) -> bool:
    """Officials and administrators keep the standard replies (city-wide, no side)."""
    return is_official(user)


# Self-inspection (企业自查): patrol plans, patrols, internal rectification tasks ----------------
#
# The company's staff (holding the company's grant, ``act_for_company``) plan and run their
# own; the regulator of the estate's district reads them; the estate's owners' committee reads
# its estate's; anyone else, another company included, sees nothing. Only the company writes.


def _self_inspection_q(user) -> Q | None:
    """The self-inspection records ``user`` may read as a filter; None means none."""
    if not user.is_authenticated:
        return None
    regulator = regulator_district_q(user, "district")
    if regulator is not None:
        return regulator
    roles = roles_of(user)
    if Role.COMPANY_STAFF in roles:
        return Q(company__in=companies_acted_for(user).values("pk"))
    if Role.OWNERS_COMMITTEE in roles:
        return Q(estate__in=committee_estates(user).values("pk"))
    return None


def _self_inspection_records(model, user) -> QuerySet:
    q = _self_inspection_q(user)
    return model.objects.none() if q is None else model.objects.filter(q)


def visible_patrol_plans(user) -> QuerySet:
    from cases.models import PatrolPlan

    return _self_inspection_records(PatrolPlan, user)


def visible_patrols(user) -> QuerySet:
    from cases.models import Patrol

    return _self_inspection_records(Patrol, user)


def visible_quality_tasks(user) -> QuerySet:
    from cases.models import QualityTask

    return _self_inspection_records(QualityTask, user)


def runs_self_inspection(user, company) -> bool:
    """The company's own staff plan patrols, run them and work their tasks."""
    return user.is_authenticated and can_act_for_company(user, company)


def can_work_patrol(user, patrol) -> bool:
    return runs_self_inspection(user, patrol.company)


def can_work_quality_task(user, task) -> bool:
    return runs_self_inspection(user, task.company)


def can_recheck_quality_task(user, task) -> bool:
    """The company's staff, never the person who rectified it (four eyes on the fix)."""
    return can_work_quality_task(user, task) and task.rectified_by_id != user.pk


def self_inspection_estates(user) -> QuerySet:
    """The estates whose self-inspection figures ``user`` may read (the gap panels)."""
    from enterprises.models import Estate

    if not user.is_authenticated:
        return Estate.objects.none()
    regulator = regulator_district_q(user, "district")
    if regulator is not None:
        return Estate.objects.filter(regulator)
    roles = roles_of(user)
    if Role.COMPANY_STAFF in roles:
        return Estate.objects.filter(managing_company__in=companies_acted_for(user).values("pk"))
    if Role.OWNERS_COMMITTEE in roles:
        return Estate.objects.filter(pk__in=committee_estates(user).values("pk"))
    return Estate.objects.none()


def opens_self_inspection(user) -> bool:
    """Whether the self-inspection screens open at all (their menu): regulator staff, company
    staff and committee members with a place. Read from the role and the profile the request
    has loaded already, so the menu costs no query; every row still comes from the scopes
    above (the company's grant, the committee's estate)."""
    if is_regulator(user):
        return True
    profile = _profile(user)
    if profile is None:
        return False
    roles = roles_of(user)
    return (Role.COMPANY_STAFF in roles and profile.company_id is not None) or (
        Role.OWNERS_COMMITTEE in roles and profile.estate_id is not None
    )
