"""The credit score (信用评价): records of evaluations, and the score, grade and list that
every counted record explains.

``recompute_credit`` is the only writer of the cached score on ``Company``. The records that
the cases app pushes (complaints, rectification orders, penalties) and appeals live in
``enterprises.credit``; the Celery tasks that recompute in ``enterprises.credit_tasks``. The
rules for readers: README, "Credit evaluation".
"""

import datetime
import math
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import (
    Company,
    CreditPolicy,
    CreditRecord,
    CreditRecordKind,
    Evaluation,
)
from enterprises.models.evaluations import DIMENSIONS
from foundation import audit

Kind = CreditRecordKind
EVALUATION_PIVOT = 80  # an average of 80 is worth 0 points
EVALUATION_STEP = 5  # each 5 points of average above or below it is worth one point
BLACK_LIST_SCORE_MARGIN = 20  # black-listed below grade B's threshold less this margin


def write_record(
    company_id: int, policy: CreditPolicy, explanation, params: dict, **fields
) -> CreditRecord:
    """Idempotent by (company, source_key): a record once written keeps its points and
    validity even when the policy changes later. Its explanation is stored in the site's
    language, whoever (a request, a beat task) writes it."""
    with translation.override(settings.LANGUAGE_CODE):
        explanation = (str(explanation) % params)[:255]
    valid_until = fields["occurred_on"] + datetime.timedelta(days=policy.validity_days)
    record, _created = CreditRecord.objects.get_or_create(
        company_id=company_id,
        source_key=fields.pop("source_key"),
        defaults={**fields, "explanation": explanation, "valid_until": valid_until},
    )
    return record


def evaluation_points(evaluation: Evaluation) -> int:
    """(average − 80) ÷ 5, to the nearest whole point, halves away from zero: exact
    arithmetic, so 82.5 gives +1 and 77.5 gives −1 (90 → +2, 60 → −4)."""
    total = sum(getattr(evaluation, name) for name in DIMENSIONS)
    exact = Fraction(total - EVALUATION_PIVOT * len(DIMENSIONS), EVALUATION_STEP * len(DIMENSIONS))
    magnitude = math.floor(abs(exact) + Fraction(1, 2))
    return magnitude if exact >= 0 else -magnitude


def record_evaluation(
    evaluation: Evaluation, *, policy: CreditPolicy | None = None
) -> CreditRecord:
    policy = policy or CreditPolicy.load()
    points = evaluation_points(evaluation)
    estate = evaluation.estate
    return write_record(
        evaluation.company_id,
        policy,
        gettext_lazy(
            "%(kind)s evaluation of %(estate)s for %(period)s averaged %(average).1f of 100: "
            "(average − 80) ÷ 5, rounded, gives %(points)+d."
        ),
        {
            "kind": evaluation.get_evaluator_kind_display(),
            "estate": estate.name,
            "period": evaluation.period,
            "average": evaluation.average,
            "points": points,
        },
        kind=Kind.EVALUATION,
        points=points,
        source_label=f"{estate.name} {evaluation.period}"[:64],
        source_key=f"evaluation:{evaluation.pk}",
        occurred_on=timezone.localdate(evaluation.submitted_at),
    )


def _record_missing(company: Company, policy: CreditPolicy) -> None:
    """Write the records of evaluations that have none yet (a nightly run catches anything a
    request missed). Records of cases' sources are pushed with the change that makes them."""
    existing = set(company.credit_records.values_list("source_key", flat=True))
    for evaluation in company.evaluations.select_related("estate"):
        if f"evaluation:{evaluation.pk}" not in existing:
            record_evaluation(evaluation, policy=policy)


# The score and its explanation ------------------------------------------------------------


@dataclass(frozen=True)
class ExplainedRecord:
    record: CreditRecord
    counted: bool
    reason: str
    capped_to: int | None = None  # a good record beyond the policy's cap adds only this

    @property
    def points(self) -> int:
        """What the record adds to the score today: its points (or what the cap leaves of
        them) if counted, else 0."""
        if not self.counted:
            return 0
        return self.record.points if self.capped_to is None else self.capped_to


def _within_cap(counted: list[ExplainedRecord], cap: int) -> list[ExplainedRecord]:
    """Good records add at most ``cap`` points together; the oldest count first, so a new
    record never takes points from one the company was already credited with."""
    good = [item for item in counted if item.record.kind in Kind.GOOD_RECORDS]
    good.sort(key=lambda item: (item.record.occurred_on, item.record.pk))
    room, capped = cap, {}
    for item in good:
        given = max(0, min(item.record.points, room))
        room -= given
        if given != item.record.points:
            reason = _(
                "%(reason)s Good records add at most %(cap)d points together: "
                "this one adds %(given)d."
            ) % {"reason": item.reason, "cap": cap, "given": given}
            capped[item.record.pk] = ExplainedRecord(item.record, True, reason, capped_to=given)
    return [capped.get(item.record.pk, item) for item in counted]


@dataclass(frozen=True)
class CreditExplanation:
    company_id: int
    on: datetime.date
    base_score: int
    counted: list[ExplainedRecord] = field(default_factory=list)
    not_counted: list[ExplainedRecord] = field(default_factory=list)
    points: int = 0
    score: int = 0
    grade: str = ""
    credit_list: str = ""
    list_reason: str = ""


def _grade(score: int, policy: CreditPolicy) -> str:
    for grade, threshold in (
        ("AAA", policy.grade_aaa_from),
        ("AA", policy.grade_aa_from),
        ("A", policy.grade_a_from),
        ("B", policy.grade_b_from),
    ):
        if score >= threshold:
            return grade
    return "C"


def _credit_list(score: int, penalties: int, policy: CreditPolicy) -> tuple[str, str]:
    black_from = policy.grade_b_from - BLACK_LIST_SCORE_MARGIN
    values = {"score": score, "count": penalties}
    if policy.black_list_penalties and penalties >= policy.black_list_penalties:
        values["limit"] = policy.black_list_penalties
        text = _("%(count)d administrative penalties count; the black list starts at %(limit)d.")
        return "black", text % values
    if score < black_from:
        return "black", _("The score %(score)d is below %(limit)d.") % {
            **values,
            "limit": black_from,
        }
    if score >= policy.red_list_from and penalties == 0:
        values["limit"] = policy.red_list_from
        return "red", _("The score %(score)d reaches %(limit)d and no penalty counts.") % values
    return "", ""


def explain_credit(
    company: Company, today: datetime.date | None = None, *, policy: CreditPolicy | None = None
) -> CreditExplanation:
    """The score of ``company`` on ``today`` and every record that makes it."""
    today = today or timezone.localdate()
    policy = policy or CreditPolicy.load()
    counted, not_counted = [], []
    for record in CreditRecord.objects.filter(company=company, occurred_on__lte=today):
        if record.withdrawn:
            not_counted.append(ExplainedRecord(record, False, _("Withdrawn on appeal.")))
        elif record.valid_until < today:
            reason = _("Expired on %(date)s.") % {"date": record.valid_until.isoformat()}
            not_counted.append(ExplainedRecord(record, False, reason))
        else:
            reason = _("Counts until %(date)s.") % {"date": record.valid_until.isoformat()}
            counted.append(ExplainedRecord(record, True, reason))
    counted = _within_cap(counted, policy.good_record_cap)
    points = sum(item.points for item in counted)
    score = max(0, min(100, policy.base_score + points))
    penalties = sum(1 for item in counted if item.record.kind == Kind.PENALTY)
    credit_list, list_reason = _credit_list(score, penalties, policy)
    return CreditExplanation(
        company_id=company.pk,
        on=today,
        base_score=policy.base_score,
        counted=counted,
        not_counted=not_counted,
        points=points,
        score=score,
        grade=_grade(score, policy),
        credit_list=credit_list,
        list_reason=list_reason,
    )


def recompute_credit(company: Company, today: datetime.date | None = None) -> CreditExplanation:
    """Catch up the records, then cache score, grade and list on the company."""
    policy = CreditPolicy.load()
    _record_missing(company, policy)
    with transaction.atomic():
        # The lock makes concurrent recomputes of one company write and audit in turn.
        before = (
            Company.objects.select_for_update()
            .values("credit_score", "credit_grade", "credit_list")
            .get(pk=company.pk)
        )
        explanation = explain_credit(company, today, policy=policy)
        after = {
            "credit_score": explanation.score,
            "credit_grade": explanation.grade,
            "credit_list": explanation.credit_list,
        }
        now = timezone.now()
        Company.objects.filter(pk=company.pk).update(**after, credit_computed_at=now)
        if after != before:
            audit.record(company, "enterprises.credit.recomputed", before=before, after=after)
    for name, value in {**after, "credit_computed_at": now}.items():
        setattr(company, name, value)
    return explanation
