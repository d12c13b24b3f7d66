"""``/favicon.ico``: browsers and crawlers ask for it at the root whatever the page links to,
and a 404 there shows in every browser console. A temporary redirect to the static file, so a
changed icon (or a hashed static name) reaches browsers that cached the answer for a day."""

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe


@require_safe
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    response = HttpResponseRedirect(static("portal/favicon.ico"))
    patch_cache_control(response, public=True, max_age=86400)
    return response
