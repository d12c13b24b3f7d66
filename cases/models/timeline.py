"""The case timeline: immutable events, public or internal, shown in Wagtail's history views."""

from django.db import models
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry, BaseLogEntryManager

from cases.models.complaints import Complaint


class CaseEventManager(BaseLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.setdefault("complaint", instance)
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(complaint=instance)

    def viewable_by_user(self, user):
        """Wagtail caches the content types a user may see on the user object, under one
        attribute shared by every log entry model but computed from one model's rows. Working
        that out from case events alone would hide every other model's entries from the site
        history whenever case events come first (the order of a set), so case events keep
        their answer to themselves. A request's user is a lazy object whose own ``__dict__``
        is not the user's: the cache lives on the wrapped user."""
        person = user
        if isinstance(user, LazyObject):
            if user._wrapped is empty:
                user._setup()
            person = user._wrapped
        kept = person.__dict__.pop("_allowed_content_type_ids", None)
        try:
            return super().viewable_by_user(person)
        finally:
            person.__dict__.pop("_allowed_content_type_ids", None)
            if kept is not None:
                person._allowed_content_type_ids = kept


class CaseEvent(BaseLogEntry):
    """One immutable entry of a case's timeline, shown in Wagtail's history views.

    ``is_public`` entries appear on the citizen's tracking page; the others are internal.
    """

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", db_index=True
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    is_public = models.BooleanField(default=False)

    objects = CaseEventManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["timestamp", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Case events are immutable")
        super().save(*args, **kwargs)

    @property
    def object_id(self):
        return self.complaint_id
