"""The work a person holds, shown on their People page (``enterprises.admin.people``).

``enterprises`` stands below ``cases`` and cannot ask for cases itself; its person page
collects panels from the ``person_page_panels`` hook, and this module answers for cases:
the open cases assigned to the person and the inspections they are on, so that an
official moving an inspector to another district sees what to hand over first.
"""

from wagtail.admin.ui.components import Component

from cases import permissions
from cases.models import CaseStatus, InspectionStatus

OPEN_INSPECTIONS = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


class HeldWorkPanel(Component):
    template_name = "cases/admin/person_work.html"

    def __init__(self, cases, inspections):
        self.cases = cases
        self.inspections = inspections

    def get_context_data(self, parent_context=None) -> dict:
        return {"cases": self.cases, "inspections": self.inspections}


def held_work_panel(request, person) -> HeldWorkPanel | None:
    """The person's open cases and inspections the viewer may see; nothing for nobody."""
    cases = list(
        permissions.visible_complaints(request.user)
        .filter(assigned_inspector=person, status__in=CaseStatus.OPEN_STATES)
        .order_by("pk")[:200]
    )
    inspections = list(
        permissions.visible_inspections(request.user)
        .filter(inspectors=person, status__in=OPEN_INSPECTIONS)
        .select_related("estate")
        .order_by("planned_on")[:200]
    )
    if not cases and not inspections:
        return None
    return HeldWorkPanel(cases, inspections)
