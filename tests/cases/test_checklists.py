"""Checklists (检查表): who may write them, item validation, versions, and freezing a version
once an inspection uses it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry
from wagtail.rich_text import RichText

from cases import checklists
from cases.checklists import ChecklistError
from cases.models import ChecklistItem, ChecklistTemplate
from portal.models import StandardPage
from tests.cases.supervision_fixtures import (
    ITEMS,
    audit_actions,
    make_checklist,
    make_inspector,
    plan,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ONE_ITEM = [{"number": "1.1", "text": "合同公示", "dimension": "basic_management", "weight": 5}]


@pytest.fixture
def standard(site_pages):
    return site_pages["home"].add_child(
        instance=StandardPage(
            title="住宅物业服务标准（2026版）",
            slug="residential-2026",
            code="QL/WY 001—2026",
            effective_from=datetime.date(2026, 7, 1),
            clauses=[
                ("clause", {"number": "4.1", "heading": "电梯", "text": RichText("<p>到场。</p>")}),
                ("clause", {"number": "4.2", "heading": "消防", "text": RichText("<p>畅通。</p>")}),
            ],
        )
    )


def items_of(template) -> list[tuple]:
    return list(
        template.items.order_by("sort_order", "id").values_list(
            "number", "dimension", "weight", "scoring_rule", "clause", "sort_order"
        )
    )


# Creating and versioning -------------------------------------------------------------------


def test_official_creates_version_one_with_its_items_and_an_audit_entry(official):
    template = make_checklist(official)

    assert (template.name, template.version) == ("住宅小区物业服务检查表", 1)
    assert [row[:4] for row in items_of(template)] == [
        (i["number"], i["dimension"], i["weight"], i.get("scoring_rule", "pass_fail"))
        for i in ITEMS
    ]
    assert [row[5] for row in items_of(template)] == list(range(len(ITEMS)))
    assert audit_actions(template) == [("cases.checklist.versioned", official.pk)]


def test_creating_an_existing_name_makes_the_next_version(official, admin):
    first = make_checklist(official)
    second = checklists.create_checklist(first.name, ONE_ITEM, actor=admin)

    assert second.version == 2 and second.pk != first.pk
    assert items_of(second) == [("1.1", "basic_management", 5, "pass_fail", "", 0)]
    assert first.items.count() == len(ITEMS)


def test_new_version_copies_the_items_and_leaves_the_old_one_alone(official, standard):
    items = [{**ONE_ITEM[0], "standard": standard, "clause": "4.2"}]
    old = checklists.create_checklist("消防检查表", items, actor=official)

    new = checklists.new_version(old, actor=official)

    assert (new.name, new.version) == ("消防检查表", 2)
    assert items_of(new) == items_of(old)
    assert new.items.get().standard_id == standard.pk
    assert set(new.items.values_list("pk", flat=True)).isdisjoint(old.items.values_list("pk"))
    entry = audit_actions(new)
    assert entry == [("cases.checklist.versioned", official.pk)]
    data = ModelLogEntry.objects.for_instance(new).get().data
    assert (data["version"], data["previous_version"], data["items"]) == (2, 1, ["1.1"])


def test_new_version_with_given_items_uses_them(official):
    old = make_checklist(official)
    new = checklists.new_version(old, actor=official, items=ONE_ITEM)

    assert new.version == 2
    assert [row[0] for row in items_of(new)] == ["1.1"]
    assert old.items.count() == len(ITEMS)


def test_versioning_an_older_version_takes_the_next_free_number(official):
    first = make_checklist(official)
    checklists.new_version(first, actor=official)

    assert checklists.new_version(first, actor=official).version == 3


# Freezing --------------------------------------------------------------------------------


def test_items_are_added_to_a_version_no_inspection_uses(official):
    template = make_checklist(official)
    added = checklists.add_item(
        template, actor=official, number="7.1", text="装修垃圾定点堆放", dimension="cleaning"
    )

    assert (added.template_id, added.weight, added.sort_order) == (template.pk, 5, len(ITEMS))


def test_a_version_used_by_an_inspection_is_frozen(official, inspector, estate_x, district_1):
    template = make_checklist(official)
    plan(official, estate_x, [inspector, make_inspector("inspector_2", district_1)], template)

    assert checklists.is_frozen(template)
    with pytest.raises(ChecklistError, match="new version"):
        checklists.add_item(
            template, actor=official, number="7.1", text="装修垃圾定点堆放", dimension="cleaning"
        )
    assert template.items.count() == len(ITEMS)
    # ...and a new version is how it changes.
    assert not checklists.is_frozen(checklists.new_version(template, actor=official))


def test_added_item_number_must_be_new_in_the_template(official):
    template = make_checklist(official)
    with pytest.raises(ChecklistError, match="“1.1” appears twice"):
        checklists.add_item(
            template, actor=official, number="1.1", text="重复", dimension="cleaning"
        )
    assert template.items.count() == len(ITEMS)


# Validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weight": 0}, "weight of 1 to 100"),
        ({"weight": -3}, "weight of 1 to 100"),
        ({"weight": 101}, "weight of 1 to 100"),
        ({"weight": "5"}, "weight of 1 to 100"),
        ({"dimension": "fees"}, "six evaluation dimensions"),
        ({"dimension": None}, "six evaluation dimensions"),
        ({"scoring_rule": "stars"}, "unknown scoring rule"),
        ({"number": " "}, "needs a number"),
        ({"text": ""}, "needs a requirement"),
        ({"clause": "4.2"}, "cites clause 4.2 but no standard"),
        ({"colour": "red"}, "Unknown checklist item fields: colour"),
    ],
)
def test_invalid_items_are_refused_and_nothing_is_created(official, change, message):
    with pytest.raises(ChecklistError, match=message):
        checklists.create_checklist("检查表", [{**ONE_ITEM[0], **change}], actor=official)
    assert not ChecklistTemplate.objects.exists()
    assert not ChecklistItem.objects.exists()


def test_a_cited_standard_needs_a_clause_it_has(official, standard):
    with pytest.raises(ChecklistError, match="give the clause"):
        checklists.create_checklist(
            "检查表", [{**ONE_ITEM[0], "standard": standard}], actor=official
        )
    with pytest.raises(ChecklistError, match="has no clause 9.9"):
        checklists.create_checklist(
            "检查表", [{**ONE_ITEM[0], "standard": standard, "clause": "9.9"}], actor=official
        )
    assert not ChecklistTemplate.objects.exists()

    template = checklists.create_checklist(
        "检查表", [{**ONE_ITEM[0], "standard": standard, "clause": "4.1"}], actor=official
    )
    assert template.items.get().clause == "4.1"


def test_item_numbers_are_unique_within_a_checklist(official):
    with pytest.raises(ChecklistError, match="“1.1” appears twice"):
        checklists.create_checklist("检查表", [ONE_ITEM[0], {**ONE_ITEM[0]}], actor=official)
    assert not ChecklistTemplate.objects.exists()


def test_a_checklist_needs_a_name_and_items(official):
    with pytest.raises(ChecklistError, match="needs a name"):
        checklists.create_checklist("  ", ONE_ITEM, actor=official)
    with pytest.raises(ChecklistError, match="at least one item"):
        checklists.create_checklist("检查表", [], actor=official)
    assert not ChecklistTemplate.objects.exists()


# Who may write checklists ----------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["inspector", "company_a_staff", "committee_member", "evaluator", "citizen"]
)
def test_only_officials_write_checklists(request, official, who):
    actor = request.getfixturevalue(who)
    template = make_checklist(official)

    with pytest.raises(PermissionDenied):
        checklists.create_checklist("另一张表", ONE_ITEM, actor=actor)
    with pytest.raises(PermissionDenied):
        checklists.new_version(template, actor=actor)
    with pytest.raises(PermissionDenied):
        checklists.add_item(template, actor=actor, number="9", text="x", dimension="cleaning")
    assert list(ChecklistTemplate.objects.values_list("pk", flat=True)) == [template.pk]
    assert template.items.count() == len(ITEMS)


def test_an_administrator_writes_checklists(admin):
    assert make_checklist(admin).version == 1
