"""The owners' vote (业主共同决定, Civil Code art. 278): a matter called by the estate's
committee, a voting period, one ballot row per exclusive unit.

Each ballot row holds the digest of the unit's one-time code, never the code itself: the code
is derived from the server's secret and the vote's salt (``enterprises.votes``), so it can be
printed again on the ballot sheet but not read from a copy of the database. The row's choice
is empty until the owner votes on the public site or a paper ballot is entered; a paper ballot
counts only once a second committee member confirmed it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Matter(models.TextChoices):
    """The matters of Civil Code art. 278 para. 1, by their number there."""

    RULES_OF_PROCEDURE = "1", _("(1) Adopt or amend the owners' assembly's rules of procedure")
    MANAGEMENT_STATUTE = "2", _("(2) Adopt or amend the management statute")
    COMMITTEE = "3", _("(3) Elect the owners' committee or replace its members")
    COMPANY = "4", _("(4) Hire or dismiss the property-management company")
    USE_MAINTENANCE_FUND = "5", _("(5) Use the maintenance fund")
    RAISE_MAINTENANCE_FUND = "6", _("(6) Raise the maintenance fund")
    REBUILD = "7", _("(7) Alter or rebuild buildings and their facilities")
    COMMON_PARTS = "8", _("(8) Change the use of common parts or run a business with them")
    OTHER = "9", _("(9) Other major matters of common ownership and management")


# Art. 278 para. 2: these need three quarters of the participating area and owners.
QUALIFIED_MATTERS = frozenset({Matter.RAISE_MAINTENANCE_FUND, Matter.REBUILD, Matter.COMMON_PARTS})


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Voting")
    CLOSED = "closed", _("Voting closed")
    TALLIED = "tallied", _("Tallied")
    FILED = "filed", _("Filed with the regulator")


class Vote(models.Model):
    """One decision put to the owners of an estate."""

    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="votes",
        verbose_name=_("estate"),
    )
    committee = models.ForeignKey(
        "enterprises.OwnersCommittee",
        on_delete=models.PROTECT,
        related_name="votes",
        verbose_name=_("owners' committee"),
    )
    matter = models.CharField(
        _("matter (Civil Code art. 278)"), max_length=2, choices=Matter.choices
    )
    question = models.CharField(_("question put to the owners"), max_length=300)
    company = models.ForeignKey(
        "enterprises.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("company hired or dismissed"),
    )
    dismissal = models.BooleanField(_("dismisses the company"), default=False)
    opens_at = models.DateTimeField(_("voting opens at"))
    closes_at = models.DateTimeField(_("voting closes at"))
    status = models.CharField(
        _("status"), max_length=16, choices=VoteStatus.choices, default=VoteStatus.DRAFT
    )
    code_salt = models.CharField(max_length=32, editable=False)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("called by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The tally, as ``enterprises.vote_tally.Tally.as_record`` wrote it.
    result = models.JSONField(_("tally of the vote"), null=True, blank=True)
    passed = models.BooleanField(_("vote passed"), null=True)
    tallied_at = models.DateTimeField(_("tallied at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("owners' vote")
        verbose_name_plural = _("owners' votes")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="vote_closes_after_it_opens"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.question}"


class BallotChoice(models.TextChoices):
    YES = "yes", _("Yes, I agree")
    NO = "no", _("No, I disagree")
    ABSTAIN = "abstain", _("Abstain")


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper ballot")


class Ballot(models.Model):
    """The ballot of one unit in one vote: its code's digest, then its choice once cast."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    unit = models.ForeignKey("enterprises.Unit", on_delete=models.PROTECT, related_name="ballots")
    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    choice = models.CharField(_("choice"), max_length=8, choices=BallotChoice.choices, blank=True)
    channel = models.CharField(
        _("how cast"), max_length=8, choices=BallotChannel.choices, blank=True
    )
    cast_at = models.DateTimeField(_("cast at"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["vote", "unit"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["vote", "unit"], name="ballot_one_per_unit"),
            models.CheckConstraint(
                condition=~Q(entered_by=F("confirmed_by")) | Q(confirmed_by__isnull=True),
                name="ballot_confirmed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id} · {self.unit}"

    @property
    def counts(self) -> bool:
        """Cast online, or on paper and confirmed by a second member."""
        if not self.choice:
            return False
        return self.channel == BallotChannel.ONLINE or self.confirmed_at is not None
