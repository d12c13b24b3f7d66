"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): complaint categories as
services, de-identified complaints as service requests, and filing by partner systems such as
the 12345 hotline. JSON only; the OpenAPI schema is served at ``openapi.json``.
"""
