"""The public site's service pages: home, complaint form, tracking."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from foundation.storage import StorageUnavailable


class HomePage(Page):
    """The portal's home page: how to complain, how to track, latest news."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    subpage_types = [
        "portal.ComplaintPage",
        "portal.TrackingPage",
        "portal.NoticeIndexPage",
        "portal.StandardIndexPage",
        "portal.EnforcementIndexPage",
        "portal.CompanyDirectoryPage",
        "portal.DrawResultsPage",
        "portal.StatisticsPage",
        "portal.SearchPage",
        "portal.FaqIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from portal.site.home import home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context())
        return context


class ComplaintPage(RoutablePageMixin, Page):
    """The public complaint form (投诉表单) and its confirmation.

    The confirmation is a redirect target (post/redirect/get), so a reload never files twice.
    The receipt (with the access code) waits in the session for that one page and then for one
    request to e-mail it; after either of those it is forgotten.
    """

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    SESSION_KEY = "portal.submitted_complaint"
    RATE_GROUP = "portal.complaint.submit"

    class Meta:
        verbose_name = _("complaint page")

    def _form_page(self, request, form, status: int = 200, **extra):
        from portal.site.complaint_forms import estate_names

        context = {"form": form, "estate_names": estate_names(), **extra}
        response = self.render(request, context_overrides=context)
        response.status_code = status
        add_never_cache_headers(response)
        return response

    @path("")
    def complaint_form(self, request):
        from django_ratelimit.core import is_ratelimited

        from portal.site.complaint_forms import ComplaintForm

        if request.method != "POST":
            request.session.pop(self.SESSION_KEY, None)  # an old receipt is not kept around
            return self._form_page(request, ComplaintForm())
        if is_ratelimited(
            request,
            group=self.RATE_GROUP,
            key="ip",
            rate=settings.COMPLAINT_RATE_LIMIT,
            method="POST",
            increment=True,
        ):
            typed = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken",)}
            return self._form_page(
                request, ComplaintForm(initial=typed), status=429, rate_limited=True
            )
        form = ComplaintForm(request.POST, request.FILES)
        if form.caught_in_honeypot():
            return self._form_page(request, ComplaintForm(), status=400, refused=True)
        if form.is_valid():
            try:
                receipt = form.submit()
            except StorageUnavailable:
                # Nothing was filed (the service rolled back and removed what it had stored):
                # the typed text comes back, the files must be chosen again.
                typed = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
                return self._form_page(
                    request, ComplaintForm(initial=typed), status=503, files_unavailable=True
                )
            request.session[self.SESSION_KEY] = {
                "complaint_id": receipt.complaint.pk,
                "tracking_number": receipt.tracking_number,
                "access_code": receipt.access_code,
                "shown": False,
            }
            return redirect(self.url + self.reverse_subpage("complaint_submitted"))
        return self._form_page(request, form)

    @path("submitted/")
    def complaint_submitted(self, request):
        from portal.site.complaint_forms import ReceiptEmailForm

        receipt = request.session.get(self.SESSION_KEY)
        if request.method == "POST":
            # The one follow-up allowed: e-mail the receipt shown just before.
            if receipt is None or not receipt.get("shown"):
                return redirect(self.url)
            email_form = ReceiptEmailForm(request.POST)
            if not email_form.is_valid():
                return self._receipt_page(request, receipt, email_form)
            email_form.send(receipt, request.build_absolute_uri(self._tracking_url(receipt)))
            request.session.pop(self.SESSION_KEY, None)
            return self._receipt_page(request, None, None, sent_to=email_form.cleaned_data["email"])
        if receipt is None or receipt.get("shown"):
            request.session.pop(self.SESSION_KEY, None)
            return redirect(self.url)
        request.session[self.SESSION_KEY] = {**receipt, "shown": True}
        return self._receipt_page(request, receipt, ReceiptEmailForm())

    def _tracking_url(self, receipt: dict) -> str:
        tracking_page = TrackingPage.objects.live().first()
        if tracking_page is None:
            return self.url
        return f"{tracking_page.url}?{urlencode({'n': receipt['tracking_number']})}"

    def _receipt_page(self, request, receipt, email_form, sent_to: str = ""):
        response = TemplateResponse(
            request,
            "portal/complaint_submitted.html",
            {
                "page": self,
                "self": self,
                "receipt": receipt,
                "email_form": email_form,
                "sent_to": sent_to,
                "tracking_page": TrackingPage.objects.live().first(),
            },
        )
        add_never_cache_headers(response)
        return response


class TrackingPage(RoutablePageMixin, Page):
    """The citizen's tracking page (进度查询): tracking number + access code → the case's
    public timeline, answers to questions, and the satisfaction rating. The views live in
    ``portal.site.tracking``; this page only routes to them."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("tracking page")

    @path("")
    def lookup(self, request):
        from portal.site.tracking import lookup

        return lookup(self, request)

    @path("case/")
    def case(self, request):
        from portal.site.tracking import case_detail

        return case_detail(self, request)

    @path("recover/")
    def recover(self, request):
        from portal.site.tracking_recovery import recover

        return recover(self, request)
