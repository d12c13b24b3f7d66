"""The audit action codes of the cases app and their labels, registered with Wagtail's log
registry (``cases.wagtail_hooks``) so every history view names them.

``TIMELINE_ACTIONS`` are a complaint's timeline events (``CaseEvent``, written by
``cases.workflow``); ``SUPERVISION_ACTIONS`` are the regulator's records (inspections, draws,
orders, penalties), written through ``foundation.audit.record`` inside each transition's
transaction.
"""

from django.utils.translation import gettext_lazy as _

TIMELINE_ACTIONS = {
    "cases.complaint.submitted": _("Complaint submitted"),
    "cases.complaint.registered": _("Registered for the caller by staff"),
    "cases.complaint.access_code_reissued": _("New access code sent to the complainant's phone"),
    "cases.complaint.accepted": _("Accepted"),
    "cases.complaint.rejected": _("Not accepted"),
    "cases.complaint.assigned": _("Dispatched"),
    "cases.complaint.started": _("Work started"),
    "cases.complaint.resolved": _("Resolved"),
    "cases.complaint.followed_up": _("Satisfaction recorded"),
    "cases.complaint.closed": _("Closed"),
    "cases.complaint.anonymised": _("Personal data removed (retention period ended)"),
    "cases.complaint.reopened": _("Reopened"),
    "cases.complaint.merged": _("Merged into another case"),
    "cases.complaint.duplicate_merged": _("A duplicate was merged into this case"),
    "cases.dispatch.signed": _("Signed for"),
    "cases.dispatch.returned": _("Returned by the receiving unit"),
    "cases.dispatch.sign_late": _("Not signed for in time"),
    "cases.complaint.answered": _("Company answered"),
    "cases.answer.accepted": _("Company answer accepted"),
    "cases.answer.sent_back": _("Company answer sent back"),
    "cases.complaint.unsatisfied_again": _("Unsatisfied again after reopening"),
    "cases.complaint.info_requested": _("More information requested"),
    "cases.complaint.info_provided": _("Information provided"),
    "cases.extension.requested": _("Extension requested"),
    "cases.extension.refused": _("Extension refused"),
    "cases.complaint.extended": _("Time limit extended"),
    "cases.complaint.sla_warning": _("Due soon"),
    "cases.complaint.overdue": _("Overdue"),
    "cases.complaint.escalated": _("Escalated for supervision"),
    "cases.complaint.note_added": _("Internal note"),
    "cases.complaint.handed_over": _("Handed over to another inspector"),
    "cases.dispatch.return_upheld": _("Return upheld by the official"),
    "cases.dispatch.return_overruled": _("Return overruled: the unit must handle the case"),
    "cases.dispatch.ruling_late": _("Return not ruled on in time"),
    "cases.dispatch.return_lapsed": _("Return lapsed: the case ended before a ruling"),
    "cases.complaint.contacted": _("Complainant contacted"),
    "cases.complaint.first_response_warning": _("First response due soon"),
    "cases.complaint.first_response_overdue": _("First response overdue"),
    "cases.complaint.sign_off_requested": _("Resolution proposed for sign-off"),
    "cases.complaint.sign_off_sent_back": _("Resolution sent back by the official"),
    "cases.complaint.retriaged": _("Re-triaged"),
    "cases.complaint.due_changed": _("Time limit changed"),
    "cases.complaint.transferred": _("Transferred to another agency"),
    "cases.transfer.outcome_recorded": _("Outcome reported by the agency"),
}

SUPERVISION_ACTIONS = {
    "cases.inspection.planned": _("Inspection planned"),
    "cases.inspection.started": _("Inspection started"),
    "cases.inspection.scored": _("Checklist item scored"),
    "cases.inspection.photo_added": _("Inspection photo added"),
    "cases.inspection.completed": _("Inspection completed"),
    "cases.inspection.cancelled": _("Inspection cancelled"),
    "cases.inspection.handed_over": _("Inspector handed over"),
    "cases.checklist.versioned": _("Checklist version created"),
    "cases.draw.drawn": _("Random draw made"),
    "cases.draw.published": _("Random draw published"),
    "cases.order.issued": _("Rectification order issued"),
    "cases.order.acknowledged": _("Rectification order acknowledged"),
    "cases.order.submitted": _("Rectification submitted"),
    "cases.order.verified": _("Rectification verified"),
    "cases.order.failed": _("Rectification failed"),
    "cases.order.overdue": _("Rectification order overdue"),
    "cases.penalty.proposed": _("Penalty proposed"),
    "cases.penalty.approved": _("Penalty approved"),
    "cases.penalty.rejected": _("Penalty not approved"),
    "cases.penalty.served": _("Penalty served"),
    "cases.penalty.executed": _("Penalty executed"),
    "cases.penalty.published": _("Penalty published"),
    "cases.penalty.notified": _("Prior notice served"),
    "cases.penalty.statement_recorded": _("Statement and defence recorded"),
    "cases.penalty.revised": _("Intended penalty revised"),
    "cases.penalty.hearing_requested": _("Hearing requested"),
    "cases.penalty.hearing_scheduled": _("Hearing scheduled and notified"),
    "cases.penalty.heard": _("Hearing held and recorded"),
    "cases.penalty.limit_extended": _("Time limit to decide extended"),
    "cases.penalty.limit_warning": _("Time limit to decide ends soon"),
    "cases.penalty.limit_overdue": _("Time limit to decide passed"),
    "cases.penalty.publicity_ended": _("Publicity period ended: removed from the public site"),
    "cases.penalty.withdrawn": _("Decision withdrawn after review"),
}

# The company's own quality loop (cases.self_inspection).
SELF_INSPECTION_ACTIONS = {
    "cases.patrol_plan.made": _("Patrol plan made"),
    "cases.patrol.planned": _("Patrol planned"),
    "cases.patrol.started": _("Patrol started"),
    "cases.patrol.scored": _("Patrol item scored"),
    "cases.patrol.photo_added": _("Patrol photo added"),
    "cases.patrol.completed": _("Patrol completed"),
    "cases.patrol_task.raised": _("Internal rectification task raised"),
    "cases.patrol_task.rectified": _("Internal rectification done"),
    "cases.patrol_task.closed": _("Re-checked and closed"),
    "cases.patrol_task.reopened": _("Re-checked and reopened"),
}

ACTIONS = {**TIMELINE_ACTIONS, **SUPERVISION_ACTIONS, **SELF_INSPECTION_ACTIONS}
