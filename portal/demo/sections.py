"""What ``manage.py seed_demo`` runs of the register's workflows (``portal.demo.register``),
in order, each section in its own transaction, and the line each prints. Kept apart from the
sections themselves so the list is short to read and to append to."""

import random
from collections import Counter

from django.db import transaction

from enterprises import credit_score
from enterprises.models import (
    AppealStatus,
    Company,
    ContractStatus,
    CreditAppeal,
    CreditGrade,
    Disclosure,
    Evaluation,
    EvaluatorKind,
    Licence,
    LicenceStatus,
    ServiceContract,
    Survey,
    SurveyStatus,
)
from portal.demo.register import (
    World,
    seed_appeals,
    seed_contracts,
    seed_disclosures,
    seed_evaluations,
    seed_licences,
)
from portal.demo.surveys import seed_surveys


def report(label: str, counts: Counter | None, model, order=()) -> str:
    """One line per section: what it made, by status, or that it was there already."""
    if counts is None:
        return f"{label}: {model.objects.count()} already there, none added"
    keys = [key for key in order if counts[key]] + sorted(set(counts) - set(order))
    details = ", ".join(f"{key} {counts[key]}" for key in keys)
    return f"{label}: {sum(counts.values())} ({details})"


# What seed_demo runs, in this order ---------------------------------------------------------

SECTIONS = (
    ("licences", seed_licences, Licence, LicenceStatus.values),
    ("contracts", seed_contracts, ServiceContract, ContractStatus.values),
    ("disclosures", seed_disclosures, Disclosure, ("published", "draft")),
    ("evaluations", seed_evaluations, Evaluation, EvaluatorKind.values),
)
SECTIONS += (("surveys", seed_surveys, Survey, SurveyStatus.values),)


def seed_workflows(world: World, rng_for, write) -> bool:
    """The sections before the complaints; True when any of them added records."""
    added = False
    for label, seed, model, order in SECTIONS:
        with transaction.atomic():
            counts = seed(world, rng_for(label))
        added |= counts is not None
        write(report(label, counts, model, order))
    return added


def seed_credit(world: World, rng: random.Random, write, *, recompute: bool) -> None:
    """After the complaints: every score (when anything changed), then the appeals."""
    if recompute or Company.objects.filter(credit_computed_at__isnull=True).exists():
        with transaction.atomic():
            grades = Counter(credit_score.recompute_credit(c).grade for c in world.companies)
        write(report("credit grades", grades, Company, CreditGrade.values))
    else:
        write(f"credit grades: {len(world.companies)} companies scored already, none recomputed")
    with transaction.atomic():
        appeals = seed_appeals(world, rng)
    write(report("credit appeals", appeals, CreditAppeal, AppealStatus.values))
