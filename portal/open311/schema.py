"""The OpenAPI 3.0 description of the Open311 API, served at ``openapi.json``.

Built as a plain dict beside the code it describes, so the schema test (schemathesis) holds
the two together: a documented rule the views do not keep, or an answer the schema does not
describe, fails that test. Written in English, for partner developers; the error
descriptions the API returns are translated.
"""

from cases.models import Category
from portal.open311.forms import MAX_IDS, MAX_PAGE, MAX_PAGE_SIZE
from portal.open311.mapping import CLOSED_STATUSES, OPEN_STATUSES
from portal.site.complaint_forms import PHONE

_REF = "#/components/schemas/"
_NO_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
_TRACKING_NUMBER = "^[A-Za-z0-9]{1,20}$"


def _nullable(kind: str, description: str, **extra) -> dict:
    return {"type": kind, "nullable": True, "description": description, **extra}


def _errors(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF + "Errors"}}},
    }


def _array_of(name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"$ref": _REF + name}}}
        },
    }


_RESPONSES = {
    "BadRequest": _errors("A parameter is missing or wrong; each error names it."),
    "Forbidden": _errors("api_key is missing, unknown or revoked."),
    "NotFound": _errors("No such service or service request."),
    "TooManyRequests": _errors(
        "Over the rate limit: per client address for reading and for calls without a valid "
        "key, per key for filing. Retry-After says when to try again."
    ),
}


def _response(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _query(name: str, description: str, schema: dict) -> dict:
    """An optional query parameter; sent empty (``start_date=``) it counts as not sent, as
    form-built client URLs often carry empty fields."""
    either = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
    return {"name": name, "in": "query", "required": False, "description": description,
            "allowEmptyValue": True, "schema": either}  # fmt: skip


_JURISDICTION = _query(
    "jurisdiction_id", "Accepted and ignored: this endpoint serves one city.", {"type": "string"}
)

_SERVICE = {
    "type": "object",
    "required": [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ],  # fmt: skip
    "properties": {
        "service_code": {"type": "string", "enum": list(Category.values)},
        "service_name": {"type": "string", "description": "In the caller's language."},
        "description": {"type": "string"},
        "metadata": {
            "type": "boolean",
            "description": "Whether the service has attributes (its definition lists them).",
        },
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": {"type": "string"},
        "group": {"type": "string"},
    },
}

_ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "order", "description"],
    "properties": {
        "variable": {"type": "boolean"},
        "code": {"type": "string"},
        "datatype": {
            "type": "string",
            "enum": [
                "string",
                "number",
                "datetime",
                "text",
                "singlevaluelist",
                "multivaluelist",
            ],  # fmt: skip
        },
        "required": {"type": "boolean"},
        "datatype_description": {"type": "string", "nullable": True},
        "order": {"type": "integer"},
        "description": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
        },
    },
}

_SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {
            "type": "array",
            "items": {"$ref": _REF + "Attribute"},
            "description": "Empty while the service's metadata is false.",
        },
    },
}

_DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "format": "date-time"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                    "changeset": {"type": "string", "format": "date-time"},
                    "type": {"type": "string", "enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}

_STATUS_NOTE = (
    f"closed: {', '.join(sorted(CLOSED_STATUSES))}; open: {', '.join(sorted(OPEN_STATUSES))}."
)

_SERVICE_REQUEST = {
    "type": "object",
    "description": (
        "A complaint, de-identified: never a name, phone, e-mail, building or room. The "
        "description is given only when the complainant consented to publication, scrubbed "
        "of contact details, ID numbers, room numbers and names; otherwise it is empty."
    ),
    "required": [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ],  # fmt: skip
    "properties": {
        "service_request_id": {"type": "string", "description": "The tracking number."},
        "status": {
            "type": "string",
            "enum": ["open", "closed"],
            "description": f"Our case statuses behind it: {_STATUS_NOTE}",
        },
        "status_notes": _nullable(
            "string", "The public reply once resolved; a short note when rejected or merged."
        ),
        "service_name": {"type": "string"},
        "service_code": {"type": "string"},
        "description": {"type": "string"},
        "agency_responsible": {"type": "string"},
        "service_notice": _nullable("string", "Not used."),
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": {"type": "string", "format": "date-time"},
        "expected_datetime": _nullable("string", "Due date to resolve.", format="date-time"),
        "address": {
            "type": "string",
            "description": "The register's name of the estate, or empty: never finer.",
        },
        "address_id": _nullable("string", "The estate's id in the register."),
        "zipcode": _nullable("string", "Not used."),
        "lat": _nullable("number", "The estate's latitude, if the register has it."),
        "long": _nullable("number", "The estate's longitude, if the register has it."),
        "media_url": _nullable("string", "Never given: citizens' photos are not published."),
    },
}

_CREATED = {
    "type": "object",
    "required": ["service_request_id", "service_notice", "account_id"],
    "properties": {
        "service_request_id": {"type": "string"},
        "service_notice": _nullable("string", "What happens next."),
        "account_id": _nullable("string", "Always null."),
    },
}

_ERROR = {
    "type": "object",
    "required": ["code", "description"],
    "properties": {
        "code": {"type": "integer", "description": "The HTTP status of the answer."},
        "description": {"type": "string", "description": "In the caller's language."},
    },
}

_NEW_REQUEST = {
    "type": "object",
    "required": ["api_key", "service_code", "description", "phone"],
    "anyOf": [
        {"required": ["lat", "long"]},
        {"required": ["address_string"]},
        {"required": ["address_id"]},
    ],
    "properties": {
        "api_key": {"type": "string", "description": "The partner's key, issued by us."},
        "service_code": {"type": "string", "enum": list(Category.values)},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": r"\S",
            "description": "An estate's name in the register is matched; other text is kept "
            "for the regulator and never published.",
        },
        "address_id": {
            "type": "integer",
            "minimum": 1,
            "description": "An estate's id in the register (see address_id of requests).",
        },
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "first_name": {"type": "string", "maxLength": 64},
        "last_name": {"type": "string", "maxLength": 64},
        "phone": {
            "type": "string",
            "pattern": PHONE.pattern,
            "description": "Required: the regulator calls back. Never published.",
        },
        "description": {
            "type": "string",
            "minLength": 10,
            "maxLength": 2000,
            "pattern": _NO_CONTROL_CHARACTERS,
            "description": "10 to 2000 characters (after trimming), no control characters.",
        },
        "media_url": {
            "type": "string",
            "format": "uri",
            "maxLength": 2000,
            "description": "Checked, not fetched or stored.",
        },
        "device_id": {"type": "string", "description": "Accepted and ignored."},
        "account_id": {"type": "string", "description": "Accepted and ignored."},
    },
}


def _paths() -> dict:
    read_errors = {"429": _response("TooManyRequests")}
    return {
        "/services.json": {
            "get": {
                "operationId": "listServices",
                "summary": "The complaint categories.",
                "parameters": [_JURISDICTION],
                "responses": {"200": _array_of("Service", "Every service."), **read_errors},
            }
        },
        "/services/{service_code}.json": {
            "get": {
                "operationId": "getServiceDefinition",
                "summary": "A service's attributes (none while its metadata is false).",
                "parameters": [
                    {
                        "name": "service_code",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },  # fmt: skip
                    _JURISDICTION,
                ],
                "responses": {
                    "200": {
                        "description": "The definition.",
                        "content": {
                            "application/json": {"schema": {"$ref": _REF + "ServiceDefinition"}}
                        },
                    },
                    "404": _response("NotFound"),
                    **read_errors,
                },
            }
        },
        "/requests.json": {
            "get": {
                "operationId": "listRequests",
                "summary": f"Service requests, newest first, at most {MAX_PAGE_SIZE} a page.",
                "parameters": [
                    _query(
                        "service_request_id",
                        f"Up to {MAX_IDS} ids, comma-separated. Overrides every other filter.",
                        {"type": "string", "pattern": r"^[A-Za-z0-9]{1,20}(,[A-Za-z0-9]{1,20})*$"},
                    ),
                    _query(
                        "service_code",
                        "A service_code, or several comma-separated.",
                        {"type": "string", "pattern": r"^[a-z_]+(,[a-z_]+)*$"},
                    ),
                    _query(
                        "start_date",
                        "Requested at or after (W3C date-time).",
                        {"type": "string", "format": "date-time"},
                    ),
                    _query(
                        "end_date",
                        "Requested at or before (W3C date-time).",
                        {"type": "string", "format": "date-time"},
                    ),
                    _query(
                        "status",
                        "open, closed, or both comma-separated.",
                        {"type": "string", "enum": ["open", "closed", "open,closed"]},
                    ),
                    _query(
                        "page_size",
                        f"Requests a page, 1 to {MAX_PAGE_SIZE} (default {MAX_PAGE_SIZE}).",
                        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                    ),
                    _query(
                        "page",
                        "Page number from 1; for older requests narrow the dates instead.",
                        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                    ),
                    _JURISDICTION,
                ],
                "responses": {
                    "200": _array_of("ServiceRequest", "The matching requests."),
                    "400": _response("BadRequest"),
                    **read_errors,
                },
            },
            "post": {
                "operationId": "createRequest",
                "summary": "File a complaint on behalf of a citizen (partner systems only).",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": _REF + "NewServiceRequest"}
                        }
                    },
                },
                "responses": {
                    "201": _array_of("ServiceRequestCreated", "Filed."),
                    "400": _response("BadRequest"),
                    "403": _response("Forbidden"),
                    "429": _response("TooManyRequests"),
                },
            },
        },
        "/discovery.json": {
            "get": {
                "operationId": "getDiscovery",
                "summary": "Service discovery: the endpoint, its formats, how to get a key.",
                "responses": {
                    "200": {
                        "description": "The discovery document.",
                        "content": {"application/json": {"schema": {"$ref": _REF + "Discovery"}}},
                    },
                    **read_errors,
                },
            }
        },
        "/requests/{service_request_id}.json": {
            "get": {
                "operationId": "getRequest",
                "summary": "One service request, as a list of one.",
                "parameters": [
                    {
                        "name": "service_request_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },  # fmt: skip
                    _JURISDICTION,
                ],
                "responses": {
                    "200": _array_of("ServiceRequest", "The request."),
                    "404": _response("NotFound"),
                    **read_errors,
                },
            }
        },
    }


def build(base_path: str) -> dict:
    """The schema, with ``base_path`` (where the API is mounted) as its server."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Open311 GeoReport v2: property service complaints",
            "version": "2.0",
            "description": (
                "Complaints about property-management services as Open311 service requests. "
                "Reading is open to all; filing needs a partner's api_key. Errors are a list "
                'of {"code": <HTTP status>, "description": ...}. Every path is served as XML '
                "too, with .xml for .json and GeoReport's element names (<services><service>, "
                "<service_definition>, <service_requests><request>, <discovery>, "
                "<errors><error>); this schema describes the JSON."
            ),
        },
        "servers": [{"url": base_path}],
        "paths": _paths(),
        "components": {
            "schemas": {
                "Service": _SERVICE,
                "Attribute": _ATTRIBUTE,
                "Discovery": _DISCOVERY,
                "ServiceDefinition": _SERVICE_DEFINITION,
                "ServiceRequest": _SERVICE_REQUEST,
                "ServiceRequestCreated": _CREATED,
                "NewServiceRequest": _NEW_REQUEST,
                "Error": _ERROR,
                "Errors": {"type": "array", "items": {"$ref": _REF + "Error"}},
            },
            "responses": _RESPONSES,
        },
    }
