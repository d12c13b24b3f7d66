"""The demo's people, for ``manage.py seed_demo``: one sign-in per role with a well-known
password (the seed prints the table), the grants that scope them (company staff to company
0, the owners' committee to its estate, the evaluator's engagements), and one staff member
for every other company, who acts in the demo's workflows but cannot sign in.

A second run resets the passwords and grants, and creates nobody twice.
"""

import datetime
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone

from enterprises import access
from enterprises.models import (
    CommitteeMember,
    Company,
    Estate,
    EvaluationOrganisation,
    EvaluatorEngagement,
    OwnersCommittee,
    StaffProfile,
)
from enterprises.permissions import evaluated_estates
from foundation.models import District
from foundation.roles import Role, sync_roles
from portal.demo import data
from portal.demo.register import make_credit_code

USERS = [
    # role, username, last name, first name
    (Role.CITIZEN, "citizen", "陈", "晓明"),
    (Role.COMPANY_STAFF, "company", "刘", "海波"),
    (Role.OWNERS_COMMITTEE, "committee", "周", "秀英"),
    (Role.EVALUATOR, "evaluator", "郑", "子轩"),
    (Role.ASSOCIATION, "association", "吴", "丽娟"),
    (Role.INSPECTOR, "inspector", "赵", "建国"),
    (Role.OFFICIAL, "official", "孙", "志红"),
    (Role.ADMINISTRATOR, "admin", "林", "浩宇"),
    (Role.INTAKE_CLERK, "hotline", "吴", "佳怡"),
]


def demo_password(username: str) -> str:
    return f"Demo-{username}-2026"


def email(username: str) -> str:
    return f"{username}@qinglan.example"


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


def company_actors(companies: list[Company], own: Company, own_user, rng) -> dict[int, object]:
    """Who acts for each company: the `company` login for its own; for each other company a
    staff member ``staff-NN`` who cannot sign in, since the verbs check who acts."""
    User = get_user_model()
    actors = {}
    for index, company in enumerate(companies):
        last_name = rng.choice(data.SURNAMES)
        first_name = "".join(rng.choice(data.GIVEN_NAME_CHARS) for _ in range(2))
        if company.pk == own.pk:
            actors[company.pk] = own_user
            continue
        user, created = User.objects.get_or_create(
            username=f"staff-{index:02d}",
            defaults={"last_name": last_name, "first_name": first_name},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if created or not StaffProfile.objects.filter(user=user, company=company).exists():
            access.grant_company_staff(user, company)
        actors[company.pk] = user
    return actors


def engage_evaluator(evaluator, estates: list[Estate], rng) -> list[Estate]:
    """The evaluator works for a registered evaluation organisation (评价机构) and is engaged
    on one estate per district, never the committee's (estates[0]), for this year and next."""
    today = timezone.localdate()
    organisation, _ = EvaluationOrganisation.objects.get_or_create(
        credit_code=make_credit_code("330100", "PJ2024A1"),
        defaults={
            "name": "青岚市正衡物业服务评价中心",
            "qualification": "物业服务评价机构（甲级）",
            "qualification_number": "QL-PJ-2024-001",
            "qualified_from": today.replace(month=1, day=1) - datetime.timedelta(days=730),
            "qualified_until": today.replace(month=12, day=31) + datetime.timedelta(days=730),
            "contact_name": "何静",
            "contact_phone": "0571-88000001",
        },
    )
    StaffProfile.objects.update_or_create(
        user=evaluator, defaults={"evaluation_organisation": organisation}
    )
    engaged = []
    for district_id in sorted({estate.district_id for estate in estates}):
        local = [e for e in estates[1:] if e.district_id == district_id and e.managing_company_id]
        engaged.append(rng.choice(local))
    period = {
        "starts_on": today.replace(month=1, day=1),
        "ends_on": today.replace(month=12, day=31) + datetime.timedelta(days=365),
    }
    for estate in engaged:
        EvaluatorEngagement.objects.get_or_create(
            organisation=organisation,
            evaluator=evaluator,
            estate=estate,
            defaults={**period, "access_granted": True},
        )
        access.engage_evaluator(evaluator, estate)
    return engaged


def file_committee(member, estate: Estate) -> OwnersCommittee:
    """The committee login chairs its estate's filed committee (业委会备案), in its third year
    of a five-year term; its access ends with the term (enterprises.committees)."""
    today = timezone.localdate()
    committee, _ = OwnersCommittee.objects.get_or_create(
        estate=estate,
        filing_number="QL-YWH-2024-0001",
        defaults={
            "term_starts_on": today.replace(month=1, day=1) - datetime.timedelta(days=730),
            "term_ends_on": today.replace(month=12, day=31) + datetime.timedelta(days=730),
        },
    )
    CommitteeMember.objects.get_or_create(
        committee=committee,
        user=member,
        defaults={"name": f"{member.last_name}{member.first_name}", "position": "chair"},
    )
    access.grant_committee_member(member, estate)
    return committee


def seed_users(
    districts: list[District],
    companies: list[Company],
    estates: list[Estate],
    hashes: dict[str, str],
    rng_for: Callable[[str], random.Random],
    write: Callable[[str], object],
) -> tuple[dict[str, object], dict[int, object]]:
    """The demo sign-ins by username, and the staff member acting for each company by its id."""
    User = get_user_model()
    if Group.objects.filter(name__in=[role.value for role in Role]).count() < len(Role):
        sync_roles()  # normally done by the post_migrate hook
    districts_of = {"inspector": districts[0], "official": None}  # None: city-wide (below)
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
            district = districts_of[username]
            defaults = {"district": district, "city_wide": district is None}
            defaults |= {"company": None, "estate": None}
            StaffProfile.objects.update_or_create(user=user, defaults=defaults)
        users[username] = user
    # Profile and guardian object permissions together: the register's scopes need both.
    access.grant_company_staff(users["company"], companies[0])  # 0 is always active
    file_committee(users["committee"], estates[0])  # 东湖区, company 0's
    engaged = engage_evaluator(users["evaluator"], estates, rng_for("evaluator"))
    actors = company_actors(companies, companies[0], users["company"], rng_for("staff"))
    write(
        f"users: {len(USERS)} demo sign-ins, {len(actors) - 1} company staff who cannot "
        f"sign in, the evaluator engaged on {len(engaged)} estates"
    )
    return users, actors


def scope(user) -> str:
    """What a demo sign-in sees, for the seed's summary table."""
    profile = getattr(user, "staff_profile", None)
    if user.is_superuser:
        return "superuser, whole city / 全市"
    roles = {group.name for group in user.groups.all()}
    if Role.ASSOCIATION in roles:
        return "peer reviews and honours, whole city / 全市"
    if Role.INTAKE_CLERK in roles:
        return "registers calls for the whole city / 全市受理"
    if profile is None:
        return ""
    if profile.evaluation_organisation_id:
        engaged = evaluated_estates(user).count()
        return f"{profile.evaluation_organisation.name}, engaged on {engaged} estates"
    if profile.company_id:
        return profile.company.name
    if profile.estate_id:
        return f"{profile.estate.district.name} {profile.estate.name}"
    return profile.district.name if profile.district_id else "whole city / 全市"
