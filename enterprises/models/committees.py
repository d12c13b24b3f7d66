"""Owners' committees (业主委员会) as filed with the regulator (业委会备案), and their members.

The filing is the record later issues build on (work reports, surveys, votes): one row per
term of office, its members one row each. A member's access to the estate follows the term
(``enterprises.committees``): granted at the filing, withdrawn by the hourly sweep the day
after the term ends (``ended_at``) unless the term is renewed. Nothing is deleted: a member
who leaves keeps their row with ``removed_at``, so the history names them.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CommitteeQuerySet(models.QuerySet):
    def current(self, today=None):
        """Committees whose access stands: not ended, the term not over (an inclusive end)."""
        return self.filter(ended_at__isnull=True, term_ends_on__gte=today or timezone.localdate())


class OwnersCommittee(models.Model):
    """One term of office of an estate's owners' committee, filed by the regulator."""

    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="committees",
        verbose_name=_("estate"),
    )
    filing_number = models.CharField(_("filing number"), max_length=64, blank=True)
    term_starts_on = models.DateField(_("term starts on"))
    term_ends_on = models.DateField(_("term ends on"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    ended_at = models.DateTimeField(
        _("access ended at"),
        null=True,
        blank=True,
        help_text=_("When the members' access was withdrawn at the end of the term."),
    )

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("owners' committee")
        verbose_name_plural = _("owners' committees")
        ordering = ["-term_starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_ends_on__gt=F("term_starts_on")),
                name="committee_term_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.term_starts_on}–{self.term_ends_on}"


class CommitteePosition(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    MEMBER = "member", _("Member")


class CommitteeMember(models.Model):
    """A person sitting on one committee, in one position (主任 / 副主任 / 委员)."""

    committee = models.ForeignKey(
        OwnersCommittee,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("owners' committee"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="committee_seats",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(
        _("position"),
        max_length=16,
        choices=CommitteePosition.choices,
        default=CommitteePosition.MEMBER,
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="committee_member_once"),
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(position="chair", removed_at__isnull=True),
                name="committee_one_chair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_position_display()})"
