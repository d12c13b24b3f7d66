"""The tally of an owners' vote at each threshold's boundary (Civil Code art. 278; 法释〔2009〕7号
arts. 8–9): a pure function, so these tests need no database."""

from decimal import Decimal

import pytest
from django.utils import translation

from enterprises.models import Matter, Unit
from enterprises.vote_tally import explain, tally

DEV = "developer"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def estate(*specs) -> list[Unit]:
    """Units from (area, owner) specs: owner None is an unrecorded owner, DEV the developer."""
    return [
        Unit(
            pk=number,
            exclusive_area=Decimal(str(area)),
            owner_id=owner if owner not in (None, DEV) else None,
            developer_held=owner == DEV,
        )
        for number, (area, owner) in enumerate(specs, start=1)
    ]


def unmet(result) -> set[str]:
    return {check.rule for check in result.checks if not check.met}


def test_exactly_two_thirds_of_area_and_owners_take_part():
    units = estate((100, None), (100, None), (100, None))
    result = tally(units, {1: "yes", 2: "no"}, matter=Matter.COMPANY)
    assert (result.participating_area, result.participating_owners) == (Decimal("200"), 2)
    assert result.participation_met
    # One yes of two participating is half, not more than half: matter (4) fails.
    assert unmet(result) == {"approval_area", "approval_owners"}


def test_one_unit_short_of_two_thirds_fails_both_participation_rules():
    units = estate(*[(100, None)] * 9)
    six = tally(units, dict.fromkeys(range(1, 7), "yes"), matter=Matter.COMPANY)
    five = tally(units, dict.fromkeys(range(1, 6), "yes"), matter=Matter.COMPANY)
    assert six.passed and unmet(six) == set()
    assert not five.passed
    assert unmet(five) == {"participation_area", "participation_owners"}


def test_one_square_metre_short_fails_on_area_though_owners_suffice():
    units = estate((100, None), (99, None), (101, None))
    result = tally(units, {1: "yes", 2: "yes"}, matter=Matter.COMPANY)
    assert result.participating_area == Decimal("199")
    assert unmet(result) == {"participation_area"}
    lines = explain(result.as_record())
    assert lines[0] == (
        False,
        "Participating area 199 of 300 m² (66.33%): needs at least two thirds, not met.",
    )


def test_a_hundredth_of_a_square_metre_decides_exactly():
    units = estate(("66.67", None), ("33.33", None), ("0.01", None))
    # 66.67 of 100.01 is just under two thirds (floats would not say so reliably).
    result = tally(units, {1: "yes"}, matter=Matter.OTHER)
    assert "participation_area" in unmet(result)


def test_the_units_of_one_buyer_are_one_owner_with_their_areas_summed():
    units = estate((50, 7), (50, 7), (50, 7), (50, 7), (50, None), (50, None))
    result = tally(units, dict.fromkeys(range(1, 5), "yes"), matter=Matter.COMPANY)
    assert (result.total_owners, result.participating_owners) == (3, 1)
    assert result.participating_area == Decimal("200")
    assert unmet(result) == {"participation_owners"}


def test_a_buyer_who_splits_their_ballots_counts_area_per_unit_but_not_as_agreeing():
    units = estate((60, 7), (40, 7), (50, None), (50, None))
    result = tally(units, {1: "yes", 2: "no", 3: "yes", 4: "no"}, matter=Matter.COMPANY)
    assert result.area == {"yes": Decimal("110"), "no": Decimal("90"), "abstain": Decimal("0")}
    assert result.owners == {"yes": 1, "no": 1, "abstain": 0, "split": 1}
    # Area 110 of 200 is more than half, but one owner of three agrees: fails on owners.
    assert unmet(result) == {"approval_owners"}


def test_the_developers_unsold_units_together_are_one_owner():
    units = estate(*[(10, DEV)] * 5, (10, None), (10, None), (10, None))
    assert tally(units, {}, matter=Matter.COMPANY).total_owners == 4
    developer_alone = tally(units, dict.fromkeys(range(1, 6), "yes"), matter=Matter.COMPANY)
    assert developer_alone.participating_area == Decimal("50")
    assert unmet(developer_alone) == {"participation_area", "participation_owners"}
    with_two = tally(units, dict.fromkeys(range(1, 8), "yes"), matter=Matter.COMPANY)
    assert with_two.participating_owners == 3 and with_two.passed


@pytest.mark.parametrize(
    ("matter", "yes_units", "passed"),
    [
        (Matter.RAISE_MAINTENANCE_FUND, 3, True),  # exactly three quarters
        (Matter.REBUILD, 2, False),  # half
        (Matter.COMMON_PARTS, 3, True),
        (Matter.COMPANY, 3, True),
        (Matter.COMPANY, 2, False),  # exactly half is not more than half
    ],
)
def test_three_quarter_matters_and_the_others(matter, yes_units, passed):
    units = estate(*[(100, None)] * 4)
    choices = {n: ("yes" if n <= yes_units else "no") for n in range(1, 5)}
    result = tally(units, choices, matter=matter)
    assert result.participation_met and result.passed is passed


def test_just_under_three_quarters_of_the_participating_area_fails_a_qualified_matter():
    units = estate((74, None), (26, None), (1, 5), (1, 5))
    result = tally(units, {1: "yes", 2: "no"}, matter=Matter.REBUILD)
    assert unmet(result) == {"approval_area", "approval_owners"}


def test_abstentions_take_part_but_do_not_agree():
    units = estate((100, None), (100, None), (100, None))
    result = tally(units, {1: "yes", 2: "abstain", 3: "abstain"}, matter=Matter.COMPANY)
    assert result.participation_met and not result.passed
    assert result.as_record()["owners"]["abstain"] == 2
