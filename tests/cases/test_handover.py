"""Handing over an inspector's open work in one step (issue 16): from their People page, all
cases and inspections go to one colleague, or nothing moves."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from guardian.shortcuts import get_perms

from cases import dispatch, handover, permissions, workflow
from cases.models import CaseEvent, Dispatch, DispatchStatus
from foundation.models import Notification
from foundation.roles import Role
from tests.cases.supervision_fixtures import audit_actions, make_checklist, plan
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(district_1):
    return make_user("colleague", Role.INSPECTOR, district=district_1)


@pytest.fixture
def third(district_1):
    return make_user("third_inspector", Role.INSPECTOR, district=district_1)


@pytest.fixture
def held(estate_x, official, inspector, company_a, third):
    """Two cases dispatched to ``inspector`` (one signed for) and one inspection with ``third``."""
    cases = []
    for text in ("电梯停运三天，无人维修", "楼道灯坏了一个月"):
        complaint = make_complaint(estate=estate_x, description=text).complaint
        workflow.accept_case(complaint, actor=official)
        dispatch.dispatch_case(complaint, actor=official, inspector=inspector, company=company_a)
        cases.append(complaint)
    own = Dispatch.objects.get(complaint=cases[0], inspector=inspector)
    dispatch.sign_dispatch(own, actor=inspector)
    inspection = plan(official, estate_x, [inspector, third], make_checklist(official))
    return {"cases": cases, "inspection": inspection}


def _post(client, person, successor):
    return client.post(
        reverse("cases_admin:hand_over", args=(person.pk,)), {"successor": successor.pk}
    )


def test_the_official_hands_everything_over_in_one_step(
    client, official, inspector, colleague, held
):
    client.force_login(official)
    page = client.get(reverse("people:person", args=(inspector.pk,))).content.decode()
    assert reverse("cases_admin:hand_over", args=(inspector.pk,)) in page
    assert f'value="{colleague.pk}"' in page and f'value="{inspector.pk}"' not in page

    response = _post(client, inspector, colleague)

    assert response.status_code == 302
    with translation.override("zh-hans"):
        done = gettext(
            "%(cases)d case(s) and %(inspections)d inspection(s) handed over to %(user)s."
        ) % {"cases": 2, "inspections": 1, "user": "colleague"}
    assert [str(m).strip() for m in get_messages(response.wsgi_request)][-1] == done
    for case in held["cases"]:
        case.refresh_from_db()
        assert case.assigned_inspector == colleague
        assert not Dispatch.objects.filter(
            complaint=case, inspector=inspector, status__in=dispatch.ACTIVE
        ).exists()
        assert permissions.can_view(colleague, case)
        assert get_perms(inspector, case) == []
        event = CaseEvent.objects.filter(complaint=case).latest("timestamp")
        assert event.action == handover.CASE_ACTION and not event.is_public
        assert event.data["handed_to"] == "colleague"
    # The signed dispatch stays signed: the colleague carries on where the work stood.
    signed = Dispatch.objects.get(complaint=held["cases"][0], inspector=colleague)
    assert signed.status == DispatchStatus.SIGNED
    inspection = held["inspection"]
    assert set(inspection.inspectors.values_list("username", flat=True)) == {
        "colleague",
        "third_inspector",
    }
    assert (handover.INSPECTION_ACTION, official.pk) in audit_actions(inspection)
    assert Notification.objects.filter(
        recipient=colleague.email, dedup_key__startswith="handover:"
    ).exists()
    assert not handover.held_cases(inspector).exists()


def test_an_inspection_keeps_two_different_inspectors(client, official, inspector, third, held):
    client.force_login(official)
    response = _post(client, inspector, third)
    message = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert "third_inspector" in message or "two different inspectors" in message
    for case in held["cases"]:
        case.refresh_from_db()
        assert case.assigned_inspector == inspector  # nothing moved
    assert not CaseEvent.objects.filter(action=handover.CASE_ACTION).exists()


def test_a_colleague_of_another_district_is_refused(
    official, inspector, other_district_inspector, held
):
    with translation.override("en"), pytest.raises(handover.HandoverRefused, match="district"):
        handover.hand_over_work(inspector, other_district_inspector, actor=official)
    assert handover.held_cases(inspector).count() == 2


def test_the_form_offers_only_inspectors_of_the_district(
    client, official, inspector, other_district_inspector, held
):
    client.force_login(official)
    response = _post(client, inspector, other_district_inspector)
    assert response.status_code == 302
    assert handover.held_cases(inspector).count() == 2
    assert "Choose one of the inspectors offered" in " ".join(
        str(m) for m in get_messages(response.wsgi_request)
    ) or "选择" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_old_districts_official_can_still_hand_over_after_a_move(
    official, inspector, colleague, held, district_2
):
    profile = inspector.staff_profile
    profile.district = district_2
    profile.save()
    assert handover.may_hand_over(official, inspector)
    assert handover.hand_over_work(inspector, colleague, actor=official) == (2, 1)


@pytest.mark.parametrize("who", ["inspector", "other_official", "company"])
def test_who_may_not_hand_over(
    client, who, inspector, colleague, held, district_2, company_a, third
):
    actors = {
        "inspector": third,
        "other_official": make_user("official_2", Role.OFFICIAL, district=district_2),
        "company": make_user("company_staff", Role.COMPANY_STAFF, company=company_a),
    }
    actor = actors[who]
    client.force_login(actor)
    response = _post(client, inspector, colleague)
    # 404 out of scope; Wagtail answers an admin-wide PermissionDenied with the dashboard.
    assert response.status_code == 404 or response.url == reverse("wagtailadmin_home")
    assert handover.held_cases(inspector).count() == 2
    with pytest.raises(PermissionDenied):
        handover.hand_over_work(inspector, colleague, actor=actor)
    page = client.get(reverse("people:person", args=(inspector.pk,))).content.decode()
    assert reverse("cases_admin:hand_over", args=(inspector.pk,)) not in page


def test_nobody_hands_over_their_own_work(official, colleague, held):
    assert not handover.may_hand_over(official, official)
