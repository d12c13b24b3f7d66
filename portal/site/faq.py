"""Finding questions and answers (常见问题): the index page's search, the "these answers may
help" suggestions on the complaint form, and the picker of the consultation screen.

Two ways to match, because of Chinese: Wagtail's search (as the site search uses it) finds
pages by whole words, which serves spaced languages and a single keyword; a sentence a citizen
types in Chinese has no spaces, so a page is also found when one of its keywords occurs in
the text. Keyword hits rank first (more hits, higher); Wagtail's results follow.
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from cases.models import Category
from portal.models.faq import FaqPage
from portal.site.search_views import search_text, search_words

SUGGESTIONS = 3
# What of a complaint's description is read: enough for its gist, bounded for the matcher.
MAX_TYPED = 500
MIN_TYPED = 2
RATE_GROUP = "portal.faq.suggestions"
# What a list of questions reads of each page (its link and its language included).
LISTED_FIELDS = ("id", "title", "url_path", "category", "locale_id")


@dataclass(frozen=True)
class Match:
    page: FaqPage
    hits: int


def live_faqs():
    return FaqPage.objects.live().public()


def keyword_matches(text: str, pages) -> list[Match]:
    """Pages of ``pages`` with a keyword (or their whole question) inside ``text``."""
    folded = text.casefold()
    found = []
    for page in pages:
        hits = sum(1 for word in page.keyword_list() if word.casefold() in folded)
        if page.title and page.title.casefold() in folded:
            hits += 2
        if hits:
            found.append(Match(page, hits))
    return sorted(found, key=lambda match: (-match.hits, match.page.title))


def matching_faqs(typed: str, *, limit: int | None = None, category: str = "") -> list[FaqPage]:
    """The live, public FAQ pages for ``typed``, best first, each once."""
    text = search_text(typed, MAX_TYPED)
    if len(text) < MIN_TYPED:
        return []
    pages = live_faqs().only("keywords", *LISTED_FIELDS)
    if category:
        pages = pages.filter(category=category)
    found = [match.page for match in keyword_matches(text, pages)]
    words = search_words(text)
    if words and (limit is None or len(found) < limit):
        seen = {page.pk for page in found}
        searched = live_faqs().filter(category=category) if category else live_faqs()
        for page in searched.search(words, operator="or")[: (limit or 50) + len(seen)]:
            if page.pk not in seen:
                found.append(page)
                seen.add(page.pk)
    return found[:limit] if limit is not None else found


def faq_index_context(index_page, request: HttpRequest) -> dict:
    """The index page: every question by category, or with ``?q=`` the matching ones
    (``?category=`` narrows either)."""
    query = search_text(request.GET.get("q", ""))
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    if query:
        results = matching_faqs(query, category=category)
        return {"query": query, "category": category, "results": results, "categories": []}
    pages = live_faqs().child_of(index_page).only(*LISTED_FIELDS)
    if category:
        pages = pages.filter(category=category)
    labels = dict(Category.choices)
    groups: dict[str, list] = {}
    for page in pages.order_by("title"):
        groups.setdefault(page.category, []).append(page)
    ordered = [
        (code, labels.get(code, _("Other questions")), groups[code])
        for code in [*Category.values, ""]
        if code in groups
    ]
    return {"query": "", "category": category, "results": None, "categories": ordered}


def _too_many() -> JsonResponse:
    response = JsonResponse(
        {"results": [], "error": _("Too many requests. Please wait.")}, status=429
    )
    response["Retry-After"] = "60"
    add_never_cache_headers(response)
    return response


@require_GET
def suggestions(request: HttpRequest) -> JsonResponse:
    """ "These answers may help": up to three questions for what the citizen has typed so far
    (``?q=``), as title and link. Anonymous and counted per client address."""
    if is_ratelimited(
        request,
        group=RATE_GROUP,
        key="ip",
        rate=settings.FAQ_SUGGESTION_RATE_LIMIT,
        increment=True,
    ):
        return _too_many()
    results = [
        {"title": page.title, "url": page.get_url(request)}
        for page in matching_faqs(request.GET.get("q", ""), limit=SUGGESTIONS)
    ]
    response = JsonResponse({"results": results})
    add_never_cache_headers(response)
    return response
