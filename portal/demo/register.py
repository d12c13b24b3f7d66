"""The register's workflows in the demo city 青岚市, for ``manage.py seed_demo``.

Licences, service contracts, disclosures, evaluations and credit appeals are all made by the
verbs of ``enterprises`` and by the people who would use them (company staff apply and
submit, the city-wide official decides, the sweeps expire), so the demo shows every state the
screens can show and never a state the workflow could not reach. Only timestamps are
back-dated directly, as for the complaints. Each section does nothing when its records
already exist and returns None then, else the records it made counted by status.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cases.models import Complaint
from enterprises import contracts, credit, disclosures, evaluations, licensing
from enterprises.credit_codes import check_character
from enterprises.models import (
    Company,
    CreditAppeal,
    CreditRecord,
    CreditRecordKind,
    Disclosure,
    DisclosureKind,
    Estate,
    Evaluation,
    Licence,
    ServiceContract,
)
from enterprises.models.evaluations import DIMENSIONS
from enterprises.permissions import committee_estates, evaluated_estates
from portal.demo import data
from portal.demo.files import pdf_bytes

ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
DAY = datetime.timedelta(days=1)
LICENCE_DAYS = 5 * 365 + 1  # a licence is valid for five years
# Indexes into the company plan (0 is the `company` login's company and renews its licence).
EXTENSION_APPLICANTS = (3, 16)  # a second application (增项) waits for a decision
REJECTED_APPLICANT = 5
REINSTATED_COMPANY = 14  # suspended once, reinstated after rectification
EXPIRED_COMPANY = 12  # its first licence expired; the renewal is approved
# Indexes into the estates with a managing company.
EXPIRED_ESTATE, TERMINATED_ESTATE = 11, 7
RETURNED_ESTATES, PENDING_ESTATES = (23, 58), (31, 77)
DISCLOSED_ESTATES = 30
DRAFT_SHARE = 0.15
QUARTERS_EVALUATED = 4
FEE_RANGES = {"1": (280, 450), "2": (200, 320), "3": (150, 240), "4": (100, 180), "5": (60, 120)}
LEVEL_WEIGHTS = {"1": 1, "2": 3, "3": 4, "4": 2, "5": 1}


@dataclass(frozen=True)
class World:
    """What the sections work on. Company 0 is the `company` login's and manages the
    committee's estate, estates[0]; ``actors`` maps a company's pk to who acts for it."""

    companies: list[Company]
    estates: list[Estate]
    actors: dict[int, object]
    official: object
    evaluator: object
    committee: object
    today: datetime.date
    suspended: tuple[int, ...]  # the companies the register lists as suspended

    @property
    def by_pk(self) -> dict[int, Company]:
        return {company.pk: company for company in self.companies}

    def managed_estates(self) -> list[Estate]:
        """The estates as the database has them now (filings move managing companies)."""
        pks = [estate.pk for estate in self.estates]
        queryset = Estate.objects.filter(pk__in=pks, managing_company__isnull=False)
        return list(queryset.order_by("pk"))


def counted(model) -> Counter:
    return Counter(model.objects.values_list("status", flat=True))


def at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment in office hours of ``day``, never later than now."""
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(9, 16), rng.randint(0, 59)))
    return min(timezone.make_aware(moment), timezone.now())


def backdate(instance, moments: list[datetime.datetime], **fields) -> None:
    """Move a seeded record's ``fields`` into the past, and its newest audit entries to
    ``moments`` (oldest first: the last moment goes to the newest entry)."""
    if fields:
        type(instance).objects.filter(pk=instance.pk).update(**fields)
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    entries = ModelLogEntry.objects.filter(content_type=content_type, object_id=str(instance.pk))
    newest = entries.order_by("-pk").values_list("pk", flat=True)[: len(moments)]
    for pk, moment in zip(newest, reversed(moments), strict=False):
        ModelLogEntry.objects.filter(pk=pk).update(timestamp=moment)


def org_code_check_char(body8: str) -> str:
    """The check character of the embedded organisation code (GB 11714-1997)."""
    total = sum(
        int(char, 36) * weight for char, weight in zip(body8, ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(division: str, body8: str) -> str:
    # 9 = registered with market regulation, 1 = enterprise; then division and org code.
    first17 = f"91{division}{body8}{org_code_check_char(body8)}"
    return first17 + check_character(first17)


# Licences (资质) ---------------------------------------------------------------------------


def seed_licences(world: World, rng: random.Random) -> Counter | None:
    """Every company holds a licence; around them every other status appears once or twice."""
    if Licence.objects.exists():
        return None
    official, today = world.official, world.today
    penalised = {*world.suspended, REINSTATED_COMPANY}
    issued = Counter()  # numbers follow the (back-dated) year of approval

    def approve(licence, moments, valid_from):
        year = moments[-1].year
        issued[year] += 1
        licensing.approve_licence(
            licence,
            actor=official,
            valid_from=valid_from,
            valid_until=valid_from + datetime.timedelta(days=LICENCE_DAYS),
            number=f"{licensing.NUMBER_PREFIX}-{year}-{issued[year]:06d}",
        )

    def apply(company, scope, days_ago, **renewal):
        licence = licensing.apply_for_licence(
            company, actor=world.actors[company.pk], scope=scope, **renewal
        )
        return licence, [at(today - datetime.timedelta(days=days_ago), rng)]

    for index, company in enumerate(world.companies):
        if index == 0:  # ends in 45 days: the `company` login has applied for its renewal
            age = LICENCE_DAYS - 45
        elif index == EXPIRED_COMPANY:  # ends today; the sweep below expires it
            age = LICENCE_DAYS
        else:  # a penalised licence is old enough for its approval to predate the penalty
            age = rng.randint(400 if index in penalised else 120, 1500)
        valid_from = today - datetime.timedelta(days=age)
        licence, moments = apply(
            company, rng.choice(data.LICENCE_SCOPES), age + rng.randint(20, 40)
        )
        moments.append(at(valid_from - datetime.timedelta(days=rng.randint(1, 10)), rng))
        approve(licence, moments, valid_from)
        if index in penalised:
            moments += _penalise(licence, index, world, rng)
        _stamp(licence, moments)
        if index in (0, EXPIRED_COMPANY):
            renewal, moments = apply(
                company, licence.scope, rng.randint(10, 20), renewal_of=licence
            )
            if index == EXPIRED_COMPANY:
                moments.append(at(today - datetime.timedelta(days=rng.randint(1, 5)), rng))
                approve(renewal, moments, today + DAY)
            _stamp(renewal, moments)
        if index in EXTENSION_APPLICANTS or index == REJECTED_APPLICANT:
            scope = rng.choice(data.LICENCE_EXTENSION_SCOPES)
            extension, moments = apply(company, scope, rng.randint(3, 60))
            if index == REJECTED_APPLICANT:
                reason = rng.choice(data.LICENCE_REJECTION_REASONS)
                licensing.reject_licence(extension, actor=official, reason=reason)
                moments.append(min(moments[0] + datetime.timedelta(days=12), timezone.now()))
            _stamp(extension, moments)
    # Tomorrow's sweep, run today: only the licence of EXPIRED_COMPANY ends before tomorrow.
    licensing.expire_licences(today=today + DAY)
    return counted(Licence)


def _stamp(licence: Licence, moments: list[datetime.datetime]) -> None:
    decided = moments[-1] if len(moments) > 1 else None
    backdate(licence, moments, applied_at=moments[0], decided_at=decided)


def _penalise(licence, index, world: World, rng) -> list[datetime.datetime]:
    """Suspend, then revoke or reinstate a licence; the moments of what was done."""
    official, today, suspended = world.official, world.today, world.suspended
    days_ago = sorted(rng.sample(range(20, 200), 2), reverse=True)
    moments = [at(today - datetime.timedelta(days=days), rng) for days in days_ago]
    penalty = f"青岚住建罚〔{moments[0].year}〕{rng.randint(10, 99)}号"
    reason = data.LICENCE_SUSPENSION_REASON
    licensing.suspend_licence(licence, actor=official, reason=reason, penalty_reference=penalty)
    if index == REINSTATED_COMPANY:
        note = data.LICENCE_REINSTATEMENT_NOTE
        licensing.reinstate_licence(licence, actor=official, note=note)
    elif index == suspended[-1]:
        reason = data.LICENCE_REVOCATION_REASON
        licensing.revoke_licence(licence, actor=official, reason=reason, penalty_reference=penalty)
    else:
        return moments[:1]
    return moments


# Service contracts (物业服务合同备案) ----------------------------------------------------------


def seed_contracts(world: World, rng: random.Random) -> Counter | None:
    """Every managed estate ends with one filed contract with its managing company; on the
    way some are returned first, one is terminated, one expires, a few renewals wait."""
    if ServiceContract.objects.exists():
        return None
    official, today, actors, by_pk = world.official, world.today, world.actors, world.by_pk
    managed = world.managed_estates()
    own = [e for e in managed if e.managing_company_id == world.companies[0].pk] or managed[:1]
    returned = {managed[i % len(managed)].pk for i in RETURNED_ESTATES} | {own[-1].pk}
    pending = {managed[i % len(managed)].pk for i in PENDING_ESTATES} | {own[0].pk}
    expired = managed[EXPIRED_ESTATE % len(managed)]
    terminated = managed[TERMINATED_ESTATE % len(managed)]

    def contract(estate, company, starts_on, ends_on, submitted: datetime.datetime):
        level = rng.choices(list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values()))[0]
        low, high = FEE_RANGES[level]
        made = contracts.submit_contract(
            actor=actors[company.pk],
            company=company,
            estate=estate,
            starts_on=starts_on,
            ends_on=ends_on,
            service_level=level,
            fee_per_sqm_month=Decimal(rng.randrange(low, high, 5)) / 100,
            fee_items="\n".join(rng.sample(data.CONTRACT_FEE_ITEMS, rng.randint(2, 4))),
            document=ContentFile(
                pdf_bytes(f"Property service contract {estate.pk}-{company.pk}"),
                name="contract.pdf",
            ),
        )
        backdate(made, [submitted], submitted_at=submitted)
        return made

    def decide(made, verb, decided: datetime.datetime, **reason):
        verb(made, actor=official, **reason)
        backdate(made, [decided], decided_at=decided)

    def filed(estate, company, starts_on, ends_on):
        submitted = at(starts_on - datetime.timedelta(days=rng.randint(15, 30)), rng)
        made = contract(estate, company, starts_on, ends_on, submitted)
        decide(made, contracts.file_contract, at(submitted.date() + 7 * DAY, rng))
        return made

    # First, while no other contract is filed: one that tomorrow's sweep expires, renewed.
    company = by_pk[expired.managing_company_id]
    filed(expired, company, _years(today, -3) + DAY, today)
    contracts.expire_contracts(today=today + DAY)
    filed(expired, company, today + DAY, _years(today, 3))
    for estate in managed:
        if estate.pk == expired.pk:
            continue
        company = by_pk[estate.managing_company_id]
        starts_on = (today - datetime.timedelta(days=rng.randint(30, 1000))).replace(day=1)
        if estate.pk in pending:  # the current contract ends within a few months
            starts_on = (_years(today, -3) + rng.randint(45, 100) * DAY).replace(day=1)
        if estate.pk == terminated.pk:  # the owners replaced their previous company
            previous = next(
                c for c in world.companies if c.district_id == company.district_id and c != company
            )
            first = filed(estate, previous, _years(starts_on, -3), _years(today, 1))
            reason = data.CONTRACT_TERMINATION_REASON
            when = at(starts_on - 40 * DAY, rng)  # before the successor's contract is submitted
            decide(first, contracts.terminate_contract, when, reason=reason)
        if estate.pk in returned:
            submitted = at(starts_on - datetime.timedelta(days=45), rng)
            first = contract(estate, company, starts_on, _years(starts_on, 3), submitted)
            reason = rng.choice(data.CONTRACT_RETURN_REASONS)
            decide(
                first, contracts.return_contract, at(submitted.date() + 6 * DAY, rng), reason=reason
            )
        current = filed(estate, company, starts_on, _years(starts_on, 3))
        if estate.pk in pending:  # the renewal (续签) waits for the official
            submitted = at(today - datetime.timedelta(days=rng.randint(2, 12)), rng)
            ends_on = current.ends_on
            contract(estate, company, ends_on, _years(ends_on, 3), submitted)
    return counted(ServiceContract)


def _years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# Disclosures (信息公开) ----------------------------------------------------------------------


def seed_disclosures(world: World, rng: random.Random) -> Counter | None:
    """The three disclosures of the current year for about thirty estates, all of the
    `company` login's among them; most published, some still drafts."""
    if Disclosure.objects.exists():
        return None
    today, by_pk = world.today, world.by_pk
    managed = world.managed_estates()
    own = [estate for estate in managed if estate.managing_company_id == world.companies[0].pk]
    others = [estate for estate in managed if estate not in own]
    chosen = own + rng.sample(others, max(0, min(len(others), DISCLOSED_ESTATES - len(own))))
    filed = {
        contract.estate_id: contract
        for contract in ServiceContract.objects.filter(status="filed", estate__in=chosen)
    }
    year = str(today.year)
    new_year = datetime.date(today.year, 1, 2)
    for estate in chosen:
        company = by_pk[estate.managing_company_id]
        actor = world.actors[company.pk]
        for kind in DisclosureKind.values:
            made = disclosures.save_disclosure(
                actor=actor,
                company=company,
                estate=estate,
                kind=kind,
                period=year,
                body=_disclosure_body(kind, estate, filed[estate.pk], year, today, rng),
            )
            if kind == DisclosureKind.FEES:
                disclosures.set_fee_table(made, actor=actor, rows=_fee_rows(filed[estate.pk]))
            created = at(max(new_year, today - datetime.timedelta(days=rng.randint(5, 90))), rng)
            # The `company` login always finds one draft of its own to finish.
            if rng.random() < DRAFT_SHARE or (
                estate == own[-1] and kind == DisclosureKind.ACCOUNTS
            ):
                backdate(made, [], created_at=created, updated_at=created)
                continue
            disclosures.publish_disclosure(made, actor=actor)
            published = at(created.date() + datetime.timedelta(days=rng.randint(0, 4)), rng)
            backdate(
                made, [published], created_at=created, updated_at=published, published_at=published
            )
    states = Disclosure.objects.values_list("published", flat=True)
    return Counter("published" if published else "draft" for published in states)


def _fee_rows(contract) -> list[dict]:
    """The fee table of a fees disclosure: the contract's fee and two usual extras."""
    return [
        {
            "item": "物业服务费（住宅）",
            "standard": contract.fee_per_sqm_month,
            "unit": "元/平方米·月",
            "basis": "备案物业服务合同",
        },
        {"item": "地面停车位管理费", "standard": "80", "unit": "元/个·月", "basis": "政府指导价"},
        {
            "item": "装修垃圾清运费",
            "standard": "5",
            "unit": "元/平方米（一次性）",
            "basis": "业主大会决定",
        },
    ]


def _disclosure_body(kind, estate, contract, year, today, rng) -> str:
    fee = contract.fee_per_sqm_month
    income = estate.households * 90 * fee * today.month / 10000  # 90 m² a household
    return data.DISCLOSURE_BODIES[kind].format(
        estate=estate.name,
        year=year,
        level=contract.service_level,
        fee=fee,
        starts=contract.starts_on.isoformat(),
        items="；".join(contract.fee_items.splitlines()) or "无",
        income=f"{income:.1f}",
        public=f"{rng.uniform(2, 30):.1f}",
        staff=f"{income * Decimal('0.55'):.1f}",
        repairs=f"{income * Decimal('0.15'):.1f}",
        cleaning=f"{income * Decimal('0.12'):.1f}",
    )


# Evaluations (服务质量评价) -----------------------------------------------------------------


def last_quarters(today: datetime.date, count: int) -> list[str]:
    """The current quarter and the ``count - 1`` before it, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    periods = []
    for _ in range(count):
        periods.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return periods[::-1]


def seed_evaluations(world: World, rng: random.Random) -> Counter | None:
    """Quarterly scores by the evaluator on its estates and by the committee on its own."""
    if Evaluation.objects.exists():
        return None
    today, evaluator, committee = world.today, world.evaluator, world.committee
    plan = [(evaluator, estate) for estate in evaluated_estates(evaluator).order_by("pk")]
    plan += [(committee, estate) for estate in committee_estates(committee).order_by("pk")]
    for actor, estate in plan:
        quality = rng.randint(66, 92)  # each estate has its level, quarters vary around it
        for period in last_quarters(today, QUARTERS_EVALUATED):
            scores = {name: max(60, min(98, quality + rng.randint(-8, 6))) for name in DIMENSIONS}
            made = evaluations.submit_evaluation(
                actor=actor, estate=estate, period=period, scores=scores
            )
            ends = evaluations.period_start(period) + datetime.timedelta(days=91)
            submitted = at(min(today, ends + datetime.timedelta(days=rng.randint(3, 15))), rng)
            backdate(made, [submitted], submitted_at=submitted)
    return Counter(Evaluation.objects.values_list("evaluator_kind", flat=True))


# Credit (信用) -----------------------------------------------------------------------------


def seed_appeals(world: World, rng: random.Random) -> Counter | None:
    """Three appeals (信用修复): the `company` login's awaiting a decision (on another
    company's record if its own has none), one upheld, one dismissed."""
    if CreditAppeal.objects.exists():
        return None
    own, today = world.companies[0], world.today
    old = today - datetime.timedelta(days=20)  # appealed 8 to 15 days ago, after it occurred
    records = CreditRecord.objects.filter(points__lt=0, withdrawn=False, occurred_on__lte=old)
    records = records.order_by("pk")
    pending = (
        records.filter(company=own, kind=CreditRecordKind.SUBSTANTIATED_COMPLAINT).first()
        or records.filter(company=own).first()
    )
    facilities = {
        f"complaint:{pk}"
        for pk in Complaint.objects.filter(category="facilities").values_list("pk", flat=True)
    }
    others = list(records.exclude(company=own))
    rng.shuffle(others)
    others.sort(key=lambda record: record.source_key not in facilities)  # lifts and pipes first
    chosen, used = [], {own.pk}
    for record in others:
        if record.company_id not in used:
            chosen.append(record)
            used.add(record.company_id)
    if pending is None:
        pending, chosen = (chosen[-1], chosen[:-1]) if len(chosen) > 2 else (None, chosen)
    plan = [(pending, data.APPEAL_REASONS[2], None, "")]
    plan += list(
        zip(
            chosen[:2],
            data.APPEAL_REASONS[1::-1],
            (credit.uphold_appeal, credit.dismiss_appeal),
            (data.APPEAL_UPHOLD_DECISION, data.APPEAL_DISMISS_DECISION),
            strict=False,
        )
    )
    for record, reason, verb, decision in plan:
        if record is None:
            continue
        actor = world.actors[record.company_id]
        appeal = credit.appeal_credit_record(record, actor=actor, reason=reason)
        moments = [at(today - datetime.timedelta(days=rng.randint(8, 15)), rng)]
        if verb is not None:
            verb(appeal, actor=world.official, decision=decision)
            moments.append(at(moments[0].date() + datetime.timedelta(days=rng.randint(3, 7)), rng))
        backdate(appeal, moments, submitted_at=moments[0], decided_at=moments[-1] if verb else None)
    return counted(CreditAppeal)
