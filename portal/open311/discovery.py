"""The service discovery document of Open311 (wiki.open311.org/Service_Discovery), served as
``discovery.json`` and ``discovery.xml`` at the API's root.

``changeset`` tells clients when to refresh what they cache: for GeoReport v2, the service
list and the service definitions. Both come from code (cases.models.Category and
mapping.service_definition), so the date is written here by hand; a test holds a digest of
both and fails until it is moved on with them.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from portal.open311.formats import MEDIA_TYPES

CHANGESET = "2026-12-05T00:00:00+08:00"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def document(endpoint_url: str) -> dict:
    """The document for the one endpoint we run, at ``endpoint_url``. Contact and key service
    can be set per deployment (OPEN311_CONTACT, OPEN311_KEY_SERVICE)."""
    return {
        "changeset": CHANGESET,
        "contact": getattr(settings, "OPEN311_CONTACT", "")
        or _("Housing and Urban-Rural Development Bureau"),
        "key_service": getattr(settings, "OPEN311_KEY_SERVICE", "")
        or _(
            "Partner systems ask the Housing and Urban-Rural Development Bureau for an "
            "api_key; it is shown once. Reading needs no key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": MEDIA_TYPES,
            }
        ],
    }
