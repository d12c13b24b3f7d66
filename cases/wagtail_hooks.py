from django.utils.translation import gettext_lazy as _
from wagtail import hooks

CASE_ACTIONS = {
    "cases.complaint.submitted": _("Complaint submitted"),
    "cases.complaint.accepted": _("Accepted"),
    "cases.complaint.rejected": _("Not accepted"),
    "cases.complaint.assigned": _("Dispatched"),
    "cases.complaint.started": _("Work started"),
    "cases.complaint.resolved": _("Resolved"),
    "cases.complaint.followed_up": _("Satisfaction recorded"),
    "cases.complaint.closed": _("Closed"),
    "cases.complaint.reopened": _("Reopened"),
}


@hooks.register("register_log_actions")
def register_case_actions(actions):
    for code, label in CASE_ACTIONS.items():
        actions.register_action(code, label, label)
