"""Seeding the load test's own database fast: COPY for complaints and grants, bulk_create for
users, the app's own services for a handful of worked cases and the demo's public pages.

Runs in the orchestrator after ``django.setup()`` with ``bench.load.settings``. The numbers:
``cases`` complaints over 5 districts, 30 companies and 100 estates (the generator of
``bench/search_scale.py``), ``users`` accounts: 60% inspectors, 6% officials (five of them
heads of department without a district), 30% company staff, the rest owners' committee
members. Every case past dispatch is assigned to an inspector (one in ten across districts)
who holds django-guardian grants on it in the direct table, as ``cases.dispatch`` grants them.
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from bench.copy_rows import columns_with_defaults
from bench.search_scale import DETAILS, PROBLEMS, STATUSES, TIERS, _base36, register
from cases.access_codes import digest_access_code
from cases.models import Category, Complaint
from enterprises.models import StaffProfile
from foundation.roles import Role

PASSWORD = "load-bench-Password-2026"
ACCESS_CODE = "K7P3QXAB"  # every seeded complaint opens with this code (digests differ)
UNASSIGNED = {"submitted", "accepted", "rejected"}


@dataclass
class Seeded:
    districts: list = field(default_factory=list)
    users: dict[str, list[str]] = field(default_factory=dict)  # role -> usernames
    tracking_numbers: list[str] = field(default_factory=list)  # a sample, for the tracking page
    worked_cases: list[int] = field(default_factory=list)  # with a real timeline


def seed(cases: int, users: int, rng: random.Random) -> Seeded:
    out = Seeded()
    started = time.perf_counter()
    districts, companies, estates = register()
    out.districts = districts
    inspectors = _users(users, districts, companies, estates, out)
    print(f"  register and {users:,} users in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    out.tracking_numbers = _complaints(cases, estates, inspectors, rng)
    grants = _grants()
    print(
        f"  {cases:,} complaints and {grants:,} object permissions in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return out


def _users(count: int, districts, companies, estates, out: Seeded) -> dict[int, list[int]]:
    """Bulk-created users, profiles and group memberships; returns district -> inspector ids."""
    User = get_user_model()
    password = make_password(PASSWORD)  # hashed once: a hash per user would take minutes
    heads = 5
    plan = (
        [(Role.INSPECTOR, {"district": districts[i % 5]}) for i in range(int(count * 0.6))]
        + [(Role.OFFICIAL, {"district": None, "city_wide": True}) for _ in range(heads)]
        + [
            (Role.OFFICIAL, {"district": districts[i % 5]})
            for i in range(int(count * 0.06) - heads)
        ]
        + [(Role.COMPANY_STAFF, {"company": companies[i % 30]}) for i in range(int(count * 0.3))]
    )
    plan += [
        (Role.OWNERS_COMMITTEE, {"estate": estates[i % 100]}) for i in range(count - len(plan))
    ]
    created = User.objects.bulk_create(
        User(username=f"load-{role}-{i:04d}", email=f"load{i}@example.test", password=password)
        for i, (role, _) in enumerate(plan)
    )
    groups = {group.name: group for group in Group.objects.all()}
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=groups[role].pk)
        for user, (role, _) in zip(created, plan, strict=True)
    )
    StaffProfile.objects.bulk_create(
        StaffProfile(user=user, **profile) for user, (_, profile) in zip(created, plan, strict=True)
    )
    inspectors: dict[int, list[int]] = {d.pk: [] for d in districts}
    for user, (role, profile) in zip(created, plan, strict=True):
        key = role.value
        if role == Role.OFFICIAL and profile["district"] is None:
            key = "head"
        out.users.setdefault(key, []).append(user.username)
        if role == Role.INSPECTOR:
            inspectors[profile["district"].pk].append(user.pk)
    return inspectors


def _complaints(count: int, estates, inspectors: dict[int, list[int]], rng) -> list[str]:
    """COPY ``count`` complaints; each opens on the tracking page with ``ACCESS_CODE``."""
    statuses, status_weights = zip(*STATUSES, strict=True)
    tiers, tier_weights = zip(*TIERS, strict=True)
    district_ids = list(inspectors)
    now = timezone.now()
    sample = []
    # Personal data as the model stores it (Fernet tokens once encrypted at rest): one value
    # per column, prepared once.
    name, phone, email = (
        Complaint._meta.get_field(f).get_db_prep_value(v, connection)
        for f, v in (("contact_name", ""), ("contact_phone", "13800000000"), ("contact_email", ""))
    )
    columns = (
        "tracking_number, access_code_digest, status, category, tier, estate_id, estate_name,"
        " address, anonymous_to_company, consent_to_publish, district_id, company_id,"
        " description, contact_name, contact_phone, contact_email, dispatched_company_id,"
        " assigned_inspector_id, reopen_count, satisfaction, public_reply, created_at,"
        " updated_at, resolve_due_at, escalation_level"
    )
    columns, defaults = columns_with_defaults(Complaint, columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY cases_complaint ({columns}) FROM STDIN") as copy,
    ):
        for n in range(count):
            estate = estates[rng.randrange(len(estates))]
            created = now - dt.timedelta(seconds=rng.randrange(730 * 86400))
            status = rng.choices(statuses, status_weights)[0]
            number = f"LB{created:%Y%m%d}{_base36(n)}"
            if n % max(1, count // 500) == 0:
                sample.append(number)
            inspector = None
            if status not in UNASSIGNED:
                home = estate.district_id if rng.random() < 0.9 else rng.choice(district_ids)
                inspector = rng.choice(inspectors[home])
            text = (
                f"{estate.name}{rng.randrange(1, 30)}号楼{rng.choice(PROBLEMS)}，"
                f"{'，'.join(rng.sample(DETAILS, 2))}。"
            )
            company = estate.managing_company_id
            copy.write_row(
                (
                    number,
                    digest_access_code(number, ACCESS_CODE),
                    status,
                    rng.choice(Category.values),
                    rng.choices(tiers, tier_weights)[0],
                    estate.pk,
                    estate.name,
                    "",
                    False,
                    False,
                    estate.district_id,
                    company,
                    text,
                    name,
                    phone,
                    email,
                    company if inspector else None,
                    inspector,
                    0,
                    "",
                    "",
                    created,
                    created,
                    created + dt.timedelta(days=rng.choice([1, 3, 10, 15])),
                    0,
                    *defaults,
                )
            )
    return sample


def _grants() -> int:
    """view and change on every assigned case for its inspector (``cases.dispatch._grant``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_complaintuserobjectpermission (permission_id, user_id,
                content_object_id)
            SELECT p.id, c.assigned_inspector_id, c.id
            FROM cases_complaint c
            CROSS JOIN auth_permission p
            JOIN django_content_type t ON t.id = p.content_type_id
            WHERE c.assigned_inspector_id IS NOT NULL AND t.app_label = 'cases'
              AND p.codename IN ('view_complaint', 'change_complaint')
            """
        )
        granted = cursor.rowcount
        cursor.execute("ANALYZE")
    return granted


def worked_cases(count: int, seeded: Seeded, rng: random.Random) -> list[int]:
    """Cases filed, accepted, dispatched and noted through the app's own services, so the
    staff case page shows a real timeline."""
    from cases.dispatch import dispatch_case
    from cases.notes import add_internal_note
    from cases.services import submit_complaint
    from cases.workflow import accept_case
    from enterprises.models import Estate

    User = get_user_model()
    head = User.objects.get(username=seeded.users["head"][0])
    estates = list(Estate.objects.filter(name__startswith="基准小区"))
    pks = []
    for i in range(count):
        estate = rng.choice(estates)
        inspector = User.objects.filter(
            staff_profile__district_id=estate.district_id, groups__name=Role.INSPECTOR
        ).order_by("?")[0]
        receipt = submit_complaint(
            actor=None,
            category=rng.choice(Category.values),
            description=f"{estate.name}{rng.choice(PROBLEMS)}，{rng.choice(DETAILS)}。({i})",
            contact_phone="13912345678",
            estate=estate,
            estate_name=estate.name,
        )
        complaint = accept_case(receipt.complaint, actor=head, note="受理")
        complaint = dispatch_case(complaint, actor=head, inspector=inspector, company=None)
        add_internal_note(complaint, actor=head, text="已电话联系物业，要求三日内处理。")
        pks.append(complaint.pk)
    return pks
