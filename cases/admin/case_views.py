"""The staff case page (办件详情): everything about one case and the actions the user may take.

Regulator staff see every event and, with the permission, the complainant's personal data
(each such view written to the audit log);
company staff and owners' committee members see only public events and never the
complainant's identity (masked, and scrubbed out of free text). Every row the page shows is
loaded once per kind, so the query count does not grow with the case's history. Higher apps
add panels of their own (search: similar complaints) through the ``CASE_PAGE_PANELS`` hook.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cases import callers, masking, permissions, reply_templates, sla
from cases.admin import downloads
from cases.admin.case_actions import (
    ACTION_BUTTONS,
    TARGET_ACTIONS,
    Action,
    action_urlpatterns,
    get_case,
)
from cases.log_actions import TIMELINE_ACTIONS
from cases.merging import DUPLICATE_MERGED
from cases.models import (
    AnswerStatus,
    AttachmentKind,
    CaseStatus,
    Category,
    Channel,
    Complaint,
    DispatchStatus,
    ExtensionStatus,
    ReturnReason,
    RulingStatus,
    Satisfaction,
    Tier,
    Transfer,
)
from foundation.audit import record_personal_data_view
from foundation.names import display_name

# Apps above cases add panels below the case's facts without cases importing them: a function
# registered under this name is called as ``fn(request, complaint, panels)``, decides who may
# see its panel and appends a Wagtail ``Component`` (as ``construct_homepage_panels`` does).
CASE_PAGE_PANELS = "construct_case_page_panels"

SLA_WORDS = {
    "green": _("On time"),
    "amber": _("Due soon: under a quarter of the time to resolve is left"),
    "red": _("Overdue"),
}

# What of an event's data the timeline shows, under which heading; other keys are ids.
DETAIL_LABELS = {
    "note": _("Note"),
    "text": _("Note"),
    "reason": _("Reason"),
    "reason_code": _("Reason for returning"),
    "reply": _("Public reply"),
    "question": _("Question"),
    "answer": _("Answer"),
    "comment": _("Comment"),
    "satisfaction": _("Satisfaction"),
    "tier": _("Severity tier"),
    "days": _("Extra working days"),
    "due": _("New due date"),
    "level": _("Escalation level"),
    "into": _("Primary case"),
    "duplicate": _("Duplicate case"),
    "handed_from": _("Previous inspector"),
    "handed_to": _("New inspector"),
    "channel": _("Channel"),
    "reference": _("Channel reference"),
    # Re-triage (cases.retriage): before and after; transfer (cases.transfers).
    "category_before": _("Category before"),
    "category_after": _("Category after"),
    "tier_before": _("Severity tier before"),
    "tier_after": _("Severity tier after"),
    "estate_before": _("Estate before"),
    "estate_after": _("Estate after"),
    "company_before": _("Company before"),
    "company_after": _("Company after"),
    "accept_due": _("New date to accept by"),
    "agency": _("Agency"),
    "contact": _("Agency contact"),
    "agency_reference": _("Agency's reference"),
    "outcome": _("Agency's outcome"),
}
# Keys whose value is a choice, shown by its label.
CHOICE_DETAILS = {
    "satisfaction": Satisfaction,
    "reason_code": ReturnReason,
    "channel": Channel,
    "category_before": Category,
    "category_after": Category,
    "tier_before": Tier,
    "tier_after": Tier,
}

COUNT_KEYS = frozenset({"days", "level"})


@dataclass
class TimelineEntry:
    timestamp: dt.datetime
    label: str
    public: bool
    actor: str
    details: list[tuple[str, str]] = field(default_factory=list)
    attachments: list = field(default_factory=list)
    action: str = ""


def _unchanged(text: str) -> str:
    return text


class CaseView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "cases/admin/case_detail.html"
    header_icon = "clipboard-list"

    def get(self, request, pk):
        self.complaint = get_case(request.user, pk)
        return super().get(request, pk=pk)

    def get_page_title(self) -> str:
        return gettext("Case %(number)s") % {"number": self.complaint.tracking_number}

    def get_breadcrumbs_items(self):
        workbench = {"url": reverse("cases_admin:workbench"), "label": gettext("Workbench")}
        return [*self.breadcrumbs_items, workbench, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = CasePage(
            self.complaint, self.request.user, template_id=self.request.GET.get("template")
        )
        context.update(page.context())
        context["case_panels"] = self.panels()
        if page.personal_data and self.complaint.anonymised_at is None:
            # Each showing of the unmasked complainant is on the record (个人信息查阅审计).
            record_personal_data_view(self.complaint, actor=self.request.user, request=self.request)
        return context

    def panels(self) -> list:
        panels = []
        for fn in hooks.get_hooks(CASE_PAGE_PANELS):
            fn(self.request, self.complaint, panels)
        return sorted(panels, key=lambda panel: getattr(panel, "order", 0))


class CasePage:
    """What one user sees of one case; each kind of row is loaded in one query."""

    def __init__(self, complaint: Complaint, user, template_id: str | None = None):
        self.complaint = complaint
        self.user = user
        # A reply template picked on the page (?template=<id>): its filled text pre-fills the
        # matching action's form, which the handler then edits.
        self.template_id = template_id
        self._templates: dict[str, list] | None = None
        self.regulator = permissions.is_regulator(user)
        self.personal_data = permissions.can_see_personal_data(user)
        self.company_id = permissions.company_of(user)
        # Citizens' free text may carry a phone number or a name: scrubbed for the others.
        self.shown = _unchanged if self.personal_data else masking.scrub_text
        self._allowed: dict = {}
        self.ruling_pending = False

    def context(self) -> dict:
        c = self.complaint
        now = timezone.now()
        state = sla.sla_state(c, now)
        dispatches = self.dispatches(now)
        # While a return awaits its ruling the case is not dispatched again (the service
        # refuses it): the page offers the ruling instead of a Dispatch button.
        self.ruling_pending = any(
            d.return_ruling is not None and d.return_ruling.status == RulingStatus.PENDING
            for d in dispatches
        )
        answers = self.answers()
        extensions = self.extensions()
        info_requests = list(c.info_requests.all())
        for request in info_requests:
            request.shown_question = self.shown(request.question)
            request.shown_answer = self.shown(request.answer)
        c.awaits_company_answer = self.awaits_company_answer(dispatches, answers)
        c.extension_pending = any(e.status == ExtensionStatus.REQUESTED for e in extensions)
        timeline = self.timeline()
        return {
            "complaint": c,
            "sla_state": state,
            "sla_words": SLA_WORDS[state],
            "complainant": masking.complainant_details(c, self.user),
            "description": self.shown(c.description),
            "estate_name": self.shown(c.estate_name),
            "public_reply": self.shown(c.public_reply),
            "photos": list(c.photos.all()),
            "dispatches": dispatches,
            "answers": answers,
            "extensions": extensions,
            "sign_offs": self.sign_offs() if self.regulator else [],
            "info_requests": info_requests,
            "timeline": timeline,
            "merged_complaints": self.merged_complaints(timeline),
            "is_regulator": self.regulator,
            # Shown only to those who may see personal data (cases.callers decides).
            "repeat_caller": self.personal_data and callers.is_repeat_caller(self.user, c),
            "repeat_threshold": callers.repeat_threshold(),
            "transfer": self.transfer(),
            "actions": [o for a in ACTION_BUTTONS if (o := self.offer(a))],
        }

    # Rows ------------------------------------------------------------------------------------

    def dispatches(self, now: dt.datetime) -> list:
        rows = list(self.complaint.dispatches.select_related("inspector", "company", "ruling"))
        for row in rows:
            row.return_ruling = getattr(row, "ruling", None)
            # The ruling's note speaks to the unit, like the instructions: the same readers.
            row.shown_ruling_note = (
                self.for_the_unit(row, row.return_ruling.note) if row.return_ruling else ""
            )
            awaiting = row.status == DispatchStatus.AWAITING_SIGNATURE
            row.late = bool(row.sign_overdue_at) or (awaiting and now > row.sign_due_at)
            row.actions = self.offers_for(row)
            row.shown_instructions = self.instructions_of(row)
        return rows

    def instructions_of(self, dispatch) -> str:
        """The official's instructions, for regulator staff and the receiving company only
        (an owners' committee member never; a company not another company's)."""
        return self.for_the_unit(dispatch, dispatch.instructions)

    def for_the_unit(self, dispatch, text: str) -> str:
        if self.regulator:
            return text
        if self.company_id and dispatch.company_id == self.company_id:
            return self.shown(text)
        return ""

    def awaits_company_answer(self, dispatches: list, answers: list) -> bool:
        """The company signed its current dispatch and has no answer to it under review or
        accepted (the rule of ``cases.answers.submit_answer``, from rows already loaded)."""
        c = self.complaint
        live = [
            d
            for d in dispatches
            if d.company_id is not None
            and d.company_id == c.dispatched_company_id
            and d.status in (DispatchStatus.AWAITING_SIGNATURE, DispatchStatus.SIGNED)
        ]
        current = max(live, key=lambda d: (d.dispatched_at, d.pk), default=None)
        if current is None or current.status != DispatchStatus.SIGNED:
            return False
        return not any(
            a.company_id == current.company_id
            and a.submitted_at >= current.dispatched_at
            and a.status in (AnswerStatus.SUBMITTED, AnswerStatus.ACCEPTED)
            for a in answers
        )

    def answers(self) -> list:
        answers = self.complaint.answers.select_related("company").prefetch_related("attachments")
        if not self.regulator:
            # A company reads its own answers only; others never see the companies' exchange.
            answers = answers.filter(company_id=self.company_id) if self.company_id else []
        rows = list(answers)
        for row in rows:
            row.evidence = [a for a in row.attachments.all() if a.kind == AttachmentKind.EVIDENCE]
            row.actions = self.offers_for(row)
        return rows

    def extensions(self) -> list:
        if not (self.regulator or self.company_id):
            return []
        rows = list(self.complaint.extensions.select_related("requested_by", "decided_by"))
        for row in rows:
            row.actions = self.offers_for(row)
        return rows

    def sign_offs(self) -> list:
        """Resolutions proposed for an official's sign-off (regulator staff only)."""
        rows = list(self.complaint.sign_offs.select_related("requested_by", "decided_by"))
        for row in rows:
            row.actions = self.offers_for(row)
        return rows

    def transfer(self) -> Transfer | None:
        """Where a transferred case went (one query, only for a transferred case)."""
        if self.complaint.status != CaseStatus.TRANSFERRED:
            return None
        transfer = Transfer.objects.select_related("agency").filter(complaint=self.complaint)
        transfer = transfer.first()
        if transfer is not None:
            transfer.shown_outcome = self.shown(transfer.outcome)
        return transfer

    def merged_complaints(self, timeline: list[TimelineEntry]) -> list[Complaint]:
        """Duplicates merged into this case (regulator staff only): each merge is on this
        case's own timeline, so a case without one asks nothing."""
        if not self.regulator or not any(e.action == DUPLICATE_MERGED for e in timeline):
            return []
        return list(self.complaint.merged_complaints.only("pk", "tracking_number"))

    def timeline(self) -> list[TimelineEntry]:
        events = self.complaint.events.select_related("user")
        if not self.regulator:
            events = events.filter(is_public=True)
        events = list(events)
        note_files = {}
        if self.regulator:
            note_files = {
                a.pk: a
                for a in self.complaint.attachments.all()
                if a.kind == AttachmentKind.INTERNAL
            }
        return [self.entry(event, note_files) for event in events]

    def entry(self, event, note_files: dict) -> TimelineEntry:
        data = event.data or {}
        details = []
        for key, heading in DETAIL_LABELS.items():
            value = data.get(key)
            # Only words and counts: an id under a known key (an answer's pk) means nothing here.
            wanted = int if key in COUNT_KEYS else str
            if isinstance(value, wanted) and value != "":
                details.append((str(heading), self.detail(key, value)))
        ids = data.get("attachments") or []
        return TimelineEntry(
            timestamp=event.timestamp,
            label=str(TIMELINE_ACTIONS.get(event.action, event.action)),
            public=event.is_public,
            # An event's user may be the signed-in complainant: named to regulator staff only.
            actor=self.actor(event) if self.personal_data else "",
            details=details,
            attachments=[note_files[i] for i in ids if i in note_files],
            action=event.action,
        )

    @staticmethod
    def actor(event) -> str:
        # A deleted user keeps Wagtail's placeholder; "system" when nobody acted.
        return display_name(event.user) if event.user is not None else event.user_display_name

    def detail(self, key: str, value) -> str:
        choices = CHOICE_DETAILS.get(key)
        if choices is not None and value in choices.values:
            return str(choices(value).label)
        if key in ("due", "accept_due") and (due := parse_datetime(str(value))):
            return timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
        return self.shown(str(value))

    # Actions ---------------------------------------------------------------------------------

    def allowed(self, action: Action) -> bool:
        # One answer per permission function: most of them ask the database.
        if action.allowed not in self._allowed:
            self._allowed[action.allowed] = action.allowed(self.user, self.complaint)
        return self._allowed[action.allowed]

    def offer(self, action: Action, target=None) -> dict | None:
        target_check = action.allowed_for_target if target is not None else None
        if not action.offered(self.complaint, target) or not self.allowed(action):
            return None
        if action.name == "dispatch" and self.ruling_pending:
            return None
        if target_check is not None and not target_check(self.user, target):
            return None
        offer = {
            "action": action,
            "form": action.form(self.complaint, self.user, target),
            "url": action.url(self.complaint, target),
        }
        if action.name in reply_templates.ACTION_FIELDS:
            self.offer_templates(action.name, offer)
        return offer

    def offer_templates(self, name: str, offer: dict) -> None:
        """The reply templates of this action, and the picked one's text in its form."""
        if self._templates is None:
            self._templates = {}
            for template in reply_templates.active_templates(self.complaint):
                self._templates.setdefault(template.action, []).append(template)
        kind, field_name = reply_templates.ACTION_FIELDS[name]
        offer["templates"] = self._templates.get(kind, [])
        picked = next((t for t in offer["templates"] if str(t.pk) == self.template_id), None)
        if picked is not None:
            text = reply_templates.render_template(picked, self.complaint, self.complaint.language)
            offer["form"].initial[field_name] = self.shown(text)
            offer["picked"] = picked.pk

    def offers_for(self, target) -> list[dict]:
        actions = [a for a in TARGET_ACTIONS if a.target_model is type(target)]
        return [o for a in actions if (o := self.offer(a, target))]


urlpatterns = [
    path("<int:pk>/", CaseView.as_view(), name="case"),
    path("<int:pk>/photos/<int:photo_id>/", downloads.photo, name="case_photo"),
    path("attachments/<int:attachment_id>/", downloads.attachment, name="attachment"),
    *action_urlpatterns(),
]
