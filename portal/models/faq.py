"""The knowledge base (常见问题): questions and answers officials publish through the same
"Official review" workflow as notices, offered to citizens on the site and as they type a
complaint, and to intake staff answering a consultation at once (即问即答).

A page's title is its question. Keywords are what makes a Chinese question findable: the
database search backend splits text on spaces and punctuation, so an unspaced Chinese
sentence is one long "word"; the keywords are indexed one by one and also matched inside what
a citizen types (``portal.site.faq``)."""

import html
import re

from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.rich_text import expand_db_html
from wagtail.search import index

from cases.models import Category

# Commas (Latin and Chinese), the enumeration comma, semicolons and white space.
KEYWORD_SEPARATORS = re.compile(r"[,，、;；\s]+")


def split_keywords(text: str) -> list[str]:
    """The keywords of ``text`` in the order typed, each once, case kept."""
    seen: dict[str, None] = {}
    for word in KEYWORD_SEPARATORS.split(text or ""):
        if word and word.lower() not in {w.lower() for w in seen}:
            seen[word] = None
    return list(seen)


class FaqIndexPage(Page):
    """The list of questions (常见问题), by category, with its own search box."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.FaqPage"]
    max_count = 1

    class Meta:
        verbose_name = _("questions and answers index")

    def get_context(self, request, *args, **kwargs):
        from portal.site.faq import faq_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(faq_index_context(self, request))
        return context


class FaqPage(Page):
    """One question (the title) and its answer, in a complaint category, with keywords."""

    answer = RichTextField(_("answer"))
    category = models.CharField(
        _("category"), max_length=24, choices=Category.choices, blank=True, db_index=True
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_(
            "Words a citizen would use for this question, separated by commas, e.g. "
            "电梯, 困人, 维保. A complaint that contains one of them is offered this answer."
        ),
    )

    content_panels = [*Page.content_panels, "category", "keywords", "answer"]
    search_fields = [
        *Page.search_fields,
        index.SearchField("answer"),
        index.SearchField("keyword_text", boost=2),
        index.FilterField("category"),
    ]
    parent_page_types = ["portal.FaqIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("question and answer")
        verbose_name_plural = _("questions and answers")

    @property
    def question(self) -> str:
        return self.title

    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)

    def keyword_text(self) -> str:
        """The keywords as separate words for the search index."""
        return " ".join(self.keyword_list())

    def answer_text(self) -> str:
        """The answer as plain text (a public reply is plain text)."""
        marked_up = re.sub(r"</p>|<br\s*/?>|</li>", "\n", expand_db_html(self.answer or ""))
        lines = (line.strip() for line in html.unescape(strip_tags(marked_up)).splitlines())
        return "\n".join(line for line in lines if line)
