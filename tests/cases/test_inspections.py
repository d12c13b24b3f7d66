"""The inspection state machine (监督检查): planning guards, scoring rules, photos, the score and
its dimensions, refusals that change nothing, outsiders, and who sees which inspection."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image
from wagtail.models import ModelLogEntry

from cases import inspections
from cases.inspections import InspectionError
from cases.models import (
    Campaign,
    Dimension,
    Inspection,
    InspectionKind,
    InspectionPhoto,
    InspectionScore,
    InspectionStatus,
    RectificationOrder,
)
from cases.permissions import visible_inspections
from foundation.roles import Role
from tests.cases.supervision_fixtures import (
    ITEMS,
    PLANNED_ON,
    audit_actions,
    item,
    make_checklist,
    make_inspector,
    plan,
)
from tests.factories import make_complaint, make_user
from tests.images import jpeg_with_gps, lying_jpeg, png
from tests.object_store import stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NOW = datetime.datetime(2026, 5, 6, 9, 30, tzinfo=datetime.UTC)

# Known numbers: 10 + 7.4 + 0 + 2.5 + 15 + 3 + 10 = 47.9 of 60 → 79.8.
KNOWN = {
    "1.1": {"passed": True},
    "2.1": {"points": "7.4"},
    "3.1": {"passed": False, "note": "绿地黄土裸露约20平方米"},
    "4.1": {"points": 2.5, "note": "夜间门岗无人值守"},
    "5.1": {"passed": True},
    "5.2": {"points": 3},  # exactly 60 % of 5: passes
    "6.1": {"passed": True},
}


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def inspector_2(district_1):
    return make_inspector("inspector_2", district_1)


@pytest.fixture
def team(inspector, inspector_2):
    return [inspector, inspector_2]


@pytest.fixture
def checklist(official):
    return make_checklist(official)


@pytest.fixture
def planned(official, estate_x, team, checklist):
    return plan(official, estate_x, team, checklist)


@pytest.fixture
def started(planned, inspector):
    return inspections.start_inspection(planned, actor=inspector)


def score_all(inspection, checklist, actor, scores=KNOWN):
    for number, given in scores.items():
        inspections.score_item(inspection, item(checklist, number), actor=actor, **given)


def snapshot(inspection) -> dict:
    row = Inspection.objects.get(pk=inspection.pk)
    return {
        "status": row.status,
        "started_at": row.started_at,
        "completed_at": row.completed_at,
        "score": row.score,
        "findings": row.findings,
        "inspectors": sorted(row.inspectors.values_list("pk", flat=True)),
        "scores": list(row.scores.values_list("item__number", "points", "passed", "note")),
        "photos": row.photos.count(),
        "audit": audit_actions(row),
    }


# The whole lifecycle -----------------------------------------------------------------------


def test_planned_started_scored_completed_with_one_audit_entry_per_step(
    official, inspector, inspector_2, estate_x, company_a, district_1, checklist
):
    inspection = plan(official, estate_x, [inspector, inspector_2], checklist)
    assert (inspection.status, inspection.company, inspection.district) == (
        InspectionStatus.PLANNED,
        company_a,
        district_1,
    )
    assert (inspection.planned_by, inspection.planned_on) == (official, PLANNED_ON)

    inspections.start_inspection(inspection, actor=inspector)
    score_all(inspection, checklist, inspector_2)
    inspections.add_photo(inspection, png(), actor=inspector, caption="3号楼绿地")
    done = inspections.complete_inspection(inspection, actor=inspector, findings="绿化、门岗待整改")

    assert done.status == InspectionStatus.COMPLETED
    assert (done.started_at, done.completed_at) == (NOW, NOW)
    assert (done.score, done.findings) == (Decimal("79.8"), "绿化、门岗待整改")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.COMPLETED
    assert audit_actions(inspection) == [
        ("cases.inspection.planned", official.pk),
        ("cases.inspection.started", inspector.pk),
        *[("cases.inspection.scored", inspector_2.pk)] * len(KNOWN),
        ("cases.inspection.photo_added", inspector.pk),
        ("cases.inspection.completed", inspector.pk),
    ]
    completed = ModelLogEntry.objects.for_instance(inspection).get(
        action="cases.inspection.completed"
    )
    assert completed.data == {
        "from_status": InspectionStatus.IN_PROGRESS,
        "to_status": InspectionStatus.COMPLETED,
        "score": "79.8",
        "failed_items": ["3.1", "4.1"],
    }


def test_dimension_scores_and_failed_items_on_known_numbers(started, checklist, inspector):
    score_all(started, checklist, inspector)
    inspections.complete_inspection(started, actor=inspector)

    assert inspections.dimension_scores(started) == {
        Dimension.BASIC_MANAGEMENT: Decimal("100.0"),
        Dimension.CLEANING: Decimal("74.0"),
        Dimension.GREENING: Decimal("0.0"),
        Dimension.PUBLIC_ORDER: Decimal("50.0"),
        Dimension.FACILITY_MAINTENANCE: Decimal("90.0"),  # (15 + 3) of 20
        Dimension.CUSTOMER_SERVICE: Decimal("100.0"),
    }
    failed = inspections.failed_items(started)
    assert [(s.item.number, s.points, s.note) for s in failed] == [
        ("3.1", Decimal("0.0"), "绿地黄土裸露约20平方米"),
        ("4.1", Decimal("2.5"), "夜间门岗无人值守"),
    ]


def test_score_rounds_to_one_decimal(official, team, estate_x, inspector):
    checklist = make_checklist(
        official,
        name="三项检查表",
        items=[
            {"number": str(n), "text": "要求", "dimension": "cleaning", "weight": 1}
            for n in range(3)
        ],
    )
    inspection = plan(official, estate_x, team, checklist)
    inspections.start_inspection(inspection, actor=inspector)
    for n, passed in enumerate([True, True, False]):
        inspections.score_item(
            inspection, item(checklist, str(n)), actor=inspector, passed=passed, note="未达标"
        )
    assert inspections.complete_inspection(inspection, actor=inspector).score == Decimal("66.7")
    assert inspections.dimension_scores(inspection)[Dimension.CLEANING] == Decimal("66.7")


def test_a_dimension_without_items_has_no_score(official, team, estate_x, inspector):
    checklist = make_checklist(official, name="保洁检查表", items=[ITEMS[1]])
    inspection = plan(official, estate_x, team, checklist)
    scores = inspections.dimension_scores(inspection)
    assert scores[Dimension.CLEANING] == Decimal("0.0")  # not scored yet: no points
    assert [d for d, value in scores.items() if value is None] == [
        d for d in Dimension if d != Dimension.CLEANING
    ]


# Planning guards -------------------------------------------------------------------------


def test_fewer_than_two_different_inspectors_are_refused(official, estate_x, inspector, checklist):
    for team in ([inspector], [inspector, inspector], []):
        with pytest.raises(InspectionError, match="at least 2 different inspectors"):
            plan(official, estate_x, team, checklist)
    assert not Inspection.objects.exists()


def test_an_inspector_of_another_district_is_refused(
    official, estate_x, inspector, other_district_inspector, checklist
):
    with pytest.raises(InspectionError, match="not an inspector of the district"):
        plan(official, estate_x, [inspector, other_district_inspector], checklist)
    assert not Inspection.objects.exists()


def test_someone_who_is_not_an_inspector_is_refused(official, estate_x, inspector, checklist):
    with pytest.raises(InspectionError, match="official is not an inspector"):
        plan(official, estate_x, [inspector, official], checklist)
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    "who",
    ["company_a_staff", "committee_member", "evaluator", "other_district_inspector", "citizen"],
)
def test_outsiders_cannot_plan(request, estate_x, team, checklist, who):
    with pytest.raises(PermissionDenied):
        plan(request.getfixturevalue(who), estate_x, team, checklist)
    assert not Inspection.objects.exists()


def test_an_inspector_of_the_district_may_plan(inspector, estate_x, team, checklist):
    assert plan(inspector, estate_x, team, checklist).planned_by == inspector


def test_a_campaign_inspection_needs_a_campaign_running_on_the_day(
    official, estate_x, team, checklist, district_1, district_2
):
    campaign = Campaign.objects.create(
        name="电梯安全专项整治",
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 5, 31),
        district=district_1,
    )
    with pytest.raises(InspectionError, match="needs its campaign"):
        plan(official, estate_x, team, checklist, kind=InspectionKind.CAMPAIGN)
    with pytest.raises(InspectionError, match="from 2026-05-01 to 2026-05-31"):
        plan(
            official,
            estate_x,
            team,
            checklist,
            kind=InspectionKind.CAMPAIGN,
            campaign=campaign,
            planned_on=datetime.date(2026, 6, 1),
        )
    elsewhere = Campaign.objects.create(
        name="西岭专项", starts_on=campaign.starts_on, ends_on=campaign.ends_on, district=district_2
    )
    with pytest.raises(InspectionError, match="not run in the district"):
        plan(official, estate_x, team, checklist, kind=InspectionKind.CAMPAIGN, campaign=elsewhere)
    assert not Inspection.objects.exists()

    inspection = plan(
        official, estate_x, team, checklist, kind=InspectionKind.CAMPAIGN, campaign=campaign
    )
    assert inspection.campaign == campaign


def test_a_complaint_inspection_needs_a_complaint_about_the_estate(
    official, estate_x, estate_y, team, checklist
):
    elsewhere = make_complaint(estate=estate_y).complaint
    with pytest.raises(InspectionError, match="needs its complaint"):
        plan(official, estate_x, team, checklist, kind=InspectionKind.COMPLAINT)
    with pytest.raises(InspectionError, match="is not about"):
        plan(
            official, estate_x, team, checklist, kind=InspectionKind.COMPLAINT, complaint=elsewhere
        )
    assert not Inspection.objects.exists()

    complaint = make_complaint(estate=estate_x).complaint
    inspection = plan(
        official, estate_x, team, checklist, kind=InspectionKind.COMPLAINT, complaint=complaint
    )
    assert inspection.complaint == complaint


def test_a_reinspection_needs_the_order_it_checks(
    official, estate_x, company_a, district_1, team, checklist
):
    with pytest.raises(InspectionError, match="needs the rectification order"):
        plan(official, estate_x, team, checklist, kind=InspectionKind.REINSPECTION)
    assert not Inspection.objects.exists()

    order = RectificationOrder.objects.create(
        number="ZG-2026-000001",
        company=company_a,
        estate=estate_x,
        district=district_1,
        requirements="整改绿地",
        deadline=datetime.date(2026, 6, 1),
    )
    inspection = plan(
        official, estate_x, team, checklist, kind=InspectionKind.REINSPECTION, order=order
    )
    assert inspection.order == order


def test_a_random_spot_check_needs_its_draw(official, estate_x, team, checklist):
    with pytest.raises(InspectionError, match="needs the random draw"):
        plan(official, estate_x, team, checklist, kind=InspectionKind.RANDOM)
    assert not Inspection.objects.exists()


def test_a_checklist_without_items_cannot_be_planned_with(official, estate_x, team, checklist):
    checklist.items.all().delete()
    with pytest.raises(InspectionError, match="has no items"):
        plan(official, estate_x, team, checklist)
    assert not Inspection.objects.exists()


# Starting, repeating, cancelling ---------------------------------------------------------


def test_starting_twice_is_quiet(planned, inspector, inspector_2, time_machine):
    inspections.start_inspection(planned, actor=inspector)
    time_machine.move_to(NOW + datetime.timedelta(hours=1), tick=False)
    again = inspections.start_inspection(planned, actor=inspector_2)

    assert (again.status, again.started_at) == (InspectionStatus.IN_PROGRESS, NOW)
    assert [a for a, _user in audit_actions(planned)].count("cases.inspection.started") == 1


def test_an_official_of_the_district_may_work_an_inspection_not_assigned_to_them(planned, official):
    assert (
        inspections.start_inspection(planned, actor=official).status == InspectionStatus.IN_PROGRESS
    )


def test_completing_twice_is_quiet(started, checklist, inspector, inspector_2):
    score_all(started, checklist, inspector)
    inspections.complete_inspection(started, actor=inspector, findings="第一次")
    again = inspections.complete_inspection(started, actor=inspector_2, findings="第二次")

    assert (again.status, again.findings) == (InspectionStatus.COMPLETED, "第一次")
    assert [a for a, _user in audit_actions(started)].count("cases.inspection.completed") == 1


@pytest.mark.parametrize("begin", ["planned", "started"])
def test_cancelling_with_a_reason(request, inspector, begin):
    inspection = request.getfixturevalue(begin)
    cancelled = inspections.cancel_inspection(inspection, actor=inspector, reason="小区封闭管理")
    assert cancelled.status == InspectionStatus.CANCELLED
    entry = ModelLogEntry.objects.for_instance(inspection).get(action="cases.inspection.cancelled")
    assert (entry.user, entry.data["reason"], entry.data["to_status"]) == (
        inspector,
        "小区封闭管理",
        InspectionStatus.CANCELLED,
    )
    # Repeated: quiet, no second entry.
    inspections.cancel_inspection(inspection, actor=inspector, reason="再次")
    assert [a for a, _user in audit_actions(inspection)].count("cases.inspection.cancelled") == 1


def test_cancelling_needs_a_reason(planned, inspector):
    before = snapshot(planned)
    with pytest.raises(InspectionError, match="needs a reason"):
        inspections.cancel_inspection(planned, actor=inspector, reason="  ")
    assert snapshot(planned) == before


def test_a_completed_inspection_cannot_be_cancelled_or_restarted(started, checklist, inspector):
    score_all(started, checklist, inspector)
    inspections.complete_inspection(started, actor=inspector)
    before = snapshot(started)
    with pytest.raises(InspectionError, match="“Completed” cannot become “Cancelled”"):
        inspections.cancel_inspection(started, actor=inspector, reason="误操作")
    with pytest.raises(InspectionError, match="“Completed” cannot become “In progress”"):
        inspections.start_inspection(started, actor=inspector)
    assert snapshot(started) == before


def test_a_planned_inspection_cannot_be_completed(planned, inspector):
    before = snapshot(planned)
    with pytest.raises(InspectionError, match="“Planned” cannot become “Completed”"):
        inspections.complete_inspection(planned, actor=inspector)
    assert snapshot(planned) == before


# Scoring ---------------------------------------------------------------------------------


def test_scoring_before_the_start_is_refused(planned, checklist, inspector):
    before = snapshot(planned)
    with pytest.raises(InspectionError, match="while the inspection is in progress"):
        inspections.score_item(planned, item(checklist, "1.1"), actor=inspector, passed=True)
    assert snapshot(planned) == before


def test_scoring_after_completion_is_refused(started, checklist, inspector):
    score_all(started, checklist, inspector)
    inspections.complete_inspection(started, actor=inspector)
    before = snapshot(started)
    with pytest.raises(InspectionError, match="it is “Completed”"):
        inspections.score_item(started, item(checklist, "3.1"), actor=inspector, passed=True)
    assert snapshot(started) == before


def test_completing_with_an_unscored_item_is_refused(started, checklist, inspector):
    score_all(started, checklist, inspector, {k: v for k, v in KNOWN.items() if k != "5.2"})
    before = snapshot(started)
    with pytest.raises(InspectionError, match="not scored yet: 5.2"):
        inspections.complete_inspection(started, actor=inspector)
    assert snapshot(started) == before


def test_an_item_of_another_checklist_is_refused(started, official, inspector):
    other = make_checklist(official, name="另一张表")
    with pytest.raises(InspectionError, match="not on this inspection's checklist"):
        inspections.score_item(started, item(other, "1.1"), actor=inspector, passed=True)
    assert not InspectionScore.objects.exists()


@pytest.mark.parametrize(
    ("number", "given", "message"),
    [
        ("2.1", {"points": 11}, "takes 0 to 10 points, not 11"),
        ("2.1", {"points": "10.1"}, "takes 0 to 10 points"),
        ("2.1", {"points": -1}, "takes 0 to 10 points"),
        ("2.1", {"points": "7.25"}, "at most one decimal"),
        ("2.1", {"points": "seven"}, "at most one decimal"),
        ("2.1", {}, "give its points"),
        ("2.1", {"points": 5, "passed": True}, "passes from 6.0 points"),
        ("1.1", {}, "say whether it passed"),
        ("1.1", {"passed": True, "points": 4}, "worth 10 points or none"),
        ("3.1", {"passed": False}, "describe the finding"),
        ("2.1", {"points": 5.9, "note": "  "}, "describe the finding"),
    ],
)
def test_invalid_scores_are_refused(started, checklist, inspector, number, given, message):
    before = snapshot(started)
    with pytest.raises(InspectionError, match=message):
        inspections.score_item(started, item(checklist, number), actor=inspector, **given)
    assert snapshot(started) == before


def test_pass_fail_gives_the_weight_or_nothing_and_scale_passes_from_60_percent(
    started, checklist, inspector
):
    def score(number, **given):
        return inspections.score_item(started, item(checklist, number), actor=inspector, **given)

    assert (score("5.1", passed=True).points, score("5.1", passed=True).passed) == (15, True)
    failed = score("1.1", passed=False, note="合同未公示")
    assert (failed.points, failed.passed) == (Decimal("0.0"), False)
    assert score("2.1", points=6).passed is True
    assert score("2.1", points="5.9", note="楼道有垃圾").passed is False


def test_scoring_again_replaces_the_score(started, checklist, inspector, inspector_2):
    item_21 = item(checklist, "2.1")
    inspections.score_item(started, item_21, actor=inspector, points=4, note="楼道有垃圾")
    inspections.score_item(started, item_21, actor=inspector_2, points=8)

    assert list(started.scores.values_list("points", "passed", "note")) == [
        (Decimal("8.0"), True, "")
    ]
    entries = ModelLogEntry.objects.for_instance(started).filter(action="cases.inspection.scored")
    assert [(e.user_id, e.data["points"], e.data["replaced"]) for e in entries.order_by("id")] == [
        (inspector.pk, "4.0", False),
        (inspector_2.pk, "8.0", True),
    ]
    # The same score again changes nothing and writes nothing.
    inspections.score_item(started, item_21, actor=inspector_2, points="8.0")
    assert entries.count() == 2


# Photos ----------------------------------------------------------------------------------


def test_a_photo_is_stored_re_encoded_without_its_metadata(started, inspector, media_root):
    photo = inspections.add_photo(started, jpeg_with_gps(), actor=inspector, caption="消防通道")

    assert (photo.inspection, photo.caption, photo.uploaded_by) == (started, "消防通道", inspector)
    assert photo.image.name.startswith(f"inspections/{started.pk}/")
    with photo.image.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
    entry = ModelLogEntry.objects.for_instance(started).get(action="cases.inspection.photo_added")
    assert (entry.user, entry.data["photo"]) == (inspector, photo.pk)


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(
    started, inspector, media_root
):
    before = snapshot(started)
    with pytest.raises(ValidationError, match="not a JPEG, PNG, WebP or GIF"):
        inspections.add_photo(started, lying_jpeg(), actor=inspector)
    assert snapshot(started) == before
    assert not InspectionPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_photos_are_added_while_in_progress_only(planned, inspector):
    with pytest.raises(InspectionError, match="it is “Planned”"):
        inspections.add_photo(planned, png(), actor=inspector)
    assert not InspectionPhoto.objects.exists()


# Outsiders -------------------------------------------------------------------------------

ACTIONS = {
    "start": lambda inspection, checklist, actor: inspections.start_inspection(
        inspection, actor=actor
    ),
    "score": lambda inspection, checklist, actor: inspections.score_item(
        inspection, item(checklist, "1.1"), actor=actor, passed=True
    ),
    "photo": lambda inspection, checklist, actor: inspections.add_photo(
        inspection, png(), actor=actor
    ),
    "complete": lambda inspection, checklist, actor: inspections.complete_inspection(
        inspection, actor=actor
    ),
    "cancel": lambda inspection, checklist, actor: inspections.cancel_inspection(
        inspection, actor=actor, reason="外人"
    ),
}


@pytest.fixture
def unassigned_inspector(district_1):
    return make_inspector("unassigned_inspector", district_1)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    "who",
    [
        "company_a_staff",
        "committee_member",
        "evaluator",
        "other_district_inspector",
        "unassigned_inspector",
        "citizen",
    ],
)
def test_outsiders_cannot_work_an_inspection(request, planned, checklist, inspector, who, action):
    inspection = planned
    if action != "start":
        inspection = inspections.start_inspection(planned, actor=inspector)
        score_all(inspection, checklist, inspector)  # so that "complete" would succeed
    before = snapshot(inspection)
    with pytest.raises(PermissionDenied):
        ACTIONS[action](inspection, checklist, request.getfixturevalue(who))
    assert snapshot(inspection) == before


# Who sees which inspection ---------------------------------------------------------------


@pytest.fixture
def both(admin, estate_x, estate_y, team, district_2, other_district_inspector, checklist):
    in_1 = plan(admin, estate_x, team, checklist)
    team_2 = [other_district_inspector, make_inspector("other_district_inspector_2", district_2)]
    in_2 = plan(admin, estate_y, team_2, checklist)
    return {"x": in_1, "y": in_2}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", {"x", "y"}),
        ("head_of_department", {"x", "y"}),
        ("official", {"x"}),
        ("inspector", {"x"}),
        ("other_district_inspector", {"y"}),
        ("company_a_staff", {"x"}),
        ("company_b_staff", {"y"}),
        ("committee_member", {"x"}),
        ("evaluator", set()),
        ("citizen", set()),
    ],
)
def test_who_sees_which_inspections(request, both, who, sees):
    if who == "head_of_department":
        user = make_user("head", Role.OFFICIAL, city_wide=True)
    else:
        user = request.getfixturevalue(who)
    visible = set(visible_inspections(user).values_list("pk", flat=True))
    assert visible == {both[key].pk for key in sees}
