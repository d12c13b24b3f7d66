"""``manage.py seed_demo``: a deterministic, idempotent demo of the fictional city 青岚市.

It builds districts, property-management companies, estates, one user per role, the public
site's pages, the register's licences, contracts, disclosures, evaluations and credit appeals
(``portal.demo.register``) and a few hundred complaints, the complaints filed through
``cases.services.submit_complaint`` and moved through every status with the verbs of
``cases.workflow``, ``cases.dispatch`` and ``cases.merging``, each by the role that acts in
reality (only timestamps are back-dated directly). A second run adds nothing: it
resets the demo users' passwords and prints the sign-in table again.
"""

import logging
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cases.models import CaseStatus, Complaint
from cases.services import Receipt
from enterprises.models import Vote
from portal.demo import (
    enforcement,
    owners,
    people,
    register,
    returns,
    sections,
    self_inspection,
    supervision,
    tiers,
    votes,
)
from portal.demo.city import SUSPENDED_COMPANIES, seed_city
from portal.demo.complaints import Cast, seed_complaints
from portal.demo.pages import seed_site_pages
from portal.security.second_factor_devices import seed_demo_second_factors

SEED = 20260101
BASE_URL = "http://127.0.0.1:8000/"


@contextmanager
def quiet_task_log() -> Iterator[None]:
    """Eager Celery logs every task it runs, the demo's SMS backend every message and the
    console mail backend every e-mail: thousands of back-dated messages would bury the
    summary (they are still recorded as Notification rows)."""
    loggers = [logging.getLogger(name) for name in ("celery.app.trace", "foundation.notifications")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    quiet_mail = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    quiet_mail.enable()
    try:
        yield
    finally:
        quiet_mail.disable()
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def section_rng(section: str) -> random.Random:
    # One generator per section, so one section's plan never shifts another's.
    return random.Random(f"{SEED}:{section}")


def seed_demo(
    complaints: int,
    write: Callable[[str], object],
    highlight: Callable[[str], str] = str,
) -> None:
    """Seed the whole demo, each section in its own transaction, and print the summary with
    the sign-in table; ``complaints`` is how many the database should hold at least."""
    with quiet_task_log():
        with transaction.atomic():
            districts, companies, estates = seed_city(section_rng, write)
        hashes = people.hash_passwords()  # before the transaction: hashing is the slow part
        with transaction.atomic():
            users, actors = people.seed_users(
                districts, companies, estates, hashes, section_rng, write
            )
        with transaction.atomic():
            tiers.seed_tiers(users["official"], districts, write)
        with transaction.atomic():
            seed_site_pages(users["admin"], write)
        with transaction.atomic():  # needs the register's companies and the home page
            enforcement.seed_enforcement(write)
        world = register.World(
            companies=companies,
            estates=estates,
            actors=actors,
            official=users["official"],
            evaluator=users["evaluator"],
            committee=users["committee"],
            today=timezone.localdate(),
            suspended=SUSPENDED_COMPANIES,
        )
        with transaction.atomic():  # units and owners first: surveys and votes count them
            committee_estate = estates[0]
            owners.seed_owners(
                users["committee"],
                actors[committee_estate.managing_company_id],
                committee_estate,
                section_rng("owners"),
                write,
            )
        added = sections.seed_workflows(world, section_rng, write)
        with transaction.atomic():  # the committee login's estate: one tallied owners' vote
            tally = votes.seed_vote(users["committee"], estates[0], section_rng("votes"))
        write(sections.report("owners' votes", tally, Vote))
        with transaction.atomic():
            cast = Cast(
                official=users["official"],
                inspector=users["inspector"],
                company_staff=actors,
                second_official=users["admin"],
            )
            receipts = seed_complaints(complaints, estates, cast, section_rng, write)
        with transaction.atomic():
            returns.seed_returns(cast, write)
        with transaction.atomic():
            supervision.seed_draw_page(write)
            supervision.seed_supervision(users, estates, write)
        with transaction.atomic():
            self_inspection.seed_self_inspection(users, estates, write)
        recompute = added or bool(receipts)  # credit last: complaints and evaluations count
        sections.seed_credit(world, section_rng("appeals"), write, recompute=recompute)
        print_summary(users, receipts, write, highlight)
        seed_demo_second_factors(users, write)


def print_summary(
    users: dict[str, object],
    receipts: list[Receipt],
    write: Callable[[str], object],
    highlight: Callable[[str], str],
) -> None:
    """Complaints by status, the sample receipts of this run and the sign-in table."""
    counts = Counter(Complaint.objects.values_list("status", flat=True))
    write("")
    write("complaints by status:")
    for status in CaseStatus:
        write(f"  {status.value:<12} {counts.get(status.value, 0):>5}")
    write(f"  {'total':<12} {sum(counts.values()):>5}")
    if receipts:
        write("")
        write("sample receipts for the tracking page (shown only on this run):")
        for receipt in receipts:
            write(
                f"  {receipt.tracking_number}  access code {receipt.access_code}  "
                f"({receipt.complaint.status})"
            )
    write("")
    rows = [("role", "username", "password", "scope")]
    for role, username, _last, _first in people.USERS:
        rows.append(
            (role.value, username, people.demo_password(username), people.scope(users[username]))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for index, row in enumerate(rows):
        # The scope column holds Chinese text: it goes last, so it needs no padding.
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        write("  ".join([*cells, row[3]]))
        if index == 0:
            write("  ".join(["-" * width for width in widths] + ["-----"]))
    write("")
    write(highlight(f"Portal: {BASE_URL}"))
    write(highlight(f"Admin:  {BASE_URL}admin/"))
