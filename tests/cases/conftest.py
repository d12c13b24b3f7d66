import pytest

# The penalty due-process tests (tests/cases/test_penalty_*.py) ----------------------------


@pytest.fixture
def national_day_eve(time_machine):
    """The clock at 10:00 on 30 September 2026, the last working day before National Day."""
    from tests.cases.penalty_fixtures import EVE

    time_machine.move_to(EVE, tick=False)
    return time_machine


@pytest.fixture
def second_official(district_1):
    """Another official of district 1, who investigated nothing: decides and holds hearings."""
    from foundation.roles import Role
    from tests.factories import make_user

    return make_user("second_official", Role.OFFICIAL, district=district_1)


@pytest.fixture
def approved_licence(company_a, company_a_staff, official):
    import datetime

    from enterprises import licensing

    applied = licensing.apply_for_licence(company_a, actor=company_a_staff, scope="住宅物业管理")
    return licensing.approve_licence(
        applied,
        actor=official,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2028, 12, 31),
    )
