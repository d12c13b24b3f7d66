"""Evaluation organisations (评价机构) and their staff's engagements on estates: registration
with a unique credit code and a qualification period; engagements inside that period, on
estates the actor decides for, granting access on their first day and withdrawing it at
their end (early, by the sweep, or when the qualification runs out); every refusal names
its field and leaves nothing behind; the screens are the registrars'."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from enterprises import access, evaluators, people, permissions
from enterprises.models import EvaluationOrganisation, EvaluatorEngagement, StaffProfile
from enterprises.tasks import sweep_evaluator_engagements_task
from foundation.models import AuditEvent
from foundation.roles import Role
from tests.factories import make_user, valid_credit_code

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
CODE = valid_credit_code("91330100MA0000001")
OTHER_CODE = valid_credit_code("91330100MA0000002")


def details(**overrides) -> dict:
    return {
        "name": "东湖物业评价事务所",
        "credit_code": CODE,
        "qualification": "物业服务评价 甲级",
        "qualification_number": "PJ-2026-001",
        "qualified_from": TODAY - 365 * DAY,
        "qualified_until": TODAY + 365 * DAY,
        "contact_name": "王芳",
        "contact_phone": "13700001111",
        **overrides,
    }


def actions(prefix="enterprises.evaluator.") -> list[str]:
    events = AuditEvent.objects.filter(action__startswith=prefix)
    return list(events.order_by("pk").values_list("action", flat=True))


@pytest.fixture
def organisation(admin):
    return evaluators.register_organisation(actor=admin, **details())


@pytest.fixture
def staff_evaluator(organisation):
    user = make_user("org_evaluator", None)
    access.grant_evaluator(user, organisation)
    return user


def sees_estate(user, estate) -> bool:
    user = get_user_model().objects.get(pk=user.pk)  # guardian caches nothing across objects
    return permissions.visible_estates(user).filter(pk=estate.pk).exists()


# Registration -------------------------------------------------------------------------------


def test_registration_is_audited_and_the_code_stored_canonically(admin):
    organisation = evaluators.register_organisation(
        actor=admin, **details(credit_code=f" {CODE.lower()} ")
    )
    assert organisation.credit_code == CODE
    assert organisation.created_by == admin
    event = AuditEvent.objects.get(action=evaluators.REGISTERED)
    assert event.actor == admin and event.filters["organisation"] == organisation.pk


def test_a_duplicate_credit_code_is_refused_on_its_field(organisation, official):
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.register_organisation(
            actor=official, **details(name="另一家", credit_code=CODE.lower())
        )
    assert refusal.value.field == "credit_code"
    assert EvaluationOrganisation.objects.count() == 1
    assert actions("enterprises.evaluator_organisation") == [evaluators.REGISTERED]


def test_an_invalid_credit_code_is_refused_on_its_field(admin):
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.register_organisation(actor=admin, **details(credit_code=CODE[:-1] + "0"))
    assert refusal.value.field == "credit_code"
    assert not EvaluationOrganisation.objects.exists()


@pytest.mark.parametrize("until", [TODAY - 365 * DAY, TODAY - 400 * DAY])
def test_a_qualification_ending_before_it_starts_is_refused(admin, until):
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.register_organisation(actor=admin, **details(qualified_until=until))
    assert refusal.value.field == "qualified_until"
    assert not EvaluationOrganisation.objects.exists()


@pytest.mark.parametrize("who", ["inspector", "company_a_staff", "evaluator", "citizen"])
def test_only_registrars_register_organisations(request, who):
    with pytest.raises(evaluators.NotAllowed):
        evaluators.register_organisation(actor=request.getfixturevalue(who), **details())
    assert not EvaluationOrganisation.objects.exists()


def test_a_change_is_audited_with_before_and_after(organisation, official):
    evaluators.change_organisation(
        organisation, actor=official, **details(qualification_number="PJ-2027-009")
    )
    organisation.refresh_from_db()
    assert organisation.qualification_number == "PJ-2027-009"
    event = AuditEvent.objects.get(action=evaluators.CHANGED)
    assert event.filters["before"] == {"qualification_number": "PJ-2026-001"}
    assert event.filters["after"] == {"qualification_number": "PJ-2027-009"}


def test_a_change_to_another_organisations_code_is_refused(organisation, admin):
    other = evaluators.register_organisation(
        actor=admin, **details(name="西岭评价", credit_code=OTHER_CODE)
    )
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.change_organisation(other, actor=admin, **details(name="西岭评价"))
    assert refusal.value.field == "credit_code"
    other.refresh_from_db()
    assert other.credit_code == OTHER_CODE


# Engagements --------------------------------------------------------------------------------


def test_an_engagement_from_today_grants_the_estate(staff_evaluator, official, estate_x):
    assert not sees_estate(staff_evaluator, estate_x)
    engagement = evaluators.engage(
        actor=official,
        evaluator=staff_evaluator,
        estate=estate_x,
        starts_on=TODAY,
        ends_on=TODAY + 30 * DAY,
    )
    assert engagement.access_granted
    assert sees_estate(staff_evaluator, estate_x)
    assert permissions.can_evaluate_estate(staff_evaluator, estate_x)
    event = AuditEvent.objects.get(action=evaluators.ENGAGED)
    assert event.actor == official and event.filters["estate"] == estate_x.pk


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        (TODAY, TODAY + 366 * DAY, "ends_on"),  # past the qualification
        (TODAY - 366 * DAY, TODAY, "starts_on"),  # before it
    ],
)
def test_an_engagement_outside_the_qualification_is_refused(
    staff_evaluator, organisation, official, estate_x, starts_on, ends_on, field
):
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.engage(
            actor=official,
            evaluator=staff_evaluator,
            estate=estate_x,
            starts_on=starts_on,
            ends_on=ends_on,
        )
    assert refusal.value.field == field
    assert str(organisation.qualified_until.year) in str(refusal.value.message)
    assert not EvaluatorEngagement.objects.exists()
    assert not sees_estate(staff_evaluator, estate_x)
    assert actions() == []


def test_an_engagement_ending_before_it_starts_is_refused(staff_evaluator, official, estate_x):
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.engage(
            actor=official,
            evaluator=staff_evaluator,
            estate=estate_x,
            starts_on=TODAY + 5 * DAY,
            ends_on=TODAY + 4 * DAY,
        )
    assert refusal.value.field == "ends_on"
    assert not EvaluatorEngagement.objects.exists()


def test_an_overlapping_engagement_is_refused(staff_evaluator, official, estate_x):
    evaluators.engage(
        actor=official,
        evaluator=staff_evaluator,
        estate=estate_x,
        starts_on=TODAY,
        ends_on=TODAY + 30 * DAY,
    )
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.engage(
            actor=official,
            evaluator=staff_evaluator,
            estate=estate_x,
            starts_on=TODAY + 30 * DAY,
            ends_on=TODAY + 60 * DAY,
        )
    assert refusal.value.field == "starts_on"
    assert EvaluatorEngagement.objects.count() == 1


def test_another_districts_official_cannot_engage(staff_evaluator, official, estate_y):
    with pytest.raises(evaluators.NotAllowed):
        evaluators.engage(
            actor=official,
            evaluator=staff_evaluator,
            estate=estate_y,
            starts_on=TODAY,
            ends_on=TODAY + DAY,
        )
    assert not EvaluatorEngagement.objects.exists()
    assert not sees_estate(staff_evaluator, estate_y)


def test_an_evaluator_without_an_organisation_cannot_be_engaged(evaluator, official, estate_x):
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.engage(
            actor=official, evaluator=evaluator, estate=estate_x, starts_on=TODAY, ends_on=TODAY
        )
    assert refusal.value.field == "evaluator"
    assert not EvaluatorEngagement.objects.exists()


def test_a_future_engagement_is_granted_by_the_sweep_on_its_first_day(
    staff_evaluator, official, estate_x
):
    start = TODAY + 10 * DAY
    engagement = evaluators.engage(
        actor=official,
        evaluator=staff_evaluator,
        estate=estate_x,
        starts_on=start,
        ends_on=start + 30 * DAY,
    )
    assert not engagement.access_granted
    assert not sees_estate(staff_evaluator, estate_x)
    assert evaluators.sweep_engagements(today=start - DAY) == 0
    assert not sees_estate(staff_evaluator, estate_x)
    assert evaluators.sweep_engagements(today=start) == 1
    assert sees_estate(staff_evaluator, estate_x)
    assert evaluators.sweep_engagements(today=start) == 0  # idempotent


def test_the_task_sweeps_on_the_day_it_runs(staff_evaluator, official, estate_x):
    start = TODAY + 3 * DAY
    evaluators.engage(
        actor=official,
        evaluator=staff_evaluator,
        estate=estate_x,
        starts_on=start,
        ends_on=start + DAY,
    )
    with time_machine.travel(datetime.datetime.combine(start, datetime.time(9)), tick=False):
        assert sweep_evaluator_engagements_task.apply().get() == 1
    assert sees_estate(staff_evaluator, estate_x)
    at_the_end = datetime.datetime.combine(start + 2 * DAY, datetime.time(9))
    with time_machine.travel(at_the_end, tick=False):
        assert sweep_evaluator_engagements_task.apply().get() == 1
    assert not sees_estate(staff_evaluator, estate_x)


def test_the_task_repairs_a_missing_grant(staff_evaluator, official, estate_x):
    engagement = evaluators.engage(
        actor=official,
        evaluator=staff_evaluator,
        estate=estate_x,
        starts_on=TODAY,
        ends_on=TODAY,
    )
    EvaluatorEngagement.objects.filter(pk=engagement.pk).update(access_granted=False)
    assert sweep_evaluator_engagements_task.apply().get() == 1
    assert sees_estate(staff_evaluator, estate_x)


def test_ending_early_withdraws_access(staff_evaluator, official, estate_x):
    engagement = evaluators.engage(
        actor=official,
        evaluator=staff_evaluator,
        estate=estate_x,
        starts_on=TODAY,
        ends_on=TODAY + 30 * DAY,
    )
    evaluators.end_engagement(engagement, actor=official, reason="合同提前终止")
    engagement.refresh_from_db()
    assert engagement.ended_at is not None and engagement.end_reason == "合同提前终止"
    assert engagement.ended_by == official and not engagement.access_granted
    assert not sees_estate(staff_evaluator, estate_x)
    assert actions() == [evaluators.ENGAGED, evaluators.ENGAGEMENT_ENDED]
    evaluators.end_engagement(engagement, actor=official, reason="再次")  # already ended
    assert actions() == [evaluators.ENGAGED, evaluators.ENGAGEMENT_ENDED]


def test_ending_needs_a_reason_and_the_estates_official(
    staff_evaluator, official, admin, estate_y, district_2
):
    engagement = evaluators.engage(
        actor=admin, evaluator=staff_evaluator, estate=estate_y, starts_on=TODAY, ends_on=TODAY
    )
    with pytest.raises(evaluators.NotAllowed):
        evaluators.end_engagement(engagement, actor=official, reason="越权")
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.end_engagement(engagement, actor=admin, reason="  ")
    assert refusal.value.field == "reason"
    engagement.refresh_from_db()
    assert engagement.ended_at is None
    assert sees_estate(staff_evaluator, estate_y)


def test_the_sweep_ends_engagements_past_their_period(staff_evaluator, official, estate_x):
    evaluators.engage(
        actor=official, evaluator=staff_evaluator, estate=estate_x, starts_on=TODAY, ends_on=TODAY
    )
    assert evaluators.sweep_engagements(today=TODAY) == 0
    assert evaluators.sweep_engagements(today=TODAY + DAY) == 1
    engagement = EvaluatorEngagement.objects.get()
    assert (
        engagement.end_reason == evaluators.stored_reason(evaluators.PERIOD_OVER)
        and engagement.ended_by is None
    )
    assert not sees_estate(staff_evaluator, estate_x)
    assert evaluators.sweep_engagements(today=TODAY + DAY) == 0


def test_an_expired_qualification_ends_the_engagements_once(
    staff_evaluator, organisation, official, estate_x
):
    evaluators.engage(
        actor=official,
        evaluator=staff_evaluator,
        estate=estate_x,
        starts_on=TODAY,
        ends_on=TODAY + 30 * DAY,
    )
    # The qualification is withdrawn early (corrected in the record by the database, as a
    # change through the service would be refused while the engagement runs).
    EvaluationOrganisation.objects.filter(pk=organisation.pk).update(qualified_until=TODAY)
    assert evaluators.sweep_engagements(today=TODAY + DAY) == 1
    engagement = EvaluatorEngagement.objects.get()
    assert engagement.end_reason == evaluators.stored_reason(evaluators.QUALIFICATION_EXPIRED)
    assert not sees_estate(staff_evaluator, estate_x)
    assert evaluators.sweep_engagements(today=TODAY + DAY) == 0
    assert actions().count(evaluators.ENGAGEMENT_ENDED) == 1


def test_shortening_the_qualification_under_an_engagement_is_refused(
    staff_evaluator, organisation, official, estate_x
):
    evaluators.engage(
        actor=official,
        evaluator=staff_evaluator,
        estate=estate_x,
        starts_on=TODAY,
        ends_on=TODAY + 30 * DAY,
    )
    with pytest.raises(evaluators.EvaluatorRefused) as refusal:
        evaluators.change_organisation(
            organisation, actor=official, **details(qualified_until=TODAY + 10 * DAY)
        )
    assert refusal.value.field == "qualified_until"


def test_the_legacy_engagement_still_works(estate_x):
    user = make_user("legacy", None)
    access.engage_evaluator(user, estate_x)
    assert sees_estate(user, estate_x)


# People: evaluators are invited with their organisation ------------------------------------


def test_an_evaluator_is_invited_with_an_organisation(admin, organisation):
    invitation = people.invite_person(
        actor=admin,
        email="ev@example.test",
        name="赵评",
        role=Role.EVALUATOR,
        evaluation_organisation=organisation,
    )
    profile = StaffProfile.objects.get(user=invitation.user)
    assert profile.evaluation_organisation == organisation and profile.estate is None
    event = AuditEvent.objects.get(action=people.INVITED)
    assert event.filters["scope"]["evaluation_organisation"] == organisation.pk


@pytest.mark.parametrize(
    ("scope", "field"),
    [({}, "evaluation_organisation"), ({"estate": True}, "estate")],
)
def test_an_evaluator_without_organisation_or_with_an_estate_is_refused(
    admin, organisation, estate_x, scope, field
):
    if scope:
        scope = {"estate": estate_x, "evaluation_organisation": organisation}
    with pytest.raises(people.PersonRefused) as refusal:
        people.invite_person(
            actor=admin, email="ev@example.test", name="赵评", role=Role.EVALUATOR, **scope
        )
    assert refusal.value.field == field
    assert not get_user_model().objects.filter(email="ev@example.test").exists()


def test_a_committee_member_still_needs_an_estate(admin):
    with pytest.raises(people.PersonRefused) as refusal:
        people.invite_person(
            actor=admin, email="c@example.test", name="钱", role=Role.OWNERS_COMMITTEE
        )
    assert refusal.value.field == "estate"


# The screens -------------------------------------------------------------------------------


def test_the_invite_form_takes_the_organisation(client, admin, organisation, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    client.force_login(admin)
    response = client.post(
        reverse("people:invite"),
        {"name": "赵评", "email": "ev@example.test", "role": Role.EVALUATOR},
    )
    assert response.status_code == 200
    assert "evaluation_organisation" in response.context["form"].errors
    response = client.post(
        reverse("people:invite"),
        {
            "name": "赵评",
            "email": "ev@example.test",
            "role": Role.EVALUATOR,
            "evaluation_organisation": organisation.pk,
        },
    )
    assert response.status_code == 302
    assert StaffProfile.objects.filter(evaluation_organisation=organisation).count() == 1


@pytest.mark.parametrize("count", [10, 100])
def test_the_list_query_count_does_not_grow(
    count, client, admin, staff_evaluator, estate_x, django_assert_max_num_queries
):
    for n in range(count):
        evaluators.register_organisation(
            actor=admin,
            **details(name=f"评价机构{n:03}", credit_code=valid_credit_code(f"91330100MB{n:07}")),
        )
    evaluators.engage(
        actor=admin, evaluator=staff_evaluator, estate=estate_x, starts_on=TODAY, ends_on=TODAY
    )
    client.force_login(admin)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("evaluation_organisations:index"))
    assert response.status_code == 200
    assert "评价机构000" in response.content.decode()


def test_an_official_sees_every_organisation_but_only_their_districts_engagements(
    client, official, admin, organisation, staff_evaluator, estate_x, estate_y
):
    for estate in (estate_x, estate_y):
        evaluators.engage(
            actor=admin, evaluator=staff_evaluator, estate=estate, starts_on=TODAY, ends_on=TODAY
        )
    client.force_login(official)
    assert (
        organisation.name in client.get(reverse("evaluation_organisations:index")).content.decode()
    )
    body = client.get(
        reverse("evaluation_organisations:organisation", args=(organisation.pk,))
    ).content.decode()
    assert estate_x.name in body and estate_y.name not in body


@pytest.mark.parametrize("who", ["inspector", "company_a_staff", "evaluator", "committee_member"])
def test_others_are_refused_the_screens(client, request, who, organisation):
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("evaluation_organisations:index"),
        reverse("evaluation_organisations:add"),
        reverse("evaluation_organisations:organisation", args=(organisation.pk,)),
    ):
        assert client.get(url).status_code in (302, 403)


def test_the_add_form_names_the_duplicate_code(client, official, organisation):
    client.force_login(official)
    data = details(name="重复", credit_code=CODE)
    response = client.post(reverse("evaluation_organisations:add"), data)
    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    assert EvaluationOrganisation.objects.count() == 1


def test_the_engage_form_refuses_another_districts_estate(
    client, official, organisation, staff_evaluator, estate_y
):
    client.force_login(official)
    response = client.post(
        reverse("evaluation_organisations:engage", args=(organisation.pk,)),
        {
            "evaluator": staff_evaluator.pk,
            "estate": estate_y.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "estate" in response.context["engage_form"].errors
    assert not EvaluatorEngagement.objects.exists()


def test_engaging_and_ending_from_the_screens(
    client, official, organisation, staff_evaluator, estate_x
):
    client.force_login(official)
    response = client.post(
        reverse("evaluation_organisations:engage", args=(organisation.pk,)),
        {
            "evaluator": staff_evaluator.pk,
            "estate": estate_x.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": (organisation.qualified_until + DAY).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["engage_form"].errors
    response = client.post(
        reverse("evaluation_organisations:engage", args=(organisation.pk,)),
        {
            "evaluator": staff_evaluator.pk,
            "estate": estate_x.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + DAY).isoformat(),
        },
    )
    assert response.status_code == 302
    engagement = EvaluatorEngagement.objects.get()
    assert sees_estate(staff_evaluator, estate_x)
    response = client.post(
        reverse("evaluation_organisations:end_engagement", args=(engagement.pk,)),
        {"reason": "评价完成"},
    )
    assert response.status_code == 302
    assert not sees_estate(staff_evaluator, estate_x)


def test_the_person_page_shows_the_engagements(
    client, admin, organisation, staff_evaluator, estate_x
):
    evaluators.engage(
        actor=admin, evaluator=staff_evaluator, estate=estate_x, starts_on=TODAY, ends_on=TODAY
    )
    client.force_login(admin)
    body = client.get(reverse("people:person", args=(staff_evaluator.pk,))).content.decode()
    assert estate_x.name in body and organisation.name in body
