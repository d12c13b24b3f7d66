"""Service evaluations (服务质量评价) submitted by third-party evaluators and owners' committees.

An evaluation scores the company that manages the estate on the six dimensions; each one
becomes a credit record (see ``enterprises.credit``), so the company's credit is recomputed
once the evaluation is committed. The period and PDF checks here are shared with disclosures.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.credit_tasks import queue_credit_recompute
from enterprises.models import Estate, Evaluation, EvaluatorKind
from enterprises.models.evaluations import DIMENSIONS
from enterprises.permissions import (
    can_evaluate_estate,
    is_third_party_evaluator,
    sits_on_committee_of,
)
from foundation.audit import record
from foundation.uploads import validate_pdf

PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>H[12]|Q[1-4]))?$")
FIRST_YEAR = 2000
_PART_START_MONTH = {None: 1, "H1": 1, "H2": 7, "Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10}


class EvaluationError(Exception):
    """An evaluation was refused; the message is shown to the user as is."""


def check_period(period: str) -> str:
    """Return the period normalised (``2026``, ``2026-H1``, ``2026-Q3``) or raise
    ValidationError saying what a period looks like."""
    normalised = (period or "").strip().upper()
    match = PERIOD_PATTERN.match(normalised)
    if match is None or int(match["year"]) < FIRST_YEAR:
        raise ValidationError(
            _(
                "“%(period)s” is not a period: write a year (2026), a half-year (2026-H1 or "
                "2026-H2) or a quarter (2026-Q1 to 2026-Q4)."
            )
            % {"period": period}
        )
    return normalised


def period_start(period: str) -> datetime.date:
    """The first day of a period already checked by ``check_period``."""
    match = PERIOD_PATTERN.match(period)
    return datetime.date(int(match["year"]), _PART_START_MONTH[match["part"]], 1)


def _check_scores(scores: dict) -> dict[str, int]:
    unknown = sorted(set(scores) - set(DIMENSIONS))
    if unknown:
        raise EvaluationError(
            _("Unknown evaluation dimension(s): %(names)s.") % {"names": ", ".join(unknown)}
        )
    checked = {}
    for name in DIMENSIONS:
        label = Evaluation._meta.get_field(name).verbose_name
        value = scores.get(name)
        if value is None:
            raise EvaluationError(
                _("The score for “%(dimension)s” is missing.") % {"dimension": label}
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise EvaluationError(
                _(
                    "The score for “%(dimension)s” must be a whole number from 0 to 100, "
                    "not %(value)r."
                )
                % {"dimension": label, "value": value}
            )
        checked[name] = value
    return checked


def _evaluator_kind(actor, estate: Estate) -> str:
    """A committee member of this very estate speaks for the owners; anyone else allowed to
    evaluate it is an engaged third party."""
    if sits_on_committee_of(actor, estate):
        return EvaluatorKind.OWNERS_COMMITTEE
    if is_third_party_evaluator(actor):
        return EvaluatorKind.THIRD_PARTY
    raise EvaluationError(_("Only an engaged evaluator or the owners' committee may evaluate."))


def submit_evaluation(
    *, actor, estate: Estate, period: str, scores: dict[str, int], report=None
) -> Evaluation:
    """Store one evaluation of ``estate`` for ``period`` by ``actor``; nothing is stored
    when anything is wrong."""
    if actor is None or not can_evaluate_estate(actor, estate):
        raise EvaluationError(
            _("You are not engaged to evaluate “%(estate)s”.") % {"estate": estate.name}
        )
    kind = _evaluator_kind(actor, estate)
    if estate.managing_company_id is None:
        raise EvaluationError(
            _("“%(estate)s” has no managing company to evaluate.") % {"estate": estate.name}
        )
    try:
        period = check_period(period)
        if report is not None:
            validate_pdf(report)
    except ValidationError as exc:
        raise EvaluationError(exc.messages[0]) from exc
    if period_start(period) > timezone.localdate():
        raise EvaluationError(_("The period %(period)s has not begun yet.") % {"period": period})
    checked = _check_scores(scores)
    duplicate = _(
        "You have already evaluated “%(estate)s” for %(period)s; an evaluation cannot be "
        "submitted twice."
    ) % {"estate": estate.name, "period": period}
    if Evaluation.objects.filter(estate=estate, evaluator=actor, period=period).exists():
        raise EvaluationError(duplicate)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: a concurrent duplicate loses here
                evaluation = Evaluation.objects.create(
                    estate=estate,
                    company_id=estate.managing_company_id,
                    evaluator=actor,
                    evaluator_kind=kind,
                    period=period,
                    **checked,
                )
        except IntegrityError as exc:
            raise EvaluationError(duplicate) from exc
        if report is not None:
            # The uploader's file name is not kept: it is chosen here.
            evaluation.report.save(f"evaluation-{estate.pk}-{period}.pdf", report, save=True)
        record(
            evaluation,
            "enterprises.evaluation.submitted",
            actor=actor,
            estate=estate.pk,
            company=estate.managing_company_id,
            period=period,
            evaluator_kind=kind,
            average=round(evaluation.average, 2),
        )
        queue_credit_recompute(estate.managing_company_id)
    return evaluation
