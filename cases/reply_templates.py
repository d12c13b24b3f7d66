"""Reply templates filled for one case (常用回复): the texts the case page offers in each
action form. The handler edits the filled text before sending; nothing is sent from here.
"""

from django.utils import timezone, translation

from cases.models import Complaint, ReplyAction, ReplyTemplate
from foundation.table_memo import TableMemo

# The case page's action (and its text field) each kind of template is offered to.
ACTION_FIELDS: dict[str, tuple[str, str]] = {
    "reject": (ReplyAction.REJECTION, "reason"),
    "request_information": (ReplyAction.QUESTION, "question"),
    "resolve": (ReplyAction.RESOLUTION, "reply"),
    "return": (ReplyAction.RETURN_REASON, "reason"),
}


# The active templates, read once per process until an official edits one: every case page
# offers them.
_active = TableMemo(
    ReplyTemplate, lambda: list(ReplyTemplate.objects.filter(active=True).order_by("title", "pk"))
)


def active_templates(complaint: Complaint) -> list[ReplyTemplate]:
    """The active templates for the case's category (or for every category), every action."""
    return [t for t in _active.rows() if t.category in ("", complaint.category)]


def _values(complaint: Complaint) -> dict[str, str]:
    due = complaint.resolve_due_at
    return {
        "tracking_number": complaint.tracking_number,
        "due_date": f"{timezone.localtime(due):%Y-%m-%d}" if due else "—",
        "estate": complaint.estate.name if complaint.estate_id else complaint.estate_name,
        "category": str(complaint.get_category_display()),
    }


def render_template(template: ReplyTemplate, complaint: Complaint, language: str) -> str:
    """The template's text in ``language`` (Chinese unless English), placeholders filled."""
    english = language.split("-")[0] == "en"
    text = template.text_en if english else template.text_zh
    with translation.override("en" if english else "zh-hans"):
        return text.format_map(_values(complaint))
