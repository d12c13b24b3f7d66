"""Site search (站内搜索): Wagtail's search over the live, public pages only, so a draft or a
page behind a restriction is never found."""

import re
import unicodedata

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse
from wagtail.models import Page

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search_text(raw: str, limit: int = MAX_QUERY_LENGTH) -> str:
    """What was typed into a search box, without control characters: nobody types them, and
    PostgreSQL refuses a NUL in any query (a 500 otherwise)."""
    text = "".join(ch for ch in raw if unicodedata.category(ch) != "Cc")
    return text.strip()[:limit]


NOT_A_WORD = re.compile(r"[^\w\s]+")


def search_words(query: str) -> str:
    """The words of a query, nothing else: the search backends read quotes, brackets, stars
    and colons as their own syntax (SQLite's full-text search fails on an unpaired quote),
    and the public box promises no syntax. Letters of every script and digits are words."""
    return " ".join(NOT_A_WORD.sub(" ", query).split())


def site_search(page: Page, request: HttpRequest) -> TemplateResponse:
    """The search form, and with ``?q=`` one page of results (``?p=`` the page number)."""
    query = search_text(request.GET.get("q", ""))
    results = None
    if query:
        words = search_words(query)
        found = Page.objects.live().public().specific().search(words) if words else []
        paginator = Paginator(found, RESULTS_PER_PAGE)
        try:
            results = paginator.page(request.GET.get("p", 1))
        except PageNotAnInteger:
            results = paginator.page(1)
        except EmptyPage:
            results = paginator.page(paginator.num_pages)
    return TemplateResponse(
        request,
        "portal/search_page.html",
        {"page": page, "self": page, "query": query, "results": results},
    )
