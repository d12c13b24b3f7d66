"""Complaint categories as Open311 services, complaints as de-identified service requests.

What a request may show is decided here and nowhere else. The rule is the open data rule
(cases.deidentify): no name, phone, e-mail, building or room ever; the citizen's narrative
only with consent and scrubbed; the location no finer than the register's estate, so a
free-typed location (which may hold a room number) is never published.

Open311 knows two statuses. Mapping of ours (documented in the OpenAPI schema too):
closed = resolved, followed up, closed, rejected (不予受理) and merged into another case (the
primary carries on); open = everything still waiting for work (submitted, accepted, assigned,
in progress, reopened).
"""

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.deidentify import complaint_names, public_description, public_text
from cases.models import CaseStatus, Category, Complaint

OPEN = "open"
CLOSED = "closed"
# Open311 knows two states: ours still being handled are "open", every other one "closed".
OPEN_STATUSES = CaseStatus.OPEN_STATES
CLOSED_STATUSES = frozenset(set(CaseStatus) - CaseStatus.OPEN_STATES)
_NAME_PARTS = re.compile(r"[\s·・.\-]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def open311_status(status: str) -> str:
    return CLOSED if status in CLOSED_STATUSES else OPEN


def statuses_for(open311: str) -> frozenset[str]:
    """Our statuses behind an Open311 status ("open" or "closed")."""
    return CLOSED_STATUSES if open311 == CLOSED else OPEN_STATUSES


def service_group() -> str:
    return _("Property service complaints")


# Attributes a category asks for beyond GeoReport's own fields. The complaint form asks the
# same of every category (no category-specific field), so there are none yet; a category given
# attributes here is listed with ``metadata`` true and its definition lists them.
ATTRIBUTES: dict[str, list[dict]] = {}


def service(category: Category) -> dict:
    """One service: a complaint category; ``metadata`` says whether it has attributes."""
    return {
        "service_code": category.value,
        "service_name": str(category.label),
        "description": str(category.label),
        "metadata": bool(ATTRIBUTES.get(category.value)),
        "type": "realtime",
        "keywords": "",
        "group": service_group(),
    }


def service_definition(category: Category) -> dict:
    """GeoReport's service definition: each attribute with ``variable``, ``code``,
    ``datatype``, ``required``, ``datatype_description``, ``order``, ``description`` and
    ``values`` (a list of ``key`` and ``name``)."""
    return {"service_code": category.value, "attributes": ATTRIBUTES.get(category.value, [])}


def service_request(complaint: Complaint) -> dict:
    """One complaint as a service request. Needs ``estate``, ``company`` and ``merged_into``
    selected (see ``public_requests``)."""
    estate = complaint.estate
    return {
        "service_request_id": complaint.tracking_number,
        "status": open311_status(complaint.status),
        "status_notes": _status_notes(complaint),
        "service_name": str(Category(complaint.category).label)
        if complaint.category in Category.values
        else complaint.category,
        "service_code": complaint.category,
        "description": _scrub(public_description(complaint), complaint),
        "agency_responsible": _("Housing and Urban-Rural Development Bureau"),
        "service_notice": None,
        "requested_datetime": w3c(complaint.created_at),
        "updated_datetime": w3c(complaint.updated_at),
        "expected_datetime": w3c(complaint.resolve_due_at),
        "address": estate.name if estate else "",
        "address_id": str(estate.pk) if estate else None,
        "zipcode": None,
        "lat": float(estate.latitude) if estate and estate.latitude is not None else None,
        "long": float(estate.longitude) if estate and estate.longitude is not None else None,
        # Citizens' photos are never published: faces, number plates, doors.
        "media_url": None,
    }


def public_requests():
    """Every complaint, with what ``service_request`` reads in the same query."""
    return Complaint.objects.select_related("estate", "company", "merged_into").order_by(
        "-created_at", "-id"
    )


def w3c(moment: dt.datetime | None) -> str | None:
    """A W3C date-time with the offset, in the city's time zone: 2026-11-30T15:25:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _status_notes(complaint: Complaint) -> str | None:
    if complaint.status in CaseStatus.RESOLVED_STATES and complaint.public_reply:
        return _scrub(complaint.public_reply, complaint)
    if complaint.status == CaseStatus.REJECTED:
        return _("Not accepted by the regulator.")
    if complaint.status == CaseStatus.TRANSFERRED:
        return _("Outside the regulator's remit: transferred to the agency responsible.")
    if complaint.status == CaseStatus.MERGED and complaint.merged_into:
        return _("Merged into request %(id)s, which carries on.") % {
            "id": complaint.merged_into.tracking_number
        }
    return None


def _scrub(text: str, complaint: Complaint) -> str:
    """``public_text`` with the variants of the names as well as the names themselves."""
    if not text:
        return text
    names = complaint_names(complaint)
    return public_text(text, names=[*names, *(v for n in names for v in name_variants(n))])


def name_variants(name: str) -> list[str]:
    """How a narrative may write a name other than in full: partners send the given and
    family names apart, and people write "小明" for 王小明 or "Smith" for John Smith. A Chinese
    name loses a one- or two-character family name; ``public_text`` ignores one-letter pieces."""
    parts = [p for p in _NAME_PARTS.split(name.strip()) if p]
    joined = "".join(parts)
    if _CJK.search(joined):
        return [joined, *parts, *(joined[n:] for n in (1, 2) if len(joined) - n >= 2)]
    return parts
