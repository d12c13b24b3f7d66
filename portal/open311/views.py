"""The Open311 GeoReport v2 endpoints: thin views over forms, mapping and keys.

Each answers in the format of its path's extension, ``.json`` or ``.xml``
(portal.open311.formats), with the same content, checks and errors in both. Every answer that
is not a success is GeoReport's error body, ``[{"code": <HTTP status>, "description": ...}]``
or ``<errors><error><code/><description/></error></errors>``, with the same HTTP status, in
the caller's language (Accept-Language). Reading is anonymous and limited per client address;
filing needs a partner's ``api_key`` and is limited per key. Callers authenticate by key,
never by cookie, so the endpoints are exempt from CSRF.
"""

import functools
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from cases.models import Category, Channel
from cases.services import submit_complaint
from cases.staff_intake import text_access_code
from portal.open311 import discovery, formats, keys, mapping, schema
from portal.open311.formats import JSON, answer, format_of
from portal.open311.forms import (
    MAX_PAGE_SIZE,
    RequestFilterForm,
    ServiceRequestForm,
    is_tracking_number,
)

READ_RATE_GROUP = "portal.open311.read"
CREATE_RATE_GROUP = "portal.open311.create"
# Short, so a resolved case shows as closed soon; long enough to absorb a polling client.
PUBLIC_MAX_AGE = 60


def read_rate() -> str:
    return getattr(settings, "OPEN311_READ_RATE_LIMIT", "120/m")


def create_rate() -> str:
    return getattr(settings, "OPEN311_CREATE_RATE_LIMIT", "30/m")


# Answers ---------------------------------------------------------------------------------


def errors(status: int, descriptions: Iterable[str], fmt: str = JSON) -> HttpResponse:
    return formats.errors(status, descriptions, fmt)


def error(status: int, description: str, fmt: str = JSON) -> HttpResponse:
    return errors(status, [description], fmt)


def form_errors(form) -> list[str]:
    """One description per message, prefixed with the Open311 parameter it concerns."""
    return [
        message if field == "__all__" else f"{field}: {message}"
        for field, messages in form.errors.items()
        for message in messages
    ]


def _over_limit(request: HttpRequest, group: str, key, rate: str) -> HttpResponse | None:
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    fmt = format_of(request.path)
    response = error(429, _("Too many requests. Wait a minute and try again."), fmt)
    response["Retry-After"] = str(max(1, usage["time_left"]))
    return response


def callers_language(request: HttpRequest) -> str:
    """The best of our languages for the Accept-Language header. Not LocaleMiddleware's choice:
    outside the language prefixes it answers every unprefixed path in the default language.
    Not the site's language cookie either: shared caches vary on the header only."""
    header = request.headers.get("Accept-Language", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def in_callers_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        language = callers_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return csrf_exempt(wrapper)


def endpoint(*methods: str) -> Callable:
    """Method check, the per-address read limit, the caller's language and cache headers;
    the view is given the format its path asks for as ``fmt``."""
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @in_callers_language
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            fmt = format_of(request.path)
            if request.method not in allowed:
                response = error(405, _("Method not allowed here."), fmt)
                response["Allow"] = ", ".join(allowed)
                return response
            reading = request.method in ("GET", "HEAD")
            if reading and (limited := _over_limit(request, READ_RATE_GROUP, "ip", read_rate())):
                return limited
            response = view(request, *args, fmt=fmt, **kwargs)
            if reading and response.status_code == 200:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            return response

        return wrapper

    return decorate


# Services --------------------------------------------------------------------------------


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return answer([mapping.service(category) for category in Category], fmt, "services")


@endpoint("GET")
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    if service_code not in Category.values:
        return error(404, _("Unknown service_code."), fmt)
    definition = mapping.service_definition(Category(service_code))
    return answer(definition, fmt, "service_definition")


# Requests --------------------------------------------------------------------------------


@endpoint("GET", "POST")
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return create_request(request, fmt)
    return list_requests(request, fmt)


def list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """Newest first, ``page_size`` (at most 100) to a ``page``."""
    form = RequestFilterForm(request.GET)
    if not form.is_valid():
        return errors(400, form_errors(form), fmt)
    data = form.cleaned_data
    complaints = mapping.public_requests()
    if data["service_request_id"]:
        complaints = complaints.filter(tracking_number__in=data["service_request_id"])
    else:
        if data["service_code"]:
            complaints = complaints.filter(category__in=data["service_code"])
        if data["status"]:
            wanted = set().union(*(mapping.statuses_for(s) for s in data["status"]))
            complaints = complaints.filter(status__in=wanted)
        if data["start_date"]:
            complaints = complaints.filter(created_at__gte=data["start_date"])
        if data["end_date"]:
            complaints = complaints.filter(created_at__lte=data["end_date"])
    size = data["page_size"] or MAX_PAGE_SIZE
    start = ((data["page"] or 1) - 1) * size
    page = [mapping.service_request(c) for c in complaints[start : start + size]]
    return answer(page, fmt, "service_requests")


@endpoint("GET")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    """A list of one, as GeoReport v2 answers."""
    complaint = (
        mapping.public_requests().filter(tracking_number=service_request_id.upper()).first()
        if is_tracking_number(service_request_id)
        else None
    )
    if complaint is None:
        return error(404, _("No service request has this service_request_id."), fmt)
    return answer([mapping.service_request(complaint)], fmt, "service_requests")


def create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    """File a partner's complaint through the intake service, which commits it in one
    transaction: an invalid payload stores nothing. The key is a field of the form body, where
    GeoReport puts it; never read from the URL, which servers and proxies log."""
    try:
        payload = request.POST
    except MultiPartParserError:
        return error(400, _("The request body could not be read."), fmt)
    partner = keys.authenticate(payload.get("api_key"))
    if partner is None:
        # Without a valid key the caller is anonymous: count it like a reader.
        if limited := _over_limit(request, READ_RATE_GROUP, "ip", read_rate()):
            return limited
        if "api_key" in request.GET and "api_key" not in payload:
            return error(
                403, _("Send api_key in the POST body, not in the URL: URLs are logged."), fmt
            )
        return error(403, _("A valid api_key is required to create a service request."), fmt)
    if limited := _over_limit(
        request, CREATE_RATE_GROUP, lambda group, req: f"partner:{partner.pk}", create_rate()
    ):
        return limited
    form = ServiceRequestForm(payload)
    if not form.is_valid():
        return errors(400, form_errors(form), fmt)
    with transaction.atomic():
        receipt = submit_complaint(
            actor=None,
            channel=Channel.PARTNER,
            partner=partner,
            language=translation.get_language(),
            **form.complaint_fields(),
        )
        # The citizen's access code goes to their mobile by SMS after commit; the partner
        # gets the tracking number only.
        text_access_code(receipt)
    created = {
        "service_request_id": receipt.tracking_number,
        "service_notice": _("Registered. Follow it with GET requests/%(id)s.%(format)s.")
        % {"id": receipt.tracking_number, "format": fmt},
        "account_id": None,
    }
    response = answer([created], fmt, "service_requests", status=201)
    patch_cache_control(response, no_store=True)
    return response


# The rest --------------------------------------------------------------------------------


@endpoint("GET")
def discovery_document(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the API is, who runs it, how to get a key, in which formats."""
    endpoint_url = request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")
    return answer(discovery.document(endpoint_url), fmt, "discovery")


@endpoint("GET")
def openapi(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.path.rsplit("/", 1)[0]
    return answer(schema.build(base), JSON, "openapi")


@in_callers_language
def not_found(request: HttpRequest) -> HttpResponse:
    return error(404, _("No such Open311 endpoint."), format_of(request.path))
