"""Who may see and act on which complaint: the one place that decides, for every list,
detail, search, export and API path. ``ComplaintScope`` is turned into an ORM filter here and
into an Elasticsearch filter in ``search.queries``, so both answer the same."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from cases.models import CaseStatus, Complaint
from portal.roles import REGULATOR_STAFF, Role, roles_of

S = CaseStatus
# A company sees a case only once it has been dispatched to it.
DISPATCHED_STATUSES = frozenset(
    {S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.FOLLOWED_UP, S.CLOSED, S.REOPENED}
)


@dataclass(frozen=True)
class ComplaintScope:
    everything: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    company_ids: frozenset[int] = field(default_factory=frozenset)
    estate_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.district_ids or self.company_ids or self.estate_ids)

    def as_q(self) -> Q:
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if self.district_ids:
            q |= Q(district_id__in=self.district_ids)
        if self.company_ids:
            q |= Q(company_id__in=self.company_ids, status__in=DISPATCHED_STATUSES)
        if self.estate_ids:
            q |= Q(estate_id__in=self.estate_ids)
        return q


def scope_for(user) -> ComplaintScope:
    roles = roles_of(user)
    if not roles:
        return ComplaintScope()
    profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
    if Role.ADMINISTRATOR in roles:
        return ComplaintScope(everything=True)
    if roles & {Role.OFFICIAL, Role.INSPECTOR}:
        # A department head has no district and oversees the whole city.
        if profile is None or profile.district_id is None:
            return ComplaintScope(everything=Role.OFFICIAL in roles)
        return ComplaintScope(district_ids=frozenset({profile.district_id}))
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
    return visible_complaints(user).filter(pk=complaint.pk).exists()


def can_search(user) -> bool:
    return user.is_authenticated and user.has_perm("cases.search_complaints")


def can_see_personal_data(user) -> bool:
    return bool(roles_of(user) & REGULATOR_STAFF) and user.has_perm(
        "cases.view_complainant_personal_data"
    )


def can_transition(user, complaint: Complaint, target: str) -> bool:
    """Staff act within their scope; the citizen (anonymous, holding the access code checked
    by the tracking view) may only answer the satisfaction follow-up."""
    roles = roles_of(user)
    if not roles:
        return complaint.status == S.RESOLVED and target in {S.FOLLOWED_UP, S.REOPENED}
    if roles & REGULATOR_STAFF:
        return can_view(user, complaint)
    if Role.COMPANY_STAFF in roles:
        return target == S.IN_PROGRESS and can_view(user, complaint)
    return False
