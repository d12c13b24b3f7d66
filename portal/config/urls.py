from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.availability.health import healthz, liveness, readiness
from portal.operations.metrics import metrics
from portal.security import invitations, second_factor, site_history
from portal.site import faq, my_complaints_urls, routing, survey_urls, vote_views
from portal.site.favicon import favicon

# A plain page; the 503 page when the database is the cause (portal.availability.unavailable).
handler400 = "portal.availability.unavailable.bad_request"
handler500 = "portal.availability.unavailable.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/ready", readiness, name="readiness"),
    path("healthz/live", liveness, name="healthz_live"),
    # Prometheus; answered only to METRICS_ALLOWED_NETWORKS (portal.operations.metrics).
    path("metrics", metrics, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    # Open311 GeoReport v2 for partner systems (the 12345 hotline) and open data users.
    path("api/open311/v2/", include("portal.open311.urls")),
    # Before the admin's own URLs: the second-factor pages live under /admin/ with them.
    path("admin/second-factor/", second_factor.verify, name="second_factor_verify"),
    path("admin/second-factor/enrol/", second_factor.enrol, name="second_factor_enrol"),
    # Wagtail's city-wide site history, answered here for administrators only.
    *site_history.urlpatterns,
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Chinese at the root, English under /en/.
urlpatterns += i18n_patterns(
    # The one-time link of an invitation (enterprises.people): choose a password.
    path("accounts/invitation/<str:token>/", invitations.accept, name="accept_invitation"),
    path("open-data/", include("portal.site.opendata_urls")),
    path("my-complaints/", include(my_complaints_urls.urlpatterns)),
    path("phone/", include(my_complaints_urls.sign_in_patterns)),
    # Owners answer surveys with a household code (enterprises.surveys).
    path("surveys/", include(survey_urls.urlpatterns)),
    # "These answers may help" on the complaint form (常见问题), JSON for its script.
    path("faq-suggestions/", faq.suggestions, name="faq_suggestions"),
    # The public ballot page of an owners' vote (enterprises.votes), reached by its QR code.
    path("vote/<int:pk>/", vote_views.ballot, name="owners_vote"),
    # Wagtail's page view, routed from memory while the page tree is unchanged
    # (portal.site.routing); Wagtail's own patterns after it.
    re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
