"""The industry association's records (行业协会): peer reviews (互评) and honours (表彰).

Only the association records them, for any company in the register; each good one becomes
a credit record at once (an honour always, a peer review from the policy's score), counted
within the cap of good records (``enterprises.credit_score``).
"""

import datetime
import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises import credit_score
from enterprises.credit_tasks import queue_credit_recompute
from enterprises.evaluations import check_period
from enterprises.models import Company, CreditPolicy, CreditRecordKind, Honour, PeerReview
from enterprises.permissions import is_association
from foundation import audit
from foundation.uploads import validate_pdf


class AssociationError(Exception):
    """Refused; ``message`` is shown as is, on ``field`` of the form when it names one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def _the_association(actor) -> None:
    if not is_association(actor):
        raise AssociationError(_("Only the industry association records peer reviews and honours."))


def _score(value) -> Decimal:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise AssociationError(_("A score is a number from 0 to 100."), "score") from error
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise AssociationError(_("A score is a number from 0 to 100."), "score")
    return score.quantize(Decimal("0.01"))


def record_peer_review(*, actor, company: Company, period: str, score, report) -> PeerReview:
    """One peer review per company and period, with its report; a good score is credited."""
    _the_association(actor)
    score = _score(score)
    try:
        period = check_period(period)
    except ValidationError as error:
        raise AssociationError(" ".join(error.messages), "period") from error
    if not report:
        raise AssociationError(_("A peer review needs its report."), "report")
    try:
        validate_pdf(report)
    except ValidationError as error:
        raise AssociationError(" ".join(error.messages), "report") from error
    report.name = f"{period}-{os.urandom(6).hex()}.pdf"
    policy = CreditPolicy.load()
    try:
        with transaction.atomic():
            review = PeerReview.objects.create(
                company=company, period=period, score=score, report=report, recorded_by=actor
            )
            audit.record(review, "enterprises.association.peer_review_recorded", actor=actor)
            if score >= policy.peer_review_good_from:
                credit_score.write_record(
                    company.pk,
                    policy,
                    gettext_lazy(
                        "Peer review of the industry association for %(period)s: %(score)s of "
                        "100, at or above %(good)d."
                    ),
                    {"period": period, "score": score, "good": policy.peer_review_good_from},
                    kind=CreditRecordKind.PEER_REVIEW,
                    points=policy.peer_review_points,
                    source_label=f"{period} {score}"[:64],
                    source_key=f"peer_review:{review.pk}",
                    occurred_on=timezone.localdate(),
                )
                queue_credit_recompute(company.pk)
    except IntegrityError as error:
        raise AssociationError(
            _("“%(company)s” already has a peer review for %(period)s.")
            % {"company": company.name, "period": period},
            "period",
        ) from error
    return review


def record_honour(
    *, actor, company: Company, title: str, awarded_on: datetime.date, awarded_by: str
) -> Honour:
    _the_association(actor)
    if not (title or "").strip() or not (awarded_by or "").strip():
        raise AssociationError(_("Name the honour and who awarded it."), "title")
    if awarded_on > timezone.localdate():
        raise AssociationError(_("An honour is recorded once it is awarded."), "awarded_on")
    policy = CreditPolicy.load()
    with transaction.atomic():
        honour = Honour.objects.create(
            company=company,
            title=title.strip(),
            awarded_on=awarded_on,
            awarded_by=awarded_by.strip(),
            recorded_by=actor,
        )
        audit.record(honour, "enterprises.association.honour_recorded", actor=actor)
        credit_score.write_record(
            company.pk,
            policy,
            gettext_lazy("Honour “%(title)s” awarded by %(by)s."),
            {"title": honour.title, "by": honour.awarded_by},
            kind=CreditRecordKind.HONOUR,
            points=policy.honour_points,
            source_label=honour.title[:64],
            source_key=f"honour:{honour.pk}",
            occurred_on=awarded_on,
        )
        queue_credit_recompute(company.pk)
    return honour
