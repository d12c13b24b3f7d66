"""Pages whose content comes from the register and the enforcement records rather than from
editors: the enforcement results (执法结果公示), the company directory, and site search. The
views behind them live in ``portal.site.directory_views`` and ``portal.site.search_views``."""

from django.utils.translation import gettext_lazy as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page


class SingleListingPage(Page):
    """What these pages share: one of each under the home page, an editor's introduction
    above content that comes from the records."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        abstract = True


class EnforcementIndexPage(RoutablePageMixin, SingleListingPage):
    """Published penalties, filterable by district, company and year; no personal data."""

    class Meta:
        verbose_name = _("enforcement results page")

    @path("")
    def results(self, request):
        from portal.site.directory_views import enforcement_results

        return enforcement_results(self, request)


class CompanyDirectoryPage(RoutablePageMixin, SingleListingPage):
    """Every company: licences, estates, credit grade, lists, disclosures, enforcement."""

    class Meta:
        verbose_name = _("company directory")

    @path("")
    def companies(self, request):
        from portal.site.directory_views import company_list

        return company_list(self, request)

    @path("<int:company_id>/")
    def company(self, request, company_id: int):
        from portal.site.directory_views import company_detail

        return company_detail(self, request, company_id)

    @path("<int:company_id>/disclosures/<int:disclosure_id>/attachment/")
    def disclosure_attachment(self, request, company_id: int, disclosure_id: int):
        from portal.site.directory_views import disclosure_attachment

        return disclosure_attachment(company_id, disclosure_id)

    @path("<int:company_id>/evaluations/<int:evaluation_id>/report/")
    def evaluation_report(self, request, company_id: int, evaluation_id: int):
        from portal.site.directory_views import evaluation_report

        return evaluation_report(company_id, evaluation_id)

    @path("estates/<int:estate_id>/")
    def estate(self, request, estate_id: int):
        from portal.site.directory_views import estate_detail

        return estate_detail(self, request, estate_id)


class SearchPage(RoutablePageMixin, Page):
    """Search over published content (notices, standards, pages)."""

    parent_page_types = ["portal.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("search page")

    @path("")
    def search(self, request):
        from portal.site.search_views import site_search

        return site_search(self, request)


class DrawResultsPage(RoutablePageMixin, SingleListingPage):
    """Published random draws (双随机一公开): targets drawn, pools and seeds to re-run them."""

    class Meta:
        verbose_name = _("random draw results page")

    @path("")
    def draws(self, request):
        from portal.site.draw_views import draw_list

        return draw_list(self, request)

    @path("<int:draw_id>/")
    def draw(self, request, draw_id: int):
        from portal.site.draw_views import draw_detail

        return draw_detail(self, request, draw_id)


class StatisticsPage(SingleListingPage):
    """Public statistics (统计数据): the city's complaints aggregated by month, category,
    district and company, satisfaction and the rates officials are judged by; counts only,
    nothing about one complaint or one person."""

    class Meta:
        verbose_name = _("statistics page")

    def get_context(self, request, *args, **kwargs):
        from portal.site.public_statistics import statistics_context

        context = super().get_context(request, *args, **kwargs)
        context.update(statistics_context())
        return context
