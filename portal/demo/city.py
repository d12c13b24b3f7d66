"""The demo city 青岚市 itself, for ``manage.py seed_demo``: its districts, thirty
property-management companies (two of them suspended) and a hundred estates, a few with a
second phase (二期) managed by the first phase's company.

Deterministic and idempotent: rows are found by their natural keys (district code, credit
code, district and estate name) and updated, never duplicated.
"""

import random
from collections.abc import Callable

from enterprises.models import Company, CompanyStatus, Estate
from foundation.models import District
from portal.demo import data
from portal.demo.register import make_credit_code

COMPANY_COUNT = 30
ESTATE_COUNT = 100
SUSPENDED_COMPANIES = (9, 22)  # indexes into the company plan; 0 must stay active


def seed_city(
    rng_for: Callable[[str], random.Random], write: Callable[[str], object]
) -> tuple[list[District], list[Company], list[Estate]]:
    """The districts, companies and estates, in plan order (company 0 is always active)."""
    districts = []
    for code, name, _division in data.DISTRICTS:
        district, _ = District.objects.update_or_create(code=code, defaults={"name": name})
        districts.append(district)

    rng = rng_for("companies")
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
        status = CompanyStatus.SUSPENDED if index in SUSPENDED_COMPANIES else CompanyStatus.ACTIVE
        company, _ = Company.objects.update_or_create(
            credit_code=make_credit_code(division, body8),
            defaults={
                "name": f"{prefix}{trade_name}物业服务有限公司",
                "district": district,
                "address": address,
                "status": status,
            },
        )
        companies.append(company)

    rng = rng_for("estates")
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
    write(
        f"register: {len(districts)} districts, {len(companies)} companies "
        f"({len(SUSPENDED_COMPANIES)} suspended), {len(estates)} estates"
    )
    return districts, companies, estates
