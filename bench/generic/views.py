"""Bare views: what a plain Django view costs to file a complaint and to look one up.

``file`` validates a plain form and inserts the rows our intake inserts (the complaint with
its encrypted phone and access-code digest, the public "submitted" event, the index outbox
row) in one transaction, then renders a minimal receipt. ``track`` checks a tracking number and
access code the same constant-time way and renders the status and public timeline.
"""

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import escape

from cases.access_codes import (
    access_code_matches,
    digest_access_code,
    new_access_code,
    new_tracking_number,
)
from cases.models import CaseEvent, CaseStatus, Category, Complaint
from search.models import IndexOutbox


class BareComplaintForm(forms.Form):
    category = forms.ChoiceField(choices=Category.choices)
    estate_name = forms.CharField(max_length=200)
    description = forms.CharField(max_length=5000)
    contact_phone = forms.RegexField(regex=r"^1\d{10}$")


class BareTrackingForm(forms.Form):
    tracking_number = forms.CharField(max_length=20)
    access_code = forms.CharField(max_length=16)


def file(request: HttpRequest) -> HttpResponse:
    form = BareComplaintForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return HttpResponse(str(form.errors), status=400)
    code = new_access_code()
    number = new_tracking_number()
    with transaction.atomic():
        complaint = Complaint.objects.create(
            tracking_number=number,
            access_code_digest=digest_access_code(number, code),
            status=CaseStatus.SUBMITTED,
            **form.cleaned_data,
        )
        CaseEvent.objects.log_action(
            complaint, "cases.complaint.submitted", to_status=CaseStatus.SUBMITTED, is_public=True
        )
        IndexOutbox.objects.create(
            doc_type="complaint", object_id=complaint.pk, changed_at=timezone.now()
        )
    return HttpResponse(f'<p id="tracking-number">{number}</p><p id="access-code">{code}</p>')


def track(request: HttpRequest) -> HttpResponse:
    form = BareTrackingForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return HttpResponse(str(form.errors), status=400)
    number = form.cleaned_data["tracking_number"]
    complaint = Complaint.objects.filter(tracking_number=number).first()
    if complaint is None or not access_code_matches(
        number, form.cleaned_data["access_code"], complaint.access_code_digest
    ):
        return HttpResponse("wrong number or code", status=404)
    events = complaint.events.filter(is_public=True).order_by("timestamp")
    timeline = "".join(f"<li>{e.timestamp:%Y-%m-%d} {escape(e.action)}</li>" for e in events)
    return HttpResponse(
        f"<h1>{escape(number)}</h1><p>{escape(complaint.get_status_display())}</p>"
        f"<ul>{timeline}</ul>"
    )
