"""Published content officials edit through the moderation workflow: notices (公告) and
service standards (服务标准) with numbered, linkable clauses."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class NoticeIndexPage(Page):
    """The list of notices, newest first."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.NoticePage"]
    max_count = 1

    class Meta:
        verbose_name = _("notice index")


class NoticePage(Page):
    """A notice (公告): what the regulator announces, with its date and attachments."""

    date = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = RichTextField(_("text"))
    attachments = StreamField(
        [("document", DocumentChooserBlock(label=_("document")))],
        blank=True,
        verbose_name=_("attachments"),
    )

    content_panels = [*Page.content_panels, "date", "summary", "body", "attachments"]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["portal.NoticeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")


class ClauseBlock(blocks.StructBlock):
    """One numbered clause; its number is also its anchor (#clause-4.2)."""

    number = blocks.CharBlock(label=_("number"), max_length=16, help_text=_("e.g. 4.2"))
    heading = blocks.CharBlock(label=_("heading"), max_length=120, required=False)
    text = blocks.RichTextBlock(label=_("text"))

    class Meta:
        icon = "list-ol"
        label = _("clause")
        template = "portal/blocks/clause.html"


class StandardIndexPage(Page):
    """The list of service standards, in force first."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, "intro"]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("standard index")


class StandardPage(Page):
    """A service standard (服务标准): its code, effective dates, clauses, attachments and the
    version it replaces."""

    code = models.CharField(_("standard code"), max_length=40, help_text=_("e.g. QL/WY 001—2026"))
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    replaces = models.ForeignKey(
        "portal.StandardPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    clauses = StreamField([("clause", ClauseBlock())], verbose_name=_("clauses"))
    attachments = StreamField(
        [("document", DocumentChooserBlock(label=_("document")))],
        blank=True,
        verbose_name=_("attachments"),
    )

    content_panels = [
        *Page.content_panels,
        "code",
        "effective_from",
        "effective_until",
        "replaces",
        "summary",
        "clauses",
        "attachments",
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("code"),
        index.SearchField("summary"),
        index.SearchField("clauses"),
    ]
    parent_page_types = ["portal.StandardIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
