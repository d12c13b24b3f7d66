"""The demo's complaints, for ``manage.py seed_demo``: a few hundred, filed through
``cases.services.submit_complaint`` and moved through every status with the verbs of
``cases.workflow``, ``cases.dispatch`` and ``cases.merging``, each by the role that acts in
reality. Only timestamps are back-dated directly, so the timelines spread over the last six
months. The database keeps at least the number asked for: a second run adds none.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from cases import calendar, dispatch, sign_off, transfers, workflow
from cases.access_codes import digest_access_code
from cases.merging import merge_complaint
from cases.models import (
    Agency,
    CaseEvent,
    CaseStatus,
    CompanyAnswer,
    Complaint,
    Dispatch,
    DispatchStatus,
    SignOffStatus,
    Transfer,
)
from cases.services import Receipt, submit_complaint
from enterprises.models import CreditRecord, Estate
from portal.demo import data

# (path through the workflow, weight, age range in days at the time of seeding)
CASE_PATHS = [
    ("submitted", 6, (0, 3)),
    ("rejected", 6, (1, 180)),
    ("accepted", 4, (0, 5)),
    ("assigned", 5, (1, 10)),
    ("in_progress", 7, (2, 20)),
    ("resolved", 7, (3, 30)),
    ("followed_up", 6, (5, 45)),
    ("closed", 48, (10, 180)),
    ("closed_after_rework", 5, (30, 180)),
    ("reopened_after_follow_up", 4, (5, 60)),
    ("reopened_after_close", 2, (20, 120)),
    ("merged", 2, (1, 30)),
    ("transferred", 1, (2, 60)),
]
FINAL_STATUS = {
    "closed_after_rework": "closed",
    "reopened_after_follow_up": "reopened",
    "reopened_after_close": "reopened",
    "merged": "accepted",  # merged into a primary case once every complaint is filed
}


@dataclass(frozen=True)
class Cast:
    """Who moves the demo cases: the official dispatches, the inspector works its district's
    cases and reviews the companies' answers, one staff member acts for each company."""

    official: object
    inspector: object
    company_staff: dict[int, object]
    # Signs off a serious case's resolution the official proposed (nobody signs their own).
    second_official: object = None

    def units_for(self, complaint):
        """The responsible company (if it has a staff member here) and the inspector for a
        case in the inspector's district, or for any case no company can take."""
        company = dispatch.responsible_company(complaint)
        if company is not None and company.pk not in self.company_staff:
            company = None
        local = complaint.district_id == self.inspector.staff_profile.district_id
        return (self.inspector if local or company is None else None), company


def seed_complaints(
    target: int,
    estates: list[Estate],
    cast: Cast,
    rng_for: Callable[[str], random.Random],
    write: Callable[[str], object],
) -> list[Receipt]:
    """File complaints until the database holds ``target``; one receipt per sample status
    (resolved, in progress, closed) for the tracking page, only on the run that filed them."""
    seed_agencies(estates)
    existing = Complaint.objects.count()
    if existing >= target:
        write(f"complaints: {existing} already there, none added")
        return []
    count = target - existing
    rng = rng_for(f"complaints:{existing}")
    now = timezone.now()
    plan = []
    for path in case_paths(count, rng):
        low, high = next(ages for name, _w, ages in CASE_PATHS if name == path)
        age = timedelta(seconds=rng.uniform(low * 86400, high * 86400))
        plan.append((now - age, path))
    plan.sort()  # oldest first, so ids follow time
    categories = list(data.CATEGORY_WEIGHTS)
    weights = list(data.CATEGORY_WEIGHTS.values())
    receipts, duplicates = {}, []
    write(f"complaints: filing {count} …")
    for number, (created_at, path) in enumerate(plan, start=1):
        category = rng.choices(categories, weights)[0]
        tier, template = rng.choice(data.COMPLAINT_TEMPLATES[category])
        estate = rng.choice(estates)
        receipt = submit_complaint(
            actor=None,
            category=category,
            description=describe(template, estate, rng),
            contact_phone=rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            contact_name=person_name(rng) if rng.random() < 0.85 else "",
            estate=estate,
        )
        complaint = receipt.complaint
        advance(complaint, path, category, tier, cast, rng)
        expected = FINAL_STATUS.get(path, path)
        if complaint.status != expected:
            raise CommandError(
                f"{complaint.tracking_number}: expected {expected}, got {complaint.status}"
            )
        if path == "merged":
            duplicates.append((receipt, created_at))
            continue
        receipt = backdate(receipt, created_at, now, rng)
        if path in {"resolved", "in_progress", "closed"} and path not in receipts:
            receipts[path] = receipt
        if number % 100 == 0 or number == count:
            write(f"  {number}/{count}")
    for receipt, created_at in duplicates:
        merge(receipt.complaint, cast.official, [r.complaint for r, _at in duplicates])
        backdate(receipt, created_at, now, rng)
    statuses = set(Complaint.objects.values_list("status", flat=True))
    missing = set(CaseStatus.values) - statuses
    if missing and target >= len(CASE_PATHS):
        raise CommandError(f"statuses missing after seeding: {sorted(missing)}")
    return list(receipts.values())


def seed_agencies(estates: list[Estate]) -> None:
    """The agencies of the demo districts (消防, 环保, 公安), once."""
    districts = sorted({estate.district for estate in estates}, key=lambda d: d.code)
    for number, district in enumerate(districts, start=1):
        for suffix, contact, remit in data.AGENCY_KINDS:
            Agency.objects.get_or_create(
                name=f"{district.name}{suffix}",
                defaults={
                    "district": district,
                    "contact": contact.format(n=number),
                    "remit": remit,
                },
            )


def backdate(receipt: Receipt, created_at: datetime, now: datetime, rng: random.Random) -> Receipt:
    """Move a freshly seeded case back to ``created_at``: the tracking number's date, the
    timeline (spread over plausible working gaps), its dispatches and answers, and
    ``updated_at`` follow. Demo data only; the access code's digest is recomputed because
    it covers the tracking number, and the credit record of a resolved case is written
    again with its back-dated resolution and new number."""
    number = f"WY{timezone.localtime(created_at):%Y%m%d}{receipt.tracking_number[10:]}"
    moment = created_at
    for index, event in enumerate(CaseEvent.objects.filter(complaint=receipt.complaint)):
        if index:
            gap_hours = rng.uniform(0.5, 20) if index == 1 else rng.uniform(4, 72)
            moment = min(moment + timedelta(hours=gap_hours), now)
        CaseEvent.objects.filter(pk=event.pk).update(timestamp=moment)
    # Dispatches and answers keep their order, shifted by the case's own move.
    shift = created_at - receipt.complaint.created_at
    for row in Dispatch.objects.filter(complaint=receipt.complaint):
        dispatched_at = row.dispatched_at + shift
        Dispatch.objects.filter(pk=row.pk).update(
            dispatched_at=dispatched_at,
            sign_due_at=calendar.add_working_hours(dispatched_at, settings.CASE_SIGN_WITHIN_HOURS),
            signed_at=F("signed_at") + shift,
            returned_at=F("returned_at") + shift,
        )
    CompanyAnswer.objects.filter(complaint=receipt.complaint).update(
        submitted_at=F("submitted_at") + shift, reviewed_at=F("reviewed_at") + shift
    )
    Transfer.objects.filter(complaint=receipt.complaint).update(transferred_at=moment)
    Complaint.objects.filter(pk=receipt.complaint.pk).update(
        tracking_number=number,
        access_code_digest=digest_access_code(number, receipt.access_code),
        created_at=created_at,
        updated_at=moment,
    )
    receipt.complaint.refresh_from_db()
    resolved = (
        CaseEvent.objects.filter(complaint=receipt.complaint, to_status=CaseStatus.RESOLVED)
        .order_by("timestamp")
        .first()
    )
    if resolved is not None:
        # The credit record was written at resolution, with today's date and the old number.
        CreditRecord.objects.filter(source_key=f"complaint:{receipt.complaint.pk}").delete()
        workflow.substantiate(receipt.complaint, resolved_on=timezone.localdate(resolved.timestamp))
    return type(receipt)(receipt.complaint, number, receipt.access_code)


def merge(duplicate: Complaint, actor, duplicates: list[Complaint]) -> None:
    """Merge a duplicate into the oldest case still being handled, on its estate if there
    is one (any estate's otherwise)."""
    S = CaseStatus
    handled = (
        Complaint.objects.filter(
            status__in=[S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED],
            merged_into__isnull=True,
        )
        .exclude(pk__in=[c.pk for c in duplicates])
        .order_by("pk")
    )
    primary = handled.filter(estate=duplicate.estate).first() or handled.first()
    if primary is None:
        raise CommandError("no case being handled to merge the duplicates into")
    merge_complaint(duplicate, into=primary, actor=actor, note="同一问题的重复投诉")
    duplicate.refresh_from_db()


def case_paths(count: int, rng: random.Random) -> list[str]:
    """``count`` workflow paths in the weights' proportions, each at least once if it fits."""
    total = sum(weight for _n, weight, _a in CASE_PATHS)
    floor = 1 if count >= len(CASE_PATHS) else 0
    quotas = {name: max(floor, count * weight // total) for name, weight, _a in CASE_PATHS}
    # Hand out the remainder (or take back the excess) on the biggest share: "closed".
    quotas["closed"] += count - sum(quotas.values())
    paths = [name for name, quota in quotas.items() for _ in range(quota)]
    rng.shuffle(paths)
    return paths


def describe(template: str, estate: Estate, rng: random.Random) -> str:
    return template.format(
        estate=estate.name,
        building=f"{rng.randint(1, 28)}号楼",
        unit=f"{rng.randint(1, 4)}单元",
        days=rng.choice([3, 5, 7, 10, 12, 15, 20, 30]),
        amount=rng.choice(["1.2", "1.5", "1.8", "2.2", "2.5", "3.0", "35", "50", "80"]),
        month=rng.randint(1, 12),
        hour=rng.choice([9, 10, 11]),
    )


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(data.GIVEN_NAME_CHARS) for _ in range(rng.choice([1, 2, 2])))
    return rng.choice(data.SURNAMES) + given


def advance(
    complaint: Complaint, path: str, category: str, tier, cast: Cast, rng: random.Random
) -> None:
    """Move a new complaint along ``path`` (a name of ``CASE_PATHS``), each step by its actor."""
    actor = cast.official
    if path == "submitted":
        return
    if path == "rejected":
        workflow.reject_case(complaint, actor=actor, reason=rng.choice(data.REJECTION_REASONS))
        return

    def work():
        inspector, company = cast.units_for(complaint)
        dispatch.dispatch_case(
            complaint,
            actor=actor,
            inspector=inspector,
            company=company,
            note=rng.choice(data.ASSIGN_NOTES),
        )
        if path == "assigned":
            return False
        awaiting = complaint.dispatches.filter(status=DispatchStatus.AWAITING_SIGNATURE)
        for row in awaiting.order_by("pk"):
            signer = row.inspector if row.inspector_id else cast.company_staff[row.company_id]
            dispatch.sign_dispatch(row, actor=signer)
        complaint.refresh_from_db()  # signing moved the case on through its own copy
        if path == "in_progress":
            return False
        reply = rng.choice(data.RESOLUTION_REPLIES[category])
        reviewer = inspector or actor
        if company is not None:
            answer = dispatch.submit_answer(
                complaint, actor=cast.company_staff[company.pk], text=reply
            )
            dispatch.review_answer(answer, actor=reviewer, accept=True)
        workflow.resolve_case(complaint, actor=reviewer, reply=reply)
        pending = complaint.sign_offs.filter(status=SignOffStatus.PENDING).first()
        if pending is not None:  # a serious case: two-level handling (cases.tiers)
            signer = cast.second_official if reviewer == actor else actor
            sign_off.sign_off_resolution(pending, actor=signer)
            complaint.refresh_from_db()
        return path != "resolved"

    def follow_up(satisfaction):
        comment = rng.choice(data.FOLLOW_UP_COMMENTS[satisfaction])
        workflow.record_follow_up(
            complaint, actor=actor, satisfaction=satisfaction, comment=comment
        )

    workflow.accept_case(complaint, actor=actor, tier=tier)
    if path == "transferred":
        agency = Agency.objects.filter(district_id=complaint.district_id).order_by("pk").first()
        transfers.transfer_case(
            complaint, actor=actor, agency=agency, reason=rng.choice(data.TRANSFER_REASONS)
        )
        return
    if path in {"accepted", "merged"} or not work():
        return
    if path in {"closed_after_rework", "reopened_after_follow_up"}:
        follow_up("unsatisfied")  # → reopened
        if path == "reopened_after_follow_up":
            return
        work()
    follow_up(rng.choice(["satisfied", "satisfied", "satisfied", "basically"]))
    if path == "followed_up":
        return
    workflow.close_case(complaint, actor=actor)
    if path == "reopened_after_close":
        workflow.reopen_case(complaint, actor=actor, reason=rng.choice(data.REOPEN_REASONS))
