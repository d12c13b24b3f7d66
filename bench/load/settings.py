"""Production-like settings for the load test only; production code is untouched.

``portal.config.settings`` read with ``DEBUG=0`` (the orchestrator sets the environment),
then: plain HTTP on loopback (no TLS redirect, cookies not marked secure, or locust could not
send them back), rate limits out of the way (one client address files thousands of complaints), a
second factor off for the staff sign-in when the app has one, the bench URLconf (the trivial
view) and a first middleware that reports each request's query count in a header.
"""

from portal.config.settings import *  # noqa: F403
from portal.config.settings import MIDDLEWARE

ROOT_URLCONF = "bench.load.urls"
MIDDLEWARE = ["bench.load.middleware.QueryCountHeaderMiddleware", *MIDDLEWARE]

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

COMPLAINT_RATE_LIMIT = "1000000/m"
TRACKING_RATE_LIMIT = "1000000/m"
REQUIRE_SECOND_FACTOR = False
