from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Open311 GeoReport v2 for partner systems (the 12345 hotline) and open data users.
    path("api/open311/v2/", include("portal.open311.urls")),
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
    path("open-data/", include("portal.opendata_urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
