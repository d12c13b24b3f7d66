"""``manage.py seed_demo``: a deterministic, idempotent demo of the fictional city 青岚市.

It builds districts, property-management companies, estates, one user per role, the public
site's pages, the register's licences, contracts, disclosures, evaluations and credit appeals
(``portal.demo_register``) and a few hundred complaints, the complaints filed through
``cases.services.submit_complaint`` and moved through every status with the verbs of
``cases.workflow``, ``cases.dispatch`` and ``cases.merging``, each by the role that acts in
reality (only timestamps are back-dated directly). A second run adds nothing: it
resets the demo users' passwords and prints the sign-in table again.
"""

import logging
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from foundation.roles import Role
from portal import demo_data as data
from portal import demo_enforcement as enforcement
from portal import demo_register as register
from portal import demo_supervision as supervision
from portal.demo_pages import seed_site_pages
from portal.second_factor_devices import seed_demo_second_factors

SEED = 20260101
COMPANY_COUNT = 30
ESTATE_COUNT = 100
SUSPENDED_COMPANIES = (9, 22)  # indexes into the company plan; 0 must stay active
BASE_URL = "http://127.0.0.1:8000/"

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
]
FINAL_STATUS = {
    "closed_after_rework": "closed",
    "reopened_after_follow_up": "reopened",
    "reopened_after_close": "reopened",
    "merged": "accepted",  # merged into a primary case once every complaint is filed
}

USERS = [
    # role, username, last name, first name
    (Role.CITIZEN, "citizen", "陈", "晓明"),
    (Role.COMPANY_STAFF, "company", "刘", "海波"),
    (Role.OWNERS_COMMITTEE, "committee", "周", "秀英"),
    (Role.EVALUATOR, "evaluator", "郑", "子轩"),
    (Role.INSPECTOR, "inspector", "赵", "建国"),
    (Role.OFFICIAL, "official", "孙", "志红"),
    (Role.ADMINISTRATOR, "admin", "林", "浩宇"),
]


@contextmanager
def quiet_task_log():
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


@dataclass(frozen=True)
class Cast:
    """Who moves the demo cases: the official dispatches, the inspector works its district's
    cases and reviews the companies' answers, one staff member acts for each company."""

    official: object
    inspector: object
    company_staff: dict[int, object]

    def units_for(self, complaint):
        """The responsible company (if it has a staff member here) and the inspector for a
        case in the inspector's district, or for any case no company can take."""
        from cases.dispatch import responsible_company

        company = responsible_company(complaint)
        if company is not None and company.pk not in self.company_staff:
            company = None
        local = complaint.district_id == self.inspector.staff_profile.district_id
        return (self.inspector if local or company is None else None), company


def demo_password(username: str) -> str:
    return f"Demo-{username}-2026"


def email(username: str) -> str:
    return f"{username}@qinglan.example"


class Command(BaseCommand):
    help = "Seed the demo database with the fictional city 青岚市 (idempotent)."
    # Seeding needs no system checks; skipping them (and the URLconf import) saves seconds.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--complaints",
            type=int,
            default=500,
            help="How many complaints the database should hold at least (default 500).",
        )

    def handle(self, *args, complaints: int, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo writes well-known passwords; it runs only with DEBUG=1 / 仅限演示环境"
            )
        if complaints < 0:
            raise CommandError("--complaints must not be negative")
        with quiet_task_log():
            self.seed(complaints)

    def seed(self, complaints: int) -> None:
        with transaction.atomic():
            districts, companies, estates = self.seed_register()
        hashes = self.hash_passwords()  # before the transaction: hashing is the slow part
        with transaction.atomic():
            users, actors = self.seed_users(districts, companies, estates, hashes)
        with transaction.atomic():
            seed_site_pages(users["admin"], self.stdout.write)
        with transaction.atomic():  # needs the register's companies and the home page
            enforcement.seed_enforcement(self.stdout.write)
        world, added = self.seed_workflows(companies, estates, users, actors)
        with transaction.atomic():
            cast = Cast(
                official=users["official"], inspector=users["inspector"], company_staff=actors
            )
            receipts = self.seed_complaints(complaints, estates, cast)
        with transaction.atomic():
            supervision.seed_draw_page(self.stdout.write)
            supervision.seed_supervision(users, estates, self.stdout.write)
        recompute = added or bool(receipts)  # credit last: complaints and evaluations count
        register.seed_credit(world, self.rng("appeals"), self.stdout.write, recompute=recompute)
        self.print_summary(users, receipts)
        seed_demo_second_factors(users, self.stdout.write)

    def rng(self, section: str) -> random.Random:
        # One generator per section, so one section's plan never shifts another's.
        return random.Random(f"{SEED}:{section}")

    # Register: districts, companies, estates -------------------------------------------------

    def seed_register(self):
        from enterprises.models import Company, CompanyStatus, Estate
        from foundation.models import District

        districts = []
        for code, name, _division in data.DISTRICTS:
            district, _ = District.objects.update_or_create(code=code, defaults={"name": name})
            districts.append(district)

        rng = self.rng("companies")
        trade_names = rng.sample(data.COMPANY_TRADE_NAMES, COMPANY_COUNT)
        companies = []
        for index, trade_name in enumerate(trade_names):
            district = districts[index % len(districts)]
            division = data.DISTRICTS[index % len(districts)][2]
            prefix = rng.choice([data.CITY, data.CITY, "青岚", data.CITY + district.name])
            body8 = f"{rng.randrange(10**8):08d}"
            address = (
                f"{data.CITY}{district.name}{rng.choice(data.ROADS[district.code])}"
                f"{rng.randint(1, 399)}号{rng.choice(data.OFFICE_BUILDINGS)}{rng.randint(2, 22)}楼"
            )
            status = (
                CompanyStatus.SUSPENDED if index in SUSPENDED_COMPANIES else CompanyStatus.ACTIVE
            )
            company, _ = Company.objects.update_or_create(
                credit_code=register.make_credit_code(division, body8),
                defaults={
                    "name": f"{prefix}{trade_name}物业服务有限公司",
                    "district": district,
                    "address": address,
                    "status": status,
                },
            )
            companies.append(company)

        rng = self.rng("estates")
        names = [f"{stem}{suffix}" for stem in data.ESTATE_STEMS for suffix in data.ESTATE_SUFFIXES]
        rng.shuffle(names)
        first, rest, stems = [], [], set()
        for name in names:  # one estate per stem first keeps the list varied (翠湖花园, 锦绣苑, …)
            (rest if name[:2] in stems else first).append(name)
            stems.add(name[:2])
        # A few second phases (二期) sit next to their first phase, with the same company.
        phase_two = [(f"{name}二期", base) for base, name in enumerate(first[: ESTATE_COUNT // 12])]
        plan = [(name, None) for name in first + rest][: ESTATE_COUNT - len(phase_two)] + phase_two
        estates = []
        for index, (name, base) in enumerate(plan):
            if base is None:
                district_index = index % len(districts)
                local = [c for i, c in enumerate(companies) if i % len(districts) == district_index]
                company = local[(index // len(districts)) % len(local)]
            else:
                district_index = base % len(districts)
                company = estates[base].managing_company
            district = districts[district_index]
            road = rng.choice(data.ROADS[district.code])
            details = {
                "address": f"{data.CITY}{district.name}{road}{rng.randint(1, 999)}号",
                "households": rng.randrange(120, 2400, 4),
            }
            # The managing company follows the filed contract once there is one: set it only
            # when the estate is new, so a second run never undoes a filing.
            estate, _ = Estate.objects.update_or_create(
                district=district,
                name=name,
                defaults=details,
                create_defaults={**details, "managing_company": company},
            )
            estates.append(estate)
        self.stdout.write(
            f"register: {len(districts)} districts, {len(companies)} companies "
            f"({len(SUSPENDED_COMPANIES)} suspended), {len(estates)} estates"
        )
        return districts, companies, estates

    # Users ------------------------------------------------------------------------------------

    @staticmethod
    def hash_passwords() -> dict[str, str]:
        """Validate and hash the demo passwords. PBKDF2 releases the GIL, so threads overlap."""
        User = get_user_model()
        passwords = {}
        for _role, username, last_name, first_name in USERS:
            password = demo_password(username)
            person = User(
                username=username, first_name=first_name, last_name=last_name, email=email(username)
            )
            validate_password(password, person)
            passwords[username] = password
        with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
            return dict(zip(passwords, pool.map(make_password, passwords.values()), strict=True))

    def seed_users(self, districts, companies, estates, hashes):
        from enterprises import access
        from enterprises.models import StaffProfile
        from foundation.roles import sync_roles

        User = get_user_model()
        if Group.objects.filter(name__in=[role.value for role in Role]).count() < len(Role):
            sync_roles()  # normally done by the post_migrate hook
        districts_of = {"inspector": districts[0], "official": None}  # None: the whole city
        users = {}
        for role, username, last_name, first_name in USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first_name, last_name
            user.email = email(username)
            user.is_active = True
            user.is_superuser = user.is_staff = role == Role.ADMINISTRATOR
            user.password = hashes[username]
            user.save()
            user.groups.set([Group.objects.get(name=role.value)])
            if username in districts_of:
                defaults = {"district": districts_of[username], "company": None, "estate": None}
                StaffProfile.objects.update_or_create(user=user, defaults=defaults)
            users[username] = user
        # Profile and guardian object permissions together: the register's scopes need both.
        access.grant_company_staff(users["company"], companies[0])  # 0 is always active
        access.grant_committee_member(users["committee"], estates[0])  # 东湖区, company 0's
        engaged = register.engage_evaluator(users["evaluator"], estates, self.rng("evaluator"))
        actors = register.company_actors(
            companies, companies[0], users["company"], self.rng("staff")
        )
        self.stdout.write(
            f"users: {len(USERS)} demo sign-ins, {len(actors) - 1} company staff who cannot "
            f"sign in, the evaluator engaged on {len(engaged)} estates"
        )
        return users, actors

    # The register's workflows and credit (portal.demo_register) -----------------------------

    def seed_workflows(self, companies, estates, users, actors) -> tuple[register.World, bool]:
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
        return world, register.seed_workflows(world, self.rng, self.stdout.write)

    # Complaints -------------------------------------------------------------------------------

    def seed_complaints(self, target, estates, cast):
        from cases.models import CaseStatus, Complaint
        from cases.services import submit_complaint

        existing = Complaint.objects.count()
        if existing >= target:
            self.stdout.write(f"complaints: {existing} already there, none added")
            return []
        count = target - existing
        rng = self.rng(f"complaints:{existing}")
        now = timezone.now()
        plan = []
        for path in self.case_paths(count, rng):
            low, high = next(ages for name, _w, ages in CASE_PATHS if name == path)
            age = timedelta(seconds=rng.uniform(low * 86400, high * 86400))
            plan.append((now - age, path))
        plan.sort()  # oldest first, so ids follow time
        categories = list(data.CATEGORY_WEIGHTS)
        weights = list(data.CATEGORY_WEIGHTS.values())
        receipts, duplicates = {}, []
        self.stdout.write(f"complaints: filing {count} …")
        for number, (created_at, path) in enumerate(plan, start=1):
            category = rng.choices(categories, weights)[0]
            tier, template = rng.choice(data.COMPLAINT_TEMPLATES[category])
            estate = rng.choice(estates)
            receipt = submit_complaint(
                actor=None,
                category=category,
                description=self.describe(template, estate, rng),
                contact_phone=rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                contact_name=self.person_name(rng) if rng.random() < 0.85 else "",
                estate=estate,
            )
            complaint = receipt.complaint
            self.advance(complaint, path, category, tier, cast, rng)
            expected = FINAL_STATUS.get(path, path)
            if complaint.status != expected:
                raise CommandError(
                    f"{complaint.tracking_number}: expected {expected}, got {complaint.status}"
                )
            if path == "merged":
                duplicates.append((receipt, created_at))
                continue
            receipt = self.backdate(receipt, created_at, now, rng)
            if path in {"resolved", "in_progress", "closed"} and path not in receipts:
                receipts[path] = receipt
            if number % 100 == 0 or number == count:
                self.stdout.write(f"  {number}/{count}")
        for receipt, created_at in duplicates:
            self.merge(receipt.complaint, cast.official, [r.complaint for r, _at in duplicates])
            self.backdate(receipt, created_at, now, rng)
        statuses = set(Complaint.objects.values_list("status", flat=True))
        missing = set(CaseStatus.values) - statuses
        if missing and target >= len(CASE_PATHS):
            raise CommandError(f"statuses missing after seeding: {sorted(missing)}")
        return list(receipts.values())

    @staticmethod
    def backdate(receipt, created_at, now, rng):
        """Move a freshly seeded case back to ``created_at``: the tracking number's date, the
        timeline (spread over plausible working gaps), its dispatches and answers, and
        ``updated_at`` follow. Demo data only; the access code's digest is recomputed because
        it covers the tracking number, and the credit record of a resolved case is written
        again with its back-dated resolution and new number."""
        from django.db.models import F

        from cases import calendar, workflow
        from cases.access_codes import digest_access_code
        from cases.models import CaseEvent, CaseStatus, CompanyAnswer, Complaint, Dispatch
        from enterprises.models import CreditRecord

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
                sign_due_at=calendar.add_working_hours(
                    dispatched_at, settings.CASE_SIGN_WITHIN_HOURS
                ),
                signed_at=F("signed_at") + shift,
                returned_at=F("returned_at") + shift,
            )
        CompanyAnswer.objects.filter(complaint=receipt.complaint).update(
            submitted_at=F("submitted_at") + shift, reviewed_at=F("reviewed_at") + shift
        )
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
            CreditRecord.objects.filter(source_key=f"complaint:{receipt.complaint.pk}").delete()
            workflow.substantiate(
                receipt.complaint, resolved_on=timezone.localdate(resolved.timestamp)
            )
        return type(receipt)(receipt.complaint, number, receipt.access_code)

    @staticmethod
    def merge(duplicate, actor, duplicates):
        """Merge a duplicate into the oldest case still being handled, on its estate if there
        is one (any estate's otherwise)."""
        from cases.merging import merge_complaint
        from cases.models import CaseStatus, Complaint

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

    @staticmethod
    def case_paths(count, rng):
        """``count`` workflow paths in the weights' proportions, each at least once if it fits."""
        total = sum(weight for _n, weight, _a in CASE_PATHS)
        floor = 1 if count >= len(CASE_PATHS) else 0
        quotas = {name: max(floor, count * weight // total) for name, weight, _a in CASE_PATHS}
        # Hand out the remainder (or take back the excess) on the biggest share: "closed".
        quotas["closed"] += count - sum(quotas.values())
        paths = [name for name, quota in quotas.items() for _ in range(quota)]
        rng.shuffle(paths)
        return paths

    @staticmethod
    def describe(template, estate, rng):
        return template.format(
            estate=estate.name,
            building=f"{rng.randint(1, 28)}号楼",
            unit=f"{rng.randint(1, 4)}单元",
            days=rng.choice([3, 5, 7, 10, 12, 15, 20, 30]),
            amount=rng.choice(["1.2", "1.5", "1.8", "2.2", "2.5", "3.0", "35", "50", "80"]),
            month=rng.randint(1, 12),
            hour=rng.choice([9, 10, 11]),
        )

    @staticmethod
    def person_name(rng):
        given = "".join(rng.choice(data.GIVEN_NAME_CHARS) for _ in range(rng.choice([1, 2, 2])))
        return rng.choice(data.SURNAMES) + given

    @staticmethod
    def advance(complaint, path, category, tier, cast, rng):
        from cases import dispatch, workflow
        from cases.models import DispatchStatus

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
            return path != "resolved"

        def follow_up(satisfaction):
            comment = rng.choice(data.FOLLOW_UP_COMMENTS[satisfaction])
            workflow.record_follow_up(
                complaint, actor=actor, satisfaction=satisfaction, comment=comment
            )

        workflow.accept_case(complaint, actor=actor, tier=tier)
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

    @staticmethod
    def scope(user):
        from enterprises.permissions import evaluated_estates

        profile = getattr(user, "staff_profile", None)
        if user.is_superuser:
            return "superuser, whole city / 全市"
        if profile is None:
            engaged = evaluated_estates(user).count()
            return f"engaged on {engaged} estates" if engaged else ""
        if profile.company_id:
            return profile.company.name
        if profile.estate_id:
            return f"{profile.estate.district.name} {profile.estate.name}"
        return profile.district.name if profile.district_id else "whole city / 全市"

    # Summary ----------------------------------------------------------------------------------

    def print_summary(self, users, receipts):
        from cases.models import CaseStatus, Complaint

        counts = Counter(Complaint.objects.values_list("status", flat=True))
        self.stdout.write("")
        self.stdout.write("complaints by status:")
        for status in CaseStatus:
            self.stdout.write(f"  {status.value:<12} {counts.get(status.value, 0):>5}")
        self.stdout.write(f"  {'total':<12} {sum(counts.values()):>5}")
        if receipts:
            self.stdout.write("")
            self.stdout.write("sample receipts for the tracking page (shown only on this run):")
            for receipt in receipts:
                self.stdout.write(
                    f"  {receipt.tracking_number}  access code {receipt.access_code}  "
                    f"({receipt.complaint.status})"
                )
        self.stdout.write("")
        rows = [("role", "username", "password", "scope")]
        for role, username, _last, _first in USERS:
            rows.append(
                (role.value, username, demo_password(username), self.scope(users[username]))
            )
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for index, row in enumerate(rows):
            # The scope column holds Chinese text: it goes last, so it needs no padding.
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[3]]))
            if index == 0:
                self.stdout.write("  ".join(["-" * width for width in widths] + ["-----"]))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Portal: {BASE_URL}"))
        self.stdout.write(self.style.SUCCESS(f"Admin:  {BASE_URL}admin/"))
