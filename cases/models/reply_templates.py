"""Reply templates (常用回复): standard texts per action and category, in both languages,
edited by officials and inserted into the case page's action forms, where the handler edits
them before sending. Placeholders are filled by ``cases.reply_templates.render_template``.
"""

from string import Formatter

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.complaints import Category

# What a template may say in braces; anything else is refused when the template is saved.
PLACEHOLDERS = ("tracking_number", "due_date", "estate", "category")


class ReplyAction(models.TextChoices):
    REJECTION = "rejection", _("Rejection (not accepted)")
    QUESTION = "question", _("Question to the complainant")
    RESOLUTION = "resolution", _("Resolution (public reply)")
    RETURN_REASON = "return_reason", _("Reason for returning a case")
    OTHER = "other", _("Other")


def validate_placeholders(text: str) -> None:
    """Refuse a placeholder not in ``PLACEHOLDERS`` (named in the message), a positional or
    formatted one, and an unpaired brace: rendering must never fail on a saved template."""
    try:
        fields = [(name, spec, conv) for _t, name, spec, conv in Formatter().parse(text)]
    except ValueError:
        raise ValidationError(
            _("A brace is not paired: write {{ or }} for a brace itself."), code="braces"
        ) from None
    for name, spec, conversion in fields:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise ValidationError(
                _("Unknown placeholder {%(name)s}: use only %(known)s."),
                code="placeholder",
                params={"name": name, "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)},
            )


class ReplyTemplate(models.Model):
    action = models.CharField(_("action"), max_length=16, choices=ReplyAction.choices)
    category = models.CharField(
        _("category"),
        max_length=24,
        choices=Category.choices,
        blank=True,
        help_text=_("Leave blank to offer the template for every category."),
    )
    title = models.CharField(_("title"), max_length=120)
    text_zh = models.TextField(
        _("text (Chinese)"),
        validators=[validate_placeholders],
        help_text=_(
            "Placeholders: {tracking_number}, {due_date}, {estate}, {category}. Write {{ or }} "
            "for a brace itself."
        ),
    )
    text_en = models.TextField(_("text (English)"), validators=[validate_placeholders])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["action", "category", "title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Also when saved outside a form (the demo, a shell): a bad template never gets in.
        for name in ("text_zh", "text_en"):
            try:
                validate_placeholders(getattr(self, name))
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from None
        super().save(*args, **kwargs)
