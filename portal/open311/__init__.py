"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): complaint categories as
services, de-identified complaints as service requests, and filing by partner systems such as
the 12345 hotline. JSON and XML on every endpoint, service discovery at ``discovery.json`` /
``discovery.xml``; the OpenAPI schema (of the JSON) is served at ``openapi.json``.
"""
