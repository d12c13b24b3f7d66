"""Districts, staff affiliations and the public site's pages."""

from django.conf import settings
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page


class District(models.Model):
    """An administrative district (区) of the city; officials and inspectors work within one."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """Where a signed-in user belongs: a district for regulator staff, a company or an estate
    for company staff and owners' committee members. Roles themselves are Django groups."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("district")
    )
    company = models.ForeignKey(
        "enterprises.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("company"),
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("estate"),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """One message to one person on one channel, sent at most once (see portal.notifications)."""

    EMAIL = "email"
    SMS = "sms"
    CHANNELS = [(EMAIL, _("E-mail")), (SMS, _("SMS"))]

    dedup_key = models.CharField(max_length=120, unique=True)
    channel = models.CharField(max_length=8, choices=CHANNELS)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.dedup_key


class HomePage(Page):
    """The portal's home page: how to complain, how to track, latest news."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    subpage_types = ["portal.ComplaintPage", "portal.TrackingPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class ComplaintPage(RoutablePageMixin, Page):
    """The public complaint form (投诉表单) and its confirmation.

    The confirmation is a redirect target (post/redirect/get), so a reload never files twice;
    the access code travels there in the session once and is then forgotten.
    """

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    SESSION_KEY = "portal.submitted_complaint"

    class Meta:
        verbose_name = _("complaint page")

    @path("")
    def complaint_form(self, request):
        from portal.forms import ComplaintForm

        if request.method == "POST":
            form = ComplaintForm(request.POST, request.FILES)
            if form.is_valid():
                receipt = form.submit()
                request.session[self.SESSION_KEY] = {
                    "tracking_number": receipt.tracking_number,
                    "access_code": receipt.access_code,
                }
                return redirect(self.url + self.reverse_subpage("complaint_submitted"))
        else:
            form = ComplaintForm()
        return self.render(request, context_overrides={"form": form})

    @path("submitted/")
    def complaint_submitted(self, request):
        receipt = request.session.pop(self.SESSION_KEY, None)
        if receipt is None:
            return redirect(self.url)
        return TemplateResponse(
            request,
            "portal/complaint_submitted.html",
            {
                "page": self,
                "self": self,
                "receipt": receipt,
                "tracking_page": TrackingPage.objects.live().first(),
            },
        )


class TrackingPage(RoutablePageMixin, Page):
    """The citizen's tracking page (进度查询): tracking number + access code → the case's
    public timeline, answers to questions, and the satisfaction rating. The views live in
    ``portal.tracking``; this page only routes to them."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("tracking page")

    @path("")
    def lookup(self, request):
        from portal.tracking import lookup

        return lookup(self, request)

    @path("case/")
    def case(self, request):
        from portal.tracking import case_detail

        return case_detail(self, request)
