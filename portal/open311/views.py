"""The Open311 GeoReport v2 endpoints, JSON only: thin views over forms, mapping and keys.

Every answer that is not a success is GeoReport's error body, a list of
``{"code": <HTTP status>, "description": ...}`` with the same HTTP status, in the caller's
language (Accept-Language). Reading is anonymous and limited per client address; filing needs
a partner's ``api_key`` and is limited per key. Callers authenticate by key, never by cookie,
so the endpoints are exempt from CSRF.
"""

import functools
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from cases.models import Category
from cases.services import submit_complaint
from portal.open311 import keys, mapping, schema
from portal.open311.forms import (
    MAX_PAGE_SIZE,
    RequestFilterForm,
    ServiceRequestForm,
    is_tracking_number,
)

READ_RATE_GROUP = "portal.open311.read"
CREATE_RATE_GROUP = "portal.open311.create"
CONTENT_TYPE = "application/json; charset=utf-8"
# Short, so a resolved case shows as closed soon; long enough to absorb a polling client.
PUBLIC_MAX_AGE = 60


def read_rate() -> str:
    return getattr(settings, "OPEN311_READ_RATE_LIMIT", "120/m")


def create_rate() -> str:
    return getattr(settings, "OPEN311_CREATE_RATE_LIMIT", "30/m")


# Answers ---------------------------------------------------------------------------------


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data,
        status=status,
        safe=False,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def errors(status: int, descriptions: Iterable[str]) -> JsonResponse:
    response = _json([{"code": status, "description": str(d)} for d in descriptions], status)
    patch_cache_control(response, no_store=True)  # a 429 or 404 must not stick in a cache
    return response


def error(status: int, description: str) -> JsonResponse:
    return errors(status, [description])


def form_errors(form) -> list[str]:
    """One description per message, prefixed with the Open311 parameter it concerns."""
    return [
        message if field == "__all__" else f"{field}: {message}"
        for field, messages in form.errors.items()
        for message in messages
    ]


def _over_limit(request: HttpRequest, group: str, key, rate: str) -> JsonResponse | None:
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    response = error(429, _("Too many requests. Wait a minute and try again."))
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
    """Method check, the per-address read limit, the caller's language and cache headers."""
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @in_callers_language
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in allowed:
                response = error(405, _("Method not allowed here."))
                response["Allow"] = ", ".join(allowed)
                return response
            reading = request.method in ("GET", "HEAD")
            if reading and (limited := _over_limit(request, READ_RATE_GROUP, "ip", read_rate())):
                return limited
            response = view(request, *args, **kwargs)
            if reading and response.status_code == 200:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            return response

        return wrapper

    return decorate


# Services --------------------------------------------------------------------------------


@endpoint("GET")
def services(request: HttpRequest) -> HttpResponse:
    return _json([mapping.service(category) for category in Category])


@endpoint("GET")
def service_definition(request: HttpRequest, service_code: str) -> HttpResponse:
    """No category has attributes (``metadata`` is false), so there is no definition to give."""
    if service_code not in Category.values:
        return error(404, _("Unknown service_code."))
    return error(404, _("This service has no attributes (metadata is false): no definition."))


# Requests --------------------------------------------------------------------------------


@endpoint("GET", "POST")
def requests_collection(request: HttpRequest) -> HttpResponse:
    return create_request(request) if request.method == "POST" else list_requests(request)


def list_requests(request: HttpRequest) -> HttpResponse:
    """Newest first, ``page_size`` (at most 100) to a ``page``."""
    form = RequestFilterForm(request.GET)
    if not form.is_valid():
        return errors(400, form_errors(form))
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
    return _json([mapping.service_request(c) for c in complaints[start : start + size]])


@endpoint("GET")
def request_detail(request: HttpRequest, service_request_id: str) -> HttpResponse:
    """A list of one, as GeoReport v2 answers."""
    complaint = (
        mapping.public_requests().filter(tracking_number=service_request_id.upper()).first()
        if is_tracking_number(service_request_id)
        else None
    )
    if complaint is None:
        return error(404, _("No service request has this service_request_id."))
    return _json([mapping.service_request(complaint)])


def create_request(request: HttpRequest) -> HttpResponse:
    """File a partner's complaint through the intake service, which commits it in one
    transaction: an invalid payload stores nothing."""
    try:
        payload = request.POST
    except MultiPartParserError:
        return error(400, _("The request body could not be read."))
    partner = keys.authenticate(payload.get("api_key"))
    if partner is None:
        # Without a valid key the caller is anonymous: count it like a reader.
        if limited := _over_limit(request, READ_RATE_GROUP, "ip", read_rate()):
            return limited
        return error(403, _("A valid api_key is required to create a service request."))
    if limited := _over_limit(
        request, CREATE_RATE_GROUP, lambda group, req: f"partner:{partner.pk}", create_rate()
    ):
        return limited
    form = ServiceRequestForm(payload)
    if not form.is_valid():
        return errors(400, form_errors(form))
    receipt = submit_complaint(actor=None, **form.complaint_fields())
    response = _json(
        [
            {
                "service_request_id": receipt.tracking_number,
                "service_notice": _("Registered. Follow it with GET requests/%(id)s.json.")
                % {"id": receipt.tracking_number},
                "account_id": None,
            }
        ],
        status=201,
    )
    patch_cache_control(response, no_store=True)
    return response


# The rest --------------------------------------------------------------------------------


@endpoint("GET")
def openapi(request: HttpRequest) -> HttpResponse:
    base = request.path.rsplit("/", 1)[0]
    return _json(schema.build(base))


@in_callers_language
def xml_not_supported(request: HttpRequest) -> HttpResponse:
    return error(400, _("Only JSON is offered: use .json instead of .xml."))


@in_callers_language
def not_found(request: HttpRequest) -> HttpResponse:
    return error(404, _("No such Open311 endpoint."))
