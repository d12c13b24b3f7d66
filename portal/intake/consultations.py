"""The screen answering a consultation at once (即问即答): the question, a picker of the
knowledge base (常见问题) that offers the pages matching the question, and the answer to send,
filled from the page picked and edited before sending.

Reached from the intake result page and the case page (``portal.wagtail_hooks``). Who may
open it is ``cases.permissions.can_answer_consultation`` (404 otherwise: a guess learns
nothing); ``cases.consultations`` decides and refuses. No script: picking is a link.
"""

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.ui.components import Component

from cases import consultations, masking, permissions
from cases.models import Complaint, Tier
from enterprises.admin.transitions import admin_page, show_on_form
from portal.models import FaqPage
from portal.site.faq import live_faqs, matching_faqs
from portal.site.search_views import search_text

PICKER_SIZE = 8


class ConsultationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the citizen"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=consultations.MAX_ANSWER_CHARS,
        help_text=_("The citizen reads this as the reply to their question; edit it freely."),
    )
    faq_page = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_faq_page(self) -> FaqPage | None:
        pk = self.cleaned_data.get("faq_page")
        if pk is None:
            return None
        page = live_faqs().filter(pk=pk).first()
        if page is None:
            raise forms.ValidationError(_("That question is no longer published: pick another."))
        return page


def _complaint_for(request, pk: int) -> Complaint:
    complaint = get_object_or_404(Complaint.objects.select_related("estate"), pk=pk)
    if not permissions.can_answer_consultation(request.user, complaint):
        raise Http404
    return complaint


def _initial(request, picked: FaqPage | None) -> dict:
    if picked is None:
        return {}
    url = picked.get_full_url(request)
    text = picked.answer_text()
    return {"answer": f"{text}\n{url}" if url else text, "faq_page": picked.pk}


def answer_consultation(request, pk: int):
    complaint = _complaint_for(request, pk)
    picked = None
    if request.method == "POST":
        form = ConsultationAnswerForm(request.POST)
        if form.is_valid():
            page = form.cleaned_data["faq_page"]
            try:
                consultations.answer_consultation(
                    complaint,
                    actor=request.user,
                    answer=form.cleaned_data["answer"],
                    faq_page=page.pk if page else None,
                    faq_url=page.get_full_url(request) if page else "",
                )
            except consultations.ConsultationRefused as refusal:
                show_on_form(form, refusal)
            else:
                messages.success(
                    request,
                    gettext("Case %(number)s answered and resolved; the citizen is told.")
                    % {"number": complaint.tracking_number},
                )
                if permissions.can_view(request.user, complaint):
                    return redirect("cases_admin:case", pk=complaint.pk)
                return redirect("intake:register")
    else:
        faq_id = request.GET.get("faq", "")
        picked = live_faqs().filter(pk=faq_id).first() if faq_id.isdigit() else None
        form = ConsultationAnswerForm(initial=_initial(request, picked))
    query = search_text(request.GET.get("q", ""))
    offered = matching_faqs(query or complaint.description, limit=PICKER_SIZE)
    shown = (
        complaint.description
        if permissions.can_see_personal_data(request.user)
        or complaint.registered_by_id == request.user.pk
        else masking.scrub_text(complaint.description)
    )
    context = {
        "complaint": complaint,
        "description": shown,
        "form": form,
        "picked": picked,
        "offered": offered,
        "query": query,
        "answerable": complaint.tier == Tier.CONSULTATION
        and complaint.status in consultations.ANSWERABLE,
        "case_url": (
            reverse("cases_admin:case", args=(complaint.pk,))
            if permissions.can_view(request.user, complaint)
            else ""
        ),
    }
    title = gettext("Answer consultation %(number)s at once") % {
        "number": complaint.tracking_number
    }
    return admin_page(
        request, "portal/intake/answer_consultation.html", title, context, icon="help"
    )


class AnswerAtOncePanel(Component):
    """The case page's button to this screen (added by ``portal.wagtail_hooks``)."""

    template_name = "portal/intake/answer_at_once_panel.html"
    order = 10

    def __init__(self, complaint: Complaint):
        self.complaint = complaint

    def get_context_data(self, parent_context=None) -> dict:
        return {"url": reverse("intake:answer_consultation", args=(self.complaint.pk,))}
