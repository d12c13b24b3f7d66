"""Owners' satisfaction surveys (满意度调查) and opinion collections (意见征集): draft → open →
closed, one answer per unit by a one-time household code.

- Who runs one: an official of the estate's district (a satisfaction survey, alone or one per
  estate of a city-wide campaign) or the estate's current owners' committee (a satisfaction
  survey or an opinion collection); only the runner's side opens, edits and closes it.
- A satisfaction survey starts from the template: the six service dimensions on a scale of
  1–5, then questions of its own (single choice, scale, text). An opinion collection has text
  questions only, and its answers are the committee's: never published.
- Opening issues one code per unit of the estate; questions may change until the first
  answer, never after (the answers would no longer mean the same).
- An answer spends its code in the same transaction (the code's row is locked): a second
  answer with it, a code of another survey, an unknown code or a closed survey is refused
  and nothing is stored. The answers do not name the code or the unit.
- Closing freezes the results. The response rate is the units that answered ÷ the units
  with a code; under ``CreditPolicy.survey_min_response_rate`` the survey is published but
  does not count. One that counts becomes one credit record of the company: the mean of the
  six dimensions (1–5) as a score of 100, (mean − 1) × 25, then the evaluations' rule:
  (score − 80) ÷ 5, rounded half away from zero (``enterprises.credit_score``).

Every function takes the acting user, refuses with ``SurveyRefused`` naming the form field
(``SurveyNotAllowed`` when the actor may not), changes everything or nothing in one
transaction and writes one audit event.
"""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from enterprises import credit_score, people, permissions
from enterprises.credit_tasks import queue_credit_recompute
from enterprises.models import (
    CreditPolicy,
    CreditRecordKind,
    Estate,
    HouseholdCode,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
    SurveyRunner,
    SurveyStatus,
    Unit,
)
from enterprises.models.evaluations import DIMENSIONS
from enterprises.models.surveys import SCALE_MAX, SCALE_MIN
from enterprises.survey_results import (
    counts_at,
    dimension_label,
    dimension_means,
    points_of,
    rate_of,
    score_of,
)
from foundation import audit
from foundation.state_machine import StateMachine

CREATED = "enterprises.survey.created"
QUESTION_ADDED = "enterprises.survey.question_added"
QUESTION_REMOVED = "enterprises.survey.question_removed"
OPENED = "enterprises.survey.opened"
CLOSED = "enterprises.survey.closed"
ANSWERED = "enterprises.survey.answered"

# Household codes: no 0/O, 1/I/L, so a code read aloud or copied by hand is not misread.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31**12 ≈ 8·10**17: a guess, rate-limited per address, never lands
CODE_GROUP = 4
MAX_CHOICES = 10
MAX_TEXT_ANSWER = 2000

ALLOWED_TRANSITIONS = {
    SurveyStatus.DRAFT: {SurveyStatus.OPEN},
    SurveyStatus.OPEN: {SurveyStatus.CLOSED},
    SurveyStatus.CLOSED: set(),
}


class SurveyRefused(people.PersonRefused):
    """The request cannot be done as asked; ``field`` names the form field at fault."""


class SurveyNotAllowed(SurveyRefused, people.NotAllowed):
    """The actor may not run or change this survey."""


MACHINE = StateMachine(
    Survey,
    transitions=ALLOWED_TRANSITIONS,
    error=SurveyRefused,
    refusal=_("This survey is “%(status)s”; it cannot become “%(target)s”."),
    lock_of=("self",),
)


def _audit(actor, action: str, survey: Survey, **data) -> None:
    audit.record_event(
        actor=actor,
        action=action,
        label=str(survey),
        filters={"survey": survey.pk, "estate": survey.estate_id, **data},
    )


# Codes --------------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    """``K7QM3XHPTR2A`` as ``K7QM-3XHP-TR2A``, to read aloud in groups."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalise_code(raw: str) -> str:
    """What the owner typed, without spaces or dashes, in capitals."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[: CODE_LENGTH * 2]


# Creating and editing -----------------------------------------------------------------------


def _runner(actor, estate: Estate, kind: str) -> str:
    """Which side the actor runs this survey for, or a refusal."""
    if permissions.committee_estates(actor).filter(pk=estate.pk).exists():
        return SurveyRunner.COMMITTEE
    if kind == SurveyKind.SATISFACTION and permissions.can_decide_for_estate(actor, estate):
        return SurveyRunner.REGULATOR
    if kind == SurveyKind.OPINIONS:
        raise SurveyNotAllowed(
            _("Only the estate's owners' committee collects its owners' opinions."), "estate"
        )
    raise SurveyNotAllowed(_("You may not run surveys of this estate."), "estate")


def _check_dates(opens_on, closes_on) -> None:
    if not isinstance(opens_on, datetime.date):
        raise SurveyRefused(_("Enter the first day of the survey."), "opens_on")
    if not isinstance(closes_on, datetime.date) or closes_on < opens_on:
        raise SurveyRefused(_("The survey must close on or after the day it opens."), "closes_on")
    if closes_on < timezone.localdate():
        raise SurveyRefused(_("This day has passed."), "closes_on")


def _template_questions(survey: Survey) -> None:
    """The six service dimensions on a scale of 1–5, in the site's language (they are shown
    in the reader's language from ``dimension``)."""
    with translation.override(settings.LANGUAGE_CODE):
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(
                survey=survey,
                position=index + 1,
                kind=QuestionKind.SCALE,
                text=str(dimension_label(name))[:255],
                dimension=name,
                required=True,
            )
            for index, name in enumerate(DIMENSIONS)
        )


def _create(*, actor, estate, kind, title, opens_on, closes_on, campaign) -> Survey:
    run_by = _runner(actor, estate, kind)
    title = (title or "").strip()
    if not title:
        raise SurveyRefused(_("Give the survey a title."), "title")
    if len(title) > 128:
        raise SurveyRefused(_("At most 128 characters."), "title")
    _check_dates(opens_on, closes_on)
    if kind not in SurveyKind.values:
        raise SurveyRefused(_("Choose a kind of survey."), "kind")
    if kind == SurveyKind.SATISFACTION and estate.managing_company_id is None:
        raise SurveyRefused(
            _("“%(estate)s” has no managing company to survey.") % {"estate": estate.name},
            "estate",
        )
    survey = Survey.objects.create(
        estate=estate,
        company_id=estate.managing_company_id,
        kind=kind,
        run_by=run_by,
        title=title,
        campaign=(campaign or "").strip()[:64],
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor,
    )
    if kind == SurveyKind.SATISFACTION:
        _template_questions(survey)
    _audit(actor, CREATED, survey, kind=kind, run_by=run_by, company=survey.company_id)
    return survey


@transaction.atomic
def create_survey(
    *, actor, estate: Estate, kind: str, title: str, opens_on, closes_on, campaign: str = ""
) -> Survey:
    """A draft survey of ``estate``; a satisfaction survey starts with the six dimensions."""
    return _create(
        actor=actor,
        estate=estate,
        kind=kind,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        campaign=campaign,
    )


@transaction.atomic
def start_campaign(
    *, actor, estates, title: str, opens_on, closes_on, campaign: str
) -> list[Survey]:
    """A city-wide campaign: one satisfaction draft per estate, all of them or none."""
    estates = list(estates)
    if not estates:
        raise SurveyRefused(_("Choose at least one estate."), "estates")
    if not (campaign or "").strip():
        raise SurveyRefused(_("Name the campaign."), "campaign")
    surveys = []
    for estate in estates:
        if not permissions.can_decide_for_estate(actor, estate):
            raise SurveyNotAllowed(
                _("You may not run surveys of “%(estate)s”.") % {"estate": estate.name},
                "estates",
            )
        surveys.append(
            _create(
                actor=actor,
                estate=estate,
                kind=SurveyKind.SATISFACTION,
                title=title,
                opens_on=opens_on,
                closes_on=closes_on,
                campaign=campaign,
            )
        )
    return surveys


def _lock_for_change(survey: Survey, actor) -> Survey:
    locked = MACHINE.lock(survey)
    if not permissions.manages_survey(actor, locked):
        raise SurveyNotAllowed(_("You may not change this survey."), "survey")
    if locked.status == SurveyStatus.CLOSED or locked.codes.filter(used_at__isnull=False).exists():
        raise SurveyRefused(
            _("Owners have already answered this survey: its questions can no longer change."),
            "survey",
        )
    return locked


def _check_choices(kind: str, choices) -> list[str]:
    if kind != QuestionKind.CHOICE:
        return []
    cleaned = [str(choice).strip() for choice in (choices or []) if str(choice).strip()]
    if len(cleaned) < 2:
        raise SurveyRefused(_("A single-choice question needs at least two choices."), "choices")
    if len(cleaned) > MAX_CHOICES:
        raise SurveyRefused(_("At most 10 choices."), "choices")
    if len(set(cleaned)) != len(cleaned):
        raise SurveyRefused(_("Each choice must differ from the others."), "choices")
    if any(len(choice) > 128 for choice in cleaned):
        raise SurveyRefused(_("A choice has at most 128 characters."), "choices")
    return cleaned


@transaction.atomic
def add_question(
    survey: Survey, *, actor, kind: str, text: str, choices=None, required: bool = False
) -> SurveyQuestion:
    """A question of the survey's own, after the others."""
    survey = _lock_for_change(survey, actor)
    if kind not in QuestionKind.values:
        raise SurveyRefused(_("Choose a kind of question."), "kind")
    if survey.kind == SurveyKind.OPINIONS and kind != QuestionKind.TEXT:
        raise SurveyRefused(_("An opinion collection asks text questions only."), "kind")
    text = (text or "").strip()
    if not text:
        raise SurveyRefused(_("Write the question."), "text")
    if len(text) > 255:
        raise SurveyRefused(_("At most 255 characters."), "text")
    cleaned = _check_choices(kind, choices)
    last = survey.questions.order_by("-position").values_list("position", flat=True).first()
    question = SurveyQuestion.objects.create(
        survey=survey,
        position=(last or 0) + 1,
        kind=kind,
        text=text,
        choices=cleaned,
        required=bool(required),
    )
    _audit(actor, QUESTION_ADDED, survey, question=question.pk, kind=kind, text=text)
    return question


@transaction.atomic
def remove_question(question: SurveyQuestion, *, actor) -> None:
    """Remove a question of the survey's own (the six dimensions stay: they are compared)."""
    survey = _lock_for_change(question.survey, actor)
    if question.dimension:
        raise SurveyRefused(
            _("The six service dimensions are part of every satisfaction survey."), "question"
        )
    SurveyQuestion.objects.filter(pk=question.pk, survey=survey).delete()
    _audit(actor, QUESTION_REMOVED, survey, question=question.pk, text=question.text)


# Opening and closing ------------------------------------------------------------------------


@transaction.atomic
def open_survey(survey: Survey, *, actor) -> Survey:
    """Open the survey: one household code per unit of the estate, issued now."""
    locked = MACHINE.lock(survey)
    if not permissions.manages_survey(actor, locked):
        raise SurveyNotAllowed(_("You may not open this survey."), "survey")
    if locked.status == SurveyStatus.OPEN:
        return locked
    MACHINE.check(locked, SurveyStatus.OPEN)
    if locked.closes_on < timezone.localdate():
        raise SurveyRefused(_("This day has passed."), "closes_on")
    if not locked.questions.exists():
        raise SurveyRefused(_("Add at least one question first."), "survey")
    units = list(Unit.objects.filter(estate_id=locked.estate_id).values_list("pk", flat=True))
    if not units:
        raise SurveyRefused(
            _("The estate has no units recorded: import its units before opening a survey."),
            "survey",
        )
    HouseholdCode.objects.bulk_create(
        HouseholdCode(survey=locked, unit_id=unit, code=new_code()) for unit in units
    )
    MACHINE.move(
        locked,
        SurveyStatus.OPEN,
        actor=actor,
        action=OPENED,
        data={"codes": len(units)},
        opened_at=timezone.now(),
        units_total=len(units),
    )
    return locked


def _frozen(survey: Survey, policy: CreditPolicy) -> dict:
    answered = survey.codes.filter(used_at__isnull=False).count()
    units = survey.units_total
    values = {
        "answered": answered,
        "response_rate": rate_of(answered, units),
        "min_response_rate": policy.survey_min_response_rate,
        "counts": False,
        "results": {},
    }
    if survey.kind != SurveyKind.SATISFACTION:
        return values
    means = dimension_means(survey)
    score = score_of(means)
    values["results"] = {
        "dimensions": {name: f"{float(mean):.2f}" for name, mean in means.items()},
        "score": f"{float(score):.2f}" if score is not None else None,
        "points": points_of(score) if score is not None else None,
    }
    values["counts"] = score is not None and counts_at(
        answered, units, policy.survey_min_response_rate
    )
    return values


def _record_credit(survey: Survey, policy: CreditPolicy) -> None:
    results = survey.results
    credit_score.write_record(
        survey.company_id,
        policy,
        _(
            "Owners' survey of %(estate)s (%(title)s): %(rate)s%% of units answered, the "
            "six dimensions averaged %(score)s of 100: (score − 80) ÷ 5, rounded, gives "
            "%(points)+d."
        ),
        {
            "estate": survey.estate.name,
            "title": survey.title,
            "rate": survey.response_rate,
            "score": results["score"],
            "points": results["points"],
        },
        kind=CreditRecordKind.SURVEY,
        points=results["points"],
        source_label=f"{survey.estate.name} {survey.title}"[:64],
        source_key=f"survey:{survey.pk}",
        occurred_on=timezone.localdate(survey.closed_at),
    )
    queue_credit_recompute(survey.company_id)


@transaction.atomic
def close_survey(survey: Survey, *, actor) -> Survey:
    """Close the survey and freeze its results; one that counts becomes a credit record."""
    locked = MACHINE.lock(survey)
    if actor is not None and not permissions.manages_survey(actor, locked):
        raise SurveyNotAllowed(_("You may not close this survey."), "survey")
    if locked.status == SurveyStatus.CLOSED:
        return locked
    MACHINE.check(locked, SurveyStatus.CLOSED)
    policy = CreditPolicy.load()
    # Codes not yet used are locked too: an answer in flight either lands before or is refused.
    list(locked.codes.select_for_update().filter(used_at__isnull=True).values_list("pk"))
    frozen = _frozen(locked, policy)
    MACHINE.move(
        locked,
        SurveyStatus.CLOSED,
        actor=actor,
        action=CLOSED,
        data={
            "answered": frozen["answered"],
            "units": locked.units_total,
            "response_rate": str(frozen["response_rate"]),
            "counts": frozen["counts"],
        },
        closed_at=timezone.now(),
        **frozen,
    )
    if locked.counts and locked.company_id:
        _record_credit(Survey.objects.select_related("estate").get(pk=locked.pk), policy)
    return locked


def close_due_surveys(today: datetime.date | None = None) -> int:
    """Close the open surveys whose last day has passed (a beat task may call this)."""
    today = today or timezone.localdate()
    due = Survey.objects.filter(status=SurveyStatus.OPEN, closes_on__lt=today)
    closed = 0
    for survey in due.order_by("pk"):
        close_survey(survey, actor=None)
        closed += 1
    return closed


# Answering ----------------------------------------------------------------------------------

UNKNOWN_CODE = _("This household code is not valid for this survey. Check it against your slip.")
USED_CODE = _("This household code has already been used: each household answers once.")
NOT_OPEN = _("This survey is not open for answers.")


def find_code(raw: str) -> HouseholdCode | None:
    """The code's row (with its survey), or None."""
    code = normalise_code(raw)
    if len(code) != CODE_LENGTH:
        return None
    return HouseholdCode.objects.select_related("survey").filter(code=code).first()


def is_answerable(survey: Survey, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return survey.status == SurveyStatus.OPEN and survey.opens_on <= today <= survey.closes_on


def _clean_answer(question: SurveyQuestion, value) -> dict | None:
    """The answer's stored fields, None when left blank; refuses a wrong value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if question.required:
            raise SurveyRefused(_("Answer this question."), f"q{question.pk}")
        return None
    field = f"q{question.pk}"
    if question.kind == QuestionKind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or not SCALE_MIN <= number <= SCALE_MAX:
            raise SurveyRefused(_("Choose a mark from 1 to 5."), field)
        return {"scale": number}
    if question.kind == QuestionKind.CHOICE:
        if value not in question.choices:
            raise SurveyRefused(_("Choose one of the answers offered."), field)
        return {"choice": value}
    text = str(value).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise SurveyRefused(_("At most 2,000 characters."), field)
    return {"text": text}


def submit_answers(survey: Survey, *, code: str, answers: dict) -> SurveyResponse:
    """One household's answers (``answers``: question id → value) with its code, which is
    spent in the same transaction; refused, with nothing stored, for any wrong code."""
    normalised = normalise_code(code)
    with transaction.atomic():
        found = (
            HouseholdCode.objects.select_for_update()
            .filter(code=normalised, survey_id=survey.pk)
            .first()
        )
        if found is None or len(normalised) != CODE_LENGTH:
            raise SurveyRefused(UNKNOWN_CODE, "code")
        # The survey's row is read after the code's lock: closing locks the unused codes.
        current = Survey.objects.get(pk=survey.pk)
        if not is_answerable(current):
            raise SurveyRefused(NOT_OPEN, "code")
        if found.used_at is not None:
            raise SurveyRefused(USED_CODE, "code")
        cleaned = []
        for question in current.questions.all():
            stored = _clean_answer(question, answers.get(question.pk))
            if stored is not None:
                cleaned.append((question, stored))
        if not cleaned:
            raise SurveyRefused(_("Answer at least one question."), None)
        response = SurveyResponse.objects.create(survey=current)
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(response=response, question=question, **stored)
            for question, stored in cleaned
        )
        found.used_at = timezone.now()
        found.save(update_fields=["used_at"])
        _audit(None, ANSWERED, current)
    return response
