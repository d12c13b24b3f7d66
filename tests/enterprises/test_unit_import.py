"""The units import (enterprises.unit_import): all rows or none, per-row errors naming the row
and column; a repeated room, a non-positive area and areas above the estate's floor area are
refused; one owner per name and phone; who may import."""

from decimal import Decimal

import pytest
from django.utils import translation
from wagtail.models import ModelLogEntry

from enterprises import unit_import, units
from enterprises.models import Owner, Unit
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(default_language):
    """Messages are matched in English (the Chinese ones are merged later)."""
    translation.activate("en")


HEADER = "楼栋,单元,房号,专有面积,开发商持有,业主姓名,业主电话\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def run(actor, estate, data: bytes):
    return unit_import.import_units(data, actor=actor, estate=estate, file_name="units.csv")


def test_a_good_file_records_units_with_one_owner_per_buyer(committee_member, estate_x):
    estate_x.floor_area = Decimal("1000")
    estate_x.save()
    report = run(
        committee_member,
        estate_x,
        csv(
            "1,1,101,89.50,否,张三,13900000001",
            "1,1,102,90,否,张三,139 0000 0001",
            "1,2,101,100.25,,李四,",
            "2,,301,120,是,,",
            "2,,302,80,是,,",
        ),
    )
    assert report.ok, report.errors
    assert (report.units, report.owners, report.new_owners) == (5, 2, 2)
    zhang = Owner.objects.get(name="张三")
    assert zhang.units.count() == 2
    assert Unit.objects.filter(estate=estate_x, developer_held=True).count() == 2
    area, owners = units.estate_totals(estate_x.pk)
    assert area == Decimal("479.75")
    assert owners == 3  # 张三 once, 李四, the developer once
    # A second file naming 张三 again joins the recorded owner.
    again = run(committee_member, estate_x, csv("3,,101,50,,张三,13900000001"))
    assert again.ok and again.new_owners == 0 and zhang.units.count() == 3
    logged = ModelLogEntry.objects.filter(action=unit_import.IMPORTED, object_id=str(estate_x.pk))
    assert logged.count() == 2 and logged.first().data["units"] in (5, 1)


def test_a_bad_row_rejects_the_whole_file_naming_rows_and_columns(official, estate_x):
    Unit.objects.create(estate=estate_x, building="1", entrance="1", room="101", exclusive_area=1)
    report = run(
        official,
        estate_x,
        csv(
            "1,1,101,80,,,",  # recorded already
            "1,1,102,0,,,",  # non-positive area
            "1,1,103,abc,,,",
            "1,1,104,70,maybe,,",
            "1,1,105,70,,,13900000001",  # a phone without a name
            "1,1,106,70,,,",
            "1,1,106,70,,,",  # repeats row 7
            ",,107,70,,,",
        ),
    )
    assert not report.ok and report.units == 0
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (2, "房号"),
        (3, "专有面积"),
        (4, "专有面积"),
        (5, "开发商持有"),
        (6, "业主姓名"),
        (8, "房号"),
        (9, "楼栋"),
    }
    repeated = next(e for e in report.errors if e.row == 8)
    assert "7" in repeated.message
    assert Unit.objects.filter(estate=estate_x).count() == 1 and not Owner.objects.exists()


def test_areas_above_the_floor_area_are_refused_with_both_figures(committee_member, estate_x):
    estate_x.floor_area = Decimal("200")
    estate_x.save()
    Unit.objects.create(estate=estate_x, building="9", room="1", exclusive_area=Decimal("100"))
    with translation.override("en"):
        report = run(committee_member, estate_x, csv("1,,1,60,,,", "1,,2,40.01,,,"))
    assert not report.ok
    (error,) = report.errors
    assert error.row is None and "200.01" in error.message and "200.00" in error.message
    assert Unit.objects.filter(estate=estate_x).count() == 1
    # Exactly the floor area is fine.
    assert run(committee_member, estate_x, csv("1,,1,60,,,", "1,,2,40,,,")).ok


@pytest.mark.parametrize("who", ["company_a_staff", "evaluator", "inspector", "citizen"])
def test_others_may_not_import(request, who, estate_x):
    actor = request.getfixturevalue(who)
    with pytest.raises(unit_import.UnitsNotAllowed):
        run(actor, estate_x, csv("1,,1,60,,,"))
    assert not Unit.objects.exists()


def test_a_committee_imports_only_its_own_estate(committee_member, official, district_2):
    other = EstateFactory(name="别处", district=district_2)
    for actor in (committee_member, official):
        with pytest.raises(unit_import.UnitsNotAllowed):
            run(actor, other, csv("1,,1,60,,,"))
