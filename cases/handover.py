"""Handing over an inspector's work (工作交接) in one step.

When an inspector moves to another district, leaves or is deactivated, the official who
supervises their work gives every open case and inspection they hold to one colleague: the
cases' dispatches, object permissions and assignment move together, and each inspection keeps
two different inspectors. All or nothing in one transaction; each case's timeline (internal)
and each inspection's history name both people. The People page shows the work and the form
(``cases.admin.person_work``); ``enterprises`` stands below and only offers the hook.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import permissions
from cases.dispatch import ACTIVE, grant_case, withdraw_case
from cases.models import CaseStatus, Complaint, Dispatch, Inspection, InspectionStatus
from cases.signals import complaints_changed
from cases.workflow import log_event, tell_staff
from foundation import audit
from foundation.names import display_name
from foundation.roles import Role

OPEN_INSPECTIONS = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
CASE_ACTION = "cases.complaint.handed_over"
INSPECTION_ACTION = "cases.inspection.handed_over"


class HandoverRefused(Exception):
    """The handover cannot be done as asked; the message says why and names the record."""


def held_cases(person) -> QuerySet[Complaint]:
    return Complaint.objects.filter(assigned_inspector=person, status__in=CaseStatus.OPEN_STATES)


def held_inspections(person) -> QuerySet[Inspection]:
    return Inspection.objects.filter(inspectors=person, status__in=OPEN_INSPECTIONS)


def may_hand_over(actor, person) -> bool:
    """An official (or administrator) who supervises every open case and inspection the
    person holds, never their own; so the old district's official can still do it after
    the person was moved."""
    if not permissions.is_official(actor) or person.pk == actor.pk:
        return False
    cases = held_cases(person)
    inspections = held_inspections(person)
    if not cases.exists() and not inspections.exists():
        return False
    hidden_cases = cases.exclude(pk__in=permissions.visible_complaints(actor).values("pk"))
    hidden_inspections = inspections.exclude(
        pk__in=permissions.visible_inspections(actor).values("pk")
    )
    return not hidden_cases.exists() and not hidden_inspections.exists()


def successors(person) -> QuerySet:
    """Active inspectors (not the person) of the one district all the work lies in; nobody
    when it spans districts (hand it over case by case from the case pages then)."""
    districts = set(held_cases(person).values_list("district_id", flat=True))
    districts |= set(held_inspections(person).values_list("district_id", flat=True))
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.INSPECTOR.value)
    if len(districts) != 1 or None in districts:
        return users.none()
    return (
        users.filter(staff_profile__district_id=districts.pop())
        .exclude(pk=person.pk)
        .order_by("first_name", "username")
    )


def _name(user) -> str:
    return display_name(user)


def _check_successor(person, successor, cases, inspections) -> None:
    if successor.pk == person.pk or not successor.is_active:
        raise HandoverRefused(_("Choose another active inspector."))
    if not permissions.is_inspector(successor):
        raise HandoverRefused(_("%(user)s is not an inspector.") % {"user": _name(successor)})
    for case in cases:
        if not permissions.covers_district(successor, case.district_id):
            raise HandoverRefused(
                _("%(user)s does not work in the district of case %(number)s.")
                % {"user": _name(successor), "number": case.tracking_number}
            )
    for inspection in inspections:
        if not permissions.covers_district(successor, inspection.district_id):
            raise HandoverRefused(
                _("%(user)s does not work in the district of the inspection of “%(estate)s”.")
                % {"user": _name(successor), "estate": inspection.estate}
            )
        if inspection.inspectors.filter(pk=successor.pk).exists():
            raise HandoverRefused(
                _(
                    "%(user)s is already on the inspection of “%(estate)s” on %(date)s: an "
                    "inspection needs two different inspectors. Choose someone else."
                )
                % {
                    "user": _name(successor),
                    "estate": inspection.estate,
                    "date": inspection.planned_on,
                }
            )


def hand_over_work(person, successor, *, actor) -> tuple[int, int]:
    """Give all of ``person``'s open cases and inspections to ``successor``; returns how many
    of each. Refuses (``HandoverRefused``) without changing anything."""
    if not may_hand_over(actor, person):
        raise PermissionDenied
    with transaction.atomic():
        cases = list(held_cases(person).select_for_update().order_by("pk"))
        inspections = list(
            held_inspections(person).select_related("estate").select_for_update(of=("self",))
        )
        _check_successor(person, successor, cases, inspections)
        names = {"handed_from": _name(person), "handed_to": _name(successor)}
        for case in cases:
            Dispatch.objects.filter(complaint=case, inspector=person, status__in=ACTIVE).update(
                inspector=successor
            )
            case.assigned_inspector = successor
            case.save(update_fields=["assigned_inspector"])
            withdraw_case(person, case)
            grant_case(successor, case)
            log_event(case, CASE_ACTION, actor=actor, public=False, data=names)
        complaints_changed(case.pk for case in cases)
        for inspection in inspections:
            inspection.inspectors.remove(person)
            inspection.inspectors.add(successor)
            audit.record(
                inspection,
                INSPECTION_ACTION,
                actor=actor,
                from_inspector=person.pk,
                to_inspector=successor.pk,
            )
        _tell_successor(successor, person, cases, inspections)
    return len(cases), len(inspections)


def _tell_successor(successor, person, cases, inspections) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _handover_message(person, cases, inspections)
    tell_staff(
        [successor],
        key=f"handover:{person.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
        subject=subject,
        body=body,
    )


def _handover_message(person, cases, inspections) -> tuple[str, str]:
    values = {
        "from": _name(person),
        "cases": len(cases),
        "inspections": len(inspections),
        "numbers": ", ".join(case.tracking_number for case in cases) or "-",
    }
    subject = _("Work handed over to you by %(from)s") % values
    body = (
        _(
            "You now hold %(cases)d open case(s) and %(inspections)d open inspection(s) "
            "of %(from)s. Cases: %(numbers)s"
        )
        % values
    )
    return subject, body
