"""Who sees which complaint: the scope every list, search and detail path uses."""

import pytest

from cases import dispatch, workflow
from cases.permissions import can_see_personal_data, can_view, visible_complaints
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaints(estate_x, estate_y, official, admin, company_a, other_district_inspector):
    x_new = make_complaint(estate=estate_x).complaint
    x_dispatched = make_complaint(estate=estate_x).complaint
    workflow.accept_case(x_dispatched, actor=official)
    # To company A and, across districts, to district 2's inspector (a guardian grant).
    dispatch.dispatch_case(
        x_dispatched, actor=official, inspector=other_district_inspector, company=company_a
    )
    y_new = make_complaint(estate=estate_y).complaint
    return {"x_new": x_new, "x_dispatched": x_dispatched, "y_new": y_new}


EXPECTED = {
    "admin": {"x_new", "x_dispatched", "y_new"},
    "official": {"x_new", "x_dispatched"},
    "inspector": {"x_new", "x_dispatched"},
    "other_district_inspector": {"y_new", "x_dispatched"},
    "company_a_staff": {"x_dispatched"},
    "company_b_staff": set(),
    "committee_member": {"x_new", "x_dispatched"},
    "evaluator": set(),
    "citizen": set(),
}


@pytest.mark.parametrize(("user_name", "visible"), EXPECTED.items())
def test_visibility_matrix(request, complaints, user_name, visible):
    user = request.getfixturevalue(user_name)
    names = {name for name, c in complaints.items() if c in visible_complaints(user)}
    assert names == visible
    for name, complaint in complaints.items():
        assert can_view(user, complaint) is (name in visible)


@pytest.mark.parametrize(
    ("user_name", "allowed"),
    [
        ("official", True),
        ("inspector", True),
        ("admin", True),
        ("company_a_staff", False),
        ("committee_member", False),
        ("evaluator", False),
        ("citizen", False),
    ],
)
def test_personal_data_only_for_regulator_staff(request, user_name, allowed):
    assert can_see_personal_data(request.getfixturevalue(user_name)) is allowed


def test_can_view_asks_once_per_user_and_instance_and_never_answers_for_another(
    estate_x, official, other_district_inspector, django_assert_num_queries
):
    from cases.models import Complaint
    from cases.permissions import forget_visibility, loaded_as_visible

    complaint = make_complaint(estate=estate_x).complaint
    assert can_view(official, complaint)
    with django_assert_num_queries(0):
        assert can_view(official, complaint)
    # Another user on the same instance is asked about, and refused.
    assert not can_view(other_district_inspector, complaint)
    assert not can_view(other_district_inspector, complaint)
    # Marked when loaded through the user's own scope: no query at all.
    fresh = loaded_as_visible(official, Complaint.objects.get(pk=complaint.pk))
    with django_assert_num_queries(0):
        assert can_view(official, fresh)
    # A change that may end the visibility is asked about again.
    forget_visibility(fresh)
    with django_assert_num_queries(1):
        assert can_view(official, fresh)
