"""Duplicates (重复件): a complaint about the same problem is merged into a primary case.

The duplicate becomes "merged" and stops being worked: its active dispatches are withdrawn and
its company no longer sees it. Its complainant follows the primary's public timeline from the
merge on (``public_timeline``) and is told of the primary's resolution and asked to rate it
(``cases.citizen_messages``). The figures count a merged complaint once, through its primary
(``cases.metrics``).
"""

from django.db import transaction
from django.db.models import Q, Subquery
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import CaseEvent, CaseStatus, Complaint, Dispatch, DispatchStatus, Satisfaction
from cases.signals import complaints_changed
from cases.workflow import (
    MAX_REOPENS_BY_FOLLOW_UP,
    TransitionNotAllowed,
    lock,
    log_event,
    tell_officials,
    transition,
)

MERGED = "cases.complaint.merged"
DUPLICATE_MERGED = "cases.complaint.duplicate_merged"

# A duplicate still being handled (open) can be merged; one with an outcome of its own
# cannot. A primary that was merged, rejected or transferred to another agency takes no
# duplicates (a duplicate of a transferred case is transferred itself).
PRIMARY_REFUSED_STATES = {CaseStatus.MERGED, CaseStatus.REJECTED, CaseStatus.TRANSFERRED}

# What the primary's complainant was asked, answered or rated is theirs, not the followers'.
PRIMARY_ACTIONS_NOT_FOLLOWED = {
    "cases.complaint.info_requested",
    "cases.complaint.info_provided",
    "cases.complaint.followed_up",
}
PRIMARY_DATA_NOT_FOLLOWED = ("comment", "question", "answer")


def _refusal(duplicate: Complaint, primary: Complaint) -> str | None:
    values = {
        "duplicate": duplicate.tracking_number,
        "primary": primary.tracking_number,
        "status": duplicate.get_status_display(),
        "primary_status": primary.get_status_display(),
    }
    if duplicate.status not in CaseStatus.OPEN_STATES:
        return (
            _("Case %(duplicate)s is “%(status)s”: only a case still being handled can be merged.")
            % values
        )
    if primary.merged_into_id is not None or primary.status in PRIMARY_REFUSED_STATES:
        return (
            _(
                "Case %(primary)s is “%(primary_status)s”: merge into a case that is being "
                "handled (its own primary case, if it was merged)."
            )
            % values
        )
    if duplicate.merged_complaints.exists():
        return (
            _(
                "Other complaints were merged into case %(duplicate)s: merge %(primary)s into "
                "it instead, so that they all follow one case."
            )
            % values
        )
    return None


def merge_complaint(duplicate: Complaint, *, into: Complaint, actor, note: str = "") -> Complaint:
    """Merge ``duplicate`` into the primary case ``into`` (public event on the duplicate,
    internal event on the primary). Merging again into the same primary returns quietly."""
    if duplicate.pk == into.pk:
        raise TransitionNotAllowed(_("A case cannot be merged into itself."))
    with transaction.atomic():
        # Both rows locked in primary-key order: two merges of the same pair in opposite
        # directions wait for each other instead of deadlocking.
        rows = {
            c.pk: c
            for c in Complaint.objects.select_for_update()
            .filter(pk__in=[duplicate.pk, into.pk])
            .order_by("pk")
        }
        locked, primary = rows[duplicate.pk], rows[into.pk]
        if locked.status == CaseStatus.MERGED and locked.merged_into_id == primary.pk:
            return locked
        if not (permissions.can_work(actor, locked) and permissions.can_work(actor, primary)):
            raise TransitionNotAllowed(
                _("Only regulator staff working on both cases may merge them.")
            )
        refusal = _refusal(locked, primary)
        if refusal:
            raise TransitionNotAllowed(refusal)
        Dispatch.objects.filter(
            complaint=locked,
            status__in=[DispatchStatus.AWAITING_SIGNATURE, DispatchStatus.SIGNED],
        ).update(status=DispatchStatus.WITHDRAWN)
        merged, _event = transition(
            locked,
            actor=actor,
            to=CaseStatus.MERGED,
            action=MERGED,
            public=True,
            data={"into": primary.tracking_number},
            permitted=True,
            merged_into=primary,
            dispatched_company=None,  # the company no longer sees a case it does not work
        )
        log_event(
            primary,
            DUPLICATE_MERGED,
            actor=actor,
            public=False,
            data={"duplicate": locked.tracking_number, "note": note},
        )
        complaints_changed([merged.pk, primary.pk])
    duplicate.refresh_from_db()
    return merged


# The primary's outcome a merged complainant may rate.


def can_rate_merged(complaint: Complaint) -> bool:
    """A merged complainant rates once, after the primary case was resolved."""
    primary = complaint.merged_into
    return (
        complaint.status == CaseStatus.MERGED
        and primary is not None
        and primary.status in CaseStatus.RESOLVED_STATES
        and not complaint.satisfaction
    )


def record_merged_follow_up(
    complaint: Complaint, *, satisfaction: str, comment: str = "", actor=None
) -> Complaint:
    """The follow-up (回访) of a merged complainant: recorded on their own complaint (which the
    figures leave out, see cases.metrics). Unsatisfied reopens the primary case once, like its
    own complainant's rating would; after that it is flagged to the district's officials."""
    if satisfaction not in Satisfaction.values:
        raise TransitionNotAllowed(_("Choose satisfied, basically satisfied or unsatisfied."))
    data = {"satisfaction": satisfaction, "comment": comment}
    with transaction.atomic():
        locked = lock(complaint)
        if locked.status != CaseStatus.MERGED or locked.merged_into_id is None:
            raise TransitionNotAllowed(
                _("Only a complaint merged into another case is rated here.")
            )
        if locked.satisfaction:
            if locked.satisfaction == satisfaction:
                return locked  # the same rating sent twice
            raise TransitionNotAllowed(_("This complaint has already been rated."))
        primary = lock(locked.merged_into)
        if primary.status not in CaseStatus.RESOLVED_STATES:
            raise TransitionNotAllowed(
                _("Case %(number)s has not been resolved yet: rate it once it is.")
                % {"number": primary.tracking_number}
            )
        locked.satisfaction = satisfaction
        locked.save(update_fields=["satisfaction", "updated_at"])
        log_event(locked, "cases.complaint.followed_up", actor=actor, public=True, data=data)
        if satisfaction == Satisfaction.UNSATISFIED:
            _primary_unsatisfied(primary, locked, actor=actor, comment=comment)
        complaints_changed([locked.pk])
    complaint.refresh_from_db()
    return locked


def _primary_unsatisfied(primary: Complaint, follower: Complaint, *, actor, comment: str) -> None:
    data = {"merged_complaint": follower.tracking_number, "comment": comment}
    if primary.reopen_count < MAX_REOPENS_BY_FOLLOW_UP:
        reopened, event = transition(
            primary,
            actor=actor,
            to=CaseStatus.REOPENED,
            action="cases.complaint.reopened",
            public=True,
            data={"reason": _("A complainant who follows this case is unsatisfied.")},
            permitted=True,
            reopen_count=primary.reopen_count + 1,
        )
        log_event(
            reopened, "cases.complaint.unsatisfied_again", actor=actor, public=False, data=data
        )
        if event is not None:
            tell_officials(reopened, event, "reopened")
        return
    flag = log_event(
        primary, "cases.complaint.unsatisfied_again", actor=actor, public=False, data=data
    )
    tell_officials(primary, flag, "unsatisfied_again")


def public_timeline(complaint: Complaint) -> list[CaseEvent]:
    """What the complainant sees (one query): the complaint's public events and, once it was
    merged, the primary's public events from the merge on, in time order.

    Of the primary's events, the ones about its own complainant (questions to them, their
    answers and rating) are left out, and so are comments in the others.
    """
    own = Q(complaint_id=complaint.pk)
    if complaint.merged_into_id is None:
        return list(CaseEvent.objects.filter(own, is_public=True).order_by("timestamp", "id"))
    merged_at = (
        CaseEvent.objects.filter(complaint_id=complaint.pk, action=MERGED)
        .order_by("-timestamp")
        .values("timestamp")[:1]
    )
    followed = Q(complaint_id=complaint.merged_into_id, timestamp__gte=Subquery(merged_at)) & ~Q(
        action__in=PRIMARY_ACTIONS_NOT_FOLLOWED
    )
    events = list(
        CaseEvent.objects.filter(own | followed, is_public=True).order_by("timestamp", "id")
    )
    for event in events:
        if event.complaint_id != complaint.pk and isinstance(event.data, dict):
            # In memory only (events are immutable): the follower never sees these.
            event.data = {
                key: value
                for key, value in event.data.items()
                if key not in PRIMARY_DATA_NOT_FOLLOWED
            }
    return events
