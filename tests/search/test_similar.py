"""Similar complaints on a case: likely duplicates in the same estate and months, within the
viewer's scope, on the real node and on the database fallback."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Complaint
from search import indexing
from search.similar import similar_complaints
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def lift_complaints(estate_x, estate_y, search_index):
    """Three reports of the same broken lift in estate X, one elsewhere, one unrelated."""
    texts = {
        "first": "3号楼电梯停运三天，老人无法下楼，物业不管。",
        "same": "3号楼电梯停运好几天了，物业一直不修，老人下不了楼。",
        "again": "电梯停运，3号楼住户出行困难。",
        "unrelated": "小区绿化带长期无人修剪，杂草丛生。",
    }
    made = {
        key: make_complaint(estate=estate_x, description=text).complaint
        for key, text in texts.items()
    }
    made["elsewhere"] = make_complaint(estate=estate_y, description=texts["same"]).complaint
    made["long_ago"] = make_complaint(estate=estate_x, description=texts["same"]).complaint
    Complaint.objects.filter(pk=made["long_ago"].pk).update(
        created_at=made["first"].created_at - dt.timedelta(days=200)
    )
    indexing.index_complaints([c.pk for c in made.values()])
    indexing.refresh()
    return made


def similar_keys(user, complaints, key):
    by_id = {c.pk: name for name, c in complaints.items()}
    return [by_id[hit.complaint_id] for hit in similar_complaints(user, complaints[key])]


@pytest.mark.parametrize("engine_on", [True, False])
def test_finds_the_same_problem_in_the_same_estate_and_months(
    admin, lift_complaints, settings, engine_on
):
    if not engine_on:
        settings.ELASTICSEARCH_URL = ""
    found = similar_keys(admin, lift_complaints, "first")
    assert set(found) == {"same", "again"}
    assert found[0] == "same"  # the closest wording first


def test_other_district_inspector_sees_none_of_them(
    other_district_inspector, lift_complaints, settings
):
    assert similar_complaints(other_district_inspector, lift_complaints["first"]) == []


def test_text_is_scrubbed_for_staff_without_personal_data(
    estate_x, company_a_staff, search_index, official
):
    from cases import dispatch, workflow

    first = make_complaint(estate=estate_x, description="电梯停运，请联系13912345678处理").complaint
    second = make_complaint(
        estate=estate_x, description="电梯停运，联系人电话13987654321"
    ).complaint
    for complaint in (first, second):
        workflow.accept_case(complaint, actor=official)
        dispatch.dispatch_case(complaint, actor=official, company=estate_x.managing_company)
    indexing.index_complaints([first.pk, second.pk])
    indexing.refresh()
    [hit] = similar_complaints(company_a_staff, first)
    assert "13987654321" not in hit.description + hit.snippet
    assert "139****4321" in hit.description


def test_case_page_lists_similar_complaints_for_the_regulator(client, official, lift_complaints):
    client.force_login(official)
    body = client.get(
        reverse("cases_admin:case", args=[lift_complaints["first"].pk])
    ).content.decode()
    assert 'id="similar-complaints"' in body
    assert lift_complaints["same"].tracking_number in body
    assert lift_complaints["unrelated"].tracking_number not in body
