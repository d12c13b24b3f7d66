"""Staff complaint search on the real Elasticsearch node and on the database fallback."""

import pytest
from django.urls import reverse

from cases import dispatch, workflow
from search import indexing
from search.models import IndexOutbox
from search.queries import search_complaints
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run on-commit work (the index task) as a real commit would, inside the test's
    transaction."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def three_complaints(estate_x, estate_y, official, search_index, committed):
    with committed():
        complaints = _three_complaints(estate_x, estate_y, official)
    indexing.refresh()
    return complaints


def _three_complaints(estate_x, estate_y, official):
    lift = make_complaint(estate=estate_x, description="3号楼电梯停运三天，业主被困。").complaint
    rubbish = make_complaint(
        estate=estate_x, description="Garbage not collected for a week."
    ).complaint
    other = make_complaint(estate=estate_y, description="西门电梯异响，担心安全。").complaint
    workflow.accept_case(lift, actor=official)
    dispatch.dispatch_case(lift, actor=official, company=estate_x.managing_company)
    return {"lift": lift, "rubbish": rubbish, "other": other}


def found(user, query):
    return {hit.tracking_number for hit in search_complaints(user, query).hits}


def test_chinese_word_matches_as_phrase_with_highlight(admin, three_complaints):
    results = search_complaints(admin, "电梯")
    assert results.backend == "elasticsearch"
    assert {h.tracking_number for h in results.hits} == {
        three_complaints["lift"].tracking_number,
        three_complaints["other"].tracking_number,
    }
    assert all(
        "<mark>电</mark><mark>梯</mark>" in h.snippet or "<mark>电梯</mark>" in h.snippet
        for h in results.hits
    )
    # The characters of 电梯 apart are not the word 电梯.
    assert found(admin, "梯电") == set()


def test_english_words_all_required(admin, three_complaints):
    assert found(admin, "garbage week") == {three_complaints["rubbish"].tracking_number}
    assert found(admin, "garbage month") == set()


def test_tracking_number_finds_exactly_one(admin, three_complaints):
    number = three_complaints["other"].tracking_number
    assert found(admin, number.lower()) == {number}


def test_scope_is_enforced_inside_the_query(
    three_complaints,
    inspector,
    company_a_staff,
    company_b_staff,
    other_district_inspector,
    evaluator,
):
    lift, rubbish, other = (
        three_complaints[k].tracking_number for k in ("lift", "rubbish", "other")
    )
    assert found(inspector, "") == {lift, rubbish}
    assert found(other_district_inspector, "") == {other}
    assert found(company_a_staff, "") == {lift}  # only what was dispatched to it
    assert found(company_b_staff, "") == set()
    assert search_complaints(evaluator, "").total == 0


def test_personal_data_is_not_in_the_index(admin, three_complaints, search_index):
    from search import engine

    doc = search_index.get(index=engine.complaint_alias(), id=three_complaints["lift"].pk)
    assert "13812345678" not in str(doc["_source"])
    assert "contact_phone" not in doc["_source"]


def test_index_follows_status_changes_and_clears_the_outbox(admin, three_complaints, committed):
    other = three_complaints["other"]
    with committed():
        workflow.reject_case(other, actor=admin, reason="重复投诉")
    indexing.refresh()
    [hit] = search_complaints(admin, other.tracking_number).hits
    assert hit.status == "rejected"
    assert not IndexOutbox.objects.exists()


def test_deleted_complaint_leaves_the_index(admin, three_complaints):
    rubbish = three_complaints["rubbish"]
    pk = rubbish.pk
    rubbish.delete()
    indexing.index_complaints([pk])
    indexing.refresh()
    assert found(admin, "garbage") == set()


def test_database_fallback_answers_the_same(settings, three_complaints, admin, company_a_staff):
    expected_admin = found(admin, "电梯")
    expected_company = found(company_a_staff, "")
    settings.ELASTICSEARCH_URL = ""
    results = search_complaints(admin, "电梯")
    assert results.backend == "database"
    assert {h.tracking_number for h in results.hits} == expected_admin
    assert "<mark>电梯</mark>" in results.hits[0].snippet
    assert found(company_a_staff, "") == expected_company


def test_search_screen_in_admin(client, inspector, three_complaints, django_assert_max_num_queries):
    client.force_login(inspector)
    # Constant: session and user, scope, one label query per register facet, the outbox.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("complaint_search"), {"q": "电梯"})
    assert response.status_code == 200
    body = response.content.decode()
    assert three_complaints["lift"].tracking_number in body
    assert three_complaints["other"].tracking_number not in body


@pytest.mark.parametrize("user_name", ["evaluator", "citizen"])
def test_search_screen_refuses_roles_without_search(request, client, user_name):
    client.force_login(request.getfixturevalue(user_name))
    response = client.get(reverse("complaint_search"), {"q": "电梯"})
    assert response.status_code in {302, 403}


def test_search_screen_escapes_html_in_complaints(client, admin, estate_x, search_index, committed):
    with committed():
        make_complaint(estate=estate_x, description="<script>alert('x')</script> 电梯 坏了很久")
    indexing.refresh()
    client.force_login(admin)
    body = client.get(reverse("complaint_search"), {"q": "电梯"}).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;" in body
