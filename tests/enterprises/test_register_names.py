"""One way to name an estate with its district, read back by every form that offers the
register's estates (the phone intake's type-ahead and the case page's re-triage)."""

import pytest

from enterprises.register_names import estate_label, estates_named
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


def test_a_label_names_the_one_estate_of_that_district(estate_x, estate_y):
    here = EstateFactory(name="同名小区", district=estate_x.district)
    there = EstateFactory(name="同名小区", district=estate_y.district)
    district = estate_x.district.name
    assert estate_label("同名小区", district) == f"同名小区（{district}）"
    assert estates_named(estate_label(here.name, here.district.name)) == [here]
    assert estates_named(f"  {estate_label(there.name, there.district.name)} ") == [there]
    assert len(estates_named("同名小区")) == 2  # ambiguous without its district
    assert estates_named("同名小区（没有这个区）") == []


def test_brackets_in_an_estate_name_are_its_own(estate_x):
    """The district is the last bracketed part: “观澜家园（二期）” is a name, not a label."""
    second_phase = EstateFactory(name="观澜家园（二期）", district=estate_x.district)
    assert estates_named("观澜家园（二期）") == [second_phase]
    label = estate_label(second_phase.name, estate_x.district.name)
    assert estates_named(label) == [second_phase]


def test_the_intake_type_ahead_and_the_retriage_box_speak_the_same_label(estate_x):
    from cases.admin.forms import EstateNameField
    from portal.intake.forms import estate_label as intake_label

    assert EstateNameField().clean(intake_label(estate_x)) == estate_x
