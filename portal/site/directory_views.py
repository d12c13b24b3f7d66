"""Views of the public register pages: enforcement results (执法结果公示) and the company
directory (企业名录). Thin on purpose: every query is bounded (a fixed number per page view,
whatever the number of rows) and only what the law makes public is read — no staff names, no
complainant data, no drafts."""

from dataclasses import dataclass, field

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import EnforcementResult
from enterprises.credit_score import explain_credit
from enterprises.disclosures import published_disclosures
from enterprises.models import Company, ContractStatus, Estate, LicenceStatus, ServiceContract
from enterprises.publication import (
    answerable_surveys,
    evaluation_rows,
    published_evaluations,
    published_surveys,
    survey_rows,
)
from foundation.files import serve
from foundation.models import District
from portal.site.search_views import search_text

PER_PAGE = 20
SEARCH_MAX_LENGTH = 64
# Applications still waiting and refused ones are not licences: the public sees issued ones.
PUBLIC_LICENCE_STATUSES = (
    LicenceStatus.APPROVED,
    LicenceStatus.SUSPENDED,
    LicenceStatus.REVOKED,
    LicenceStatus.EXPIRED,
)


@dataclass
class Filters:
    """The GET filters that were understood, the choices offered, and why others were not."""

    values: dict = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    query: str = ""  # the understood filters as a query string, for the pagination links


def published_results() -> QuerySet[EnforcementResult]:
    """Enforcement results the public may read: published, not in the future, and neither past
    their publicity period nor withdrawn (``removed_at``: kept in the register only)."""
    return EnforcementResult.objects.filter(
        published_at__isnull=False, published_at__lte=timezone.now(), removed_at__isnull=True
    ).select_related("company", "district")


def _choice(request: HttpRequest, name: str, allowed: dict, label: str, filters: Filters):
    """The value of GET parameter ``name`` if it is one of ``allowed`` (keys as strings)."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if raw in allowed:
        filters.values[name] = raw
        return allowed[raw]
    filters.ignored.append(
        _("“%(value)s” is not a %(label)s in the list, so that filter was ignored.")
        % {"value": raw[:SEARCH_MAX_LENGTH], "label": label}
    )
    return None


def _paginate(request: HttpRequest, queryset, filters: Filters) -> PaginatorPage:
    paginator = Paginator(queryset, PER_PAGE)
    raw = request.GET.get("page", "").strip()
    if raw:
        try:
            number = int(raw)
        except ValueError:
            number = None
        if number is None or not 1 <= number <= paginator.num_pages:
            filters.ignored.append(
                _("There is no page “%(page)s”; the first page is shown.")
                % {"page": raw[:SEARCH_MAX_LENGTH]}
            )
            raw = "1"
    return paginator.get_page(raw or 1)


def _with_fine_text(rows):
    """Fines as “30,000.00”: grouped by thousands whatever the language's number format."""
    for row in rows:
        row.fine_text = f"{row.fine_amount:,.2f}" if row.fine_amount is not None else ""
    return rows


def _query_string(values: dict) -> str:
    from urllib.parse import urlencode

    return urlencode({key: value for key, value in values.items() if value})


def _directory_base(request: HttpRequest) -> str | None:
    """The company directory's URL (one query), to link each company to its page."""
    from portal.models import CompanyDirectoryPage

    directory = CompanyDirectoryPage.objects.live().first()
    return directory.get_url(request) if directory is not None else None


def _render(request: HttpRequest, page, template: str, context: dict) -> TemplateResponse:
    return TemplateResponse(request, template, {"page": page, "self": page, **context})


def enforcement_results(page, request: HttpRequest) -> TemplateResponse:
    """执法结果公示: published penalties, newest first, filterable by district, company and
    year; a filter value that is not in the list is ignored and the visitor told why."""
    results = published_results()
    districts = list(District.objects.order_by("name"))
    companies = list(
        Company.objects.filter(pk__in=results.values("company_id")).order_by("name").only("name")
    )
    years = [day.year for day in results.dates("decided_on", "year", order="DESC")]
    filters = Filters()
    district = _choice(
        request, "district", {str(d.pk): d for d in districts}, _("district"), filters
    )
    company = _choice(request, "company", {str(c.pk): c for c in companies}, _("company"), filters)
    year = _choice(request, "year", {str(y): y for y in years}, _("year"), filters)
    if district is not None:
        results = results.filter(district=district)
    if company is not None:
        results = results.filter(company=company)
    if year is not None:
        results = results.filter(decided_on__year=year)
    filters.query = _query_string(filters.values)
    page_obj = _paginate(request, results.order_by("-decided_on", "-id"), filters)
    page_obj.object_list = _with_fine_text(list(page_obj.object_list))
    return _render(
        request,
        page,
        "portal/enforcement_results.html",
        {
            "results": page_obj,
            "filters": filters,
            "districts": districts,
            "companies": companies,
            "years": years,
            "directory_url": _directory_base(request),
        },
    )


def company_list(page, request: HttpRequest) -> TemplateResponse:
    """企业名录: every registered company, searchable by name (or credit code) and district."""
    companies = Company.objects.select_related("district").order_by("name")
    districts = list(District.objects.order_by("name"))
    filters = Filters()
    search = search_text(request.GET.get("q", ""), SEARCH_MAX_LENGTH)
    if search:
        filters.values["q"] = search
        companies = companies.filter(Q(name__icontains=search) | Q(credit_code__iexact=search))
    district = _choice(
        request, "district", {str(d.pk): d for d in districts}, _("district"), filters
    )
    if district is not None:
        companies = companies.filter(district=district)
    filters.query = _query_string(filters.values)
    page_obj = _paginate(request, companies, filters)
    return _render(
        request,
        page,
        "portal/company_list.html",
        {"companies": page_obj, "filters": filters, "districts": districts, "search": search},
    )


def company_detail(page, request: HttpRequest, company_id: int) -> TemplateResponse:
    """One company's public record: licences, estates, credit grade and why, published
    disclosures and its enforcement history. An unknown id is a 404."""
    company = Company.objects.select_related("district").filter(pk=company_id).first()
    if company is None:
        raise Http404(_("There is no company with this number in the register."))
    licences = company.licences.filter(status__in=PUBLIC_LICENCE_STATUSES).order_by(
        "-valid_until", "-id"
    )
    estates = list(company.estates.select_related("district").order_by("name"))
    _with_filed_contract(company, estates)
    explanation = None
    if company.credit_computed_at is not None:
        explanation = explain_credit(company, timezone.localdate(company.credit_computed_at))
    disclosures = published_disclosures(company=company).order_by("-period", "estate__name", "kind")
    enforcement = published_results().filter(company=company).order_by("-decided_on", "-id")
    return _render(
        request,
        page,
        "portal/company_detail.html",
        {
            "company": company,
            "licences": list(licences),
            "estates": estates,
            "explanation": explanation,
            "disclosures": list(disclosures),
            "enforcement": _with_fine_text(list(enforcement)),
            "enforcement_page": _enforcement_page_url(request),
            "surveys": survey_rows(published_surveys().filter(company=company)),
            "evaluations": evaluation_rows(published_evaluations().filter(company=company)),
        },
    )


def estate_detail(page, request: HttpRequest, estate_id: int) -> TemplateResponse:
    """One estate's public record: its managing company, its owners' closed satisfaction
    surveys and its third-party evaluations. An unknown id is a 404."""
    estate = (
        Estate.objects.select_related("district", "managing_company").filter(pk=estate_id).first()
    )
    if estate is None:
        raise Http404(_("There is no estate with this number in the register."))
    return _render(
        request,
        page,
        "portal/estate_detail.html",
        {
            "estate": estate,
            "open_surveys": list(answerable_surveys().filter(estate=estate)),
            "surveys": survey_rows(published_surveys().filter(estate=estate)),
            "evaluations": evaluation_rows(published_evaluations().filter(estate=estate)),
        },
    )


def evaluation_report(company_id: int, evaluation_id: int) -> FileResponse:
    """The report (PDF) of a published evaluation; any other is a 404."""
    evaluation = get_object_or_404(
        published_evaluations().filter(company_id=company_id),
        pk=evaluation_id,
        report__gt="",
    )
    return serve(evaluation.report)


def _with_filed_contract(company: Company, estates: list) -> None:
    """Each estate with the current version of its filed contract with the company (the
    terms as last accepted, 变更备案 included), or None; one query whatever the number."""
    filed = ServiceContract.objects.filter(company=company, status=ContractStatus.FILED).only(
        "estate_id", "starts_on", "ends_on", "service_level", "fee_per_sqm_month", "version"
    )
    by_estate = {contract.estate_id: contract for contract in filed}
    for estate in estates:
        estate.filed_contract = by_estate.get(estate.pk)


def disclosure_attachment(company_id: int, disclosure_id: int) -> FileResponse:
    """The PDF of a published disclosure; a draft's, like an unknown one, is a 404."""
    disclosure = get_object_or_404(
        published_disclosures(company=company_id), pk=disclosure_id, attachment__gt=""
    )
    return serve(disclosure.attachment)


def _enforcement_page_url(request: HttpRequest) -> str | None:
    from portal.models import EnforcementIndexPage

    index = EnforcementIndexPage.objects.live().first()
    return index.get_url(request) if index is not None else None
