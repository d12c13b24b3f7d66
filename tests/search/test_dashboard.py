"""The officials' dashboard: regulator staff only, the numbers of ``search.statistics`` and
``cases.metrics`` in tables beside the charts, and a page cost that does not grow with the
complaints."""

import json
import re

import pytest
from django.urls import reverse

from cases.models import Complaint
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
URL = "statistics_dashboard"


@pytest.fixture
def database_search(settings):
    settings.ELASTICSEARCH_URL = ""


def chart_data(response) -> dict:
    found = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1))


def test_regulator_staff_see_their_scope(
    client, official, inspector, estate_x, estate_y, database_search
):
    for estate, text in (
        (estate_x, "电梯停运三天无人维修"),
        (estate_x, "垃圾清运不及时"),
        (estate_y, "门禁损坏"),
    ):
        make_complaint(estate=estate, description=text)
    client.force_login(inspector)  # district 1: estate X only
    data = chart_data(client.get(reverse(URL)))
    assert sum(data["district"]["counts"]) == 2
    assert data["estate"]["labels"] == [estate_x.name]
    client.force_login(official)
    response = client.get(reverse(URL), {"district": estate_x.district_id, "interval": "day"})
    assert response.status_code == 200
    assert sum(chart_data(response)["over_time"]["counts"]) == 2


@pytest.mark.parametrize(
    "user_name", ["company_a_staff", "committee_member", "evaluator", "citizen"]
)
def test_others_are_refused(request, client, user_name):
    client.force_login(request.getfixturevalue(user_name))
    assert client.get(reverse(URL)).status_code in (302, 403)


def test_bad_filters_fall_back_to_the_defaults(client, official, database_search):
    client.force_login(official)
    response = client.get(
        reverse(URL), {"start": "not-a-date", "district": "x", "interval": "year"}
    )
    assert response.status_code == 200
    assert "over_time" in chart_data(response)


def test_queries_do_not_grow_with_the_complaints(
    client, official, estate_x, estate_y, database_search, django_assert_max_num_queries
):
    client.force_login(official)
    for estate in (estate_x, estate_x, estate_y, estate_y):  # every chart has rows already
        make_complaint(estate=estate)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse(URL))
    for n in range(30):
        make_complaint(estate=estate_y if n % 2 else estate_x, description=f"第{n}次投诉：电梯停运")
    assert Complaint.objects.count() == 34
    with django_assert_max_num_queries(len(few)):
        client.get(reverse(URL))


def test_counts_come_from_elasticsearch_when_configured(
    client, official, estate_x, search_index, django_capture_on_commit_callbacks
):
    from search import indexing

    with django_capture_on_commit_callbacks(execute=True):
        make_complaint(estate=estate_x)
    indexing.refresh()
    client.force_login(official)
    body = client.get(reverse(URL)).content.decode()
    assert "Elasticsearch" in body or "Elasticsearch" in body.replace(
        "Elasticsearch", "Elasticsearch"
    )
    assert sum(chart_data(client.get(reverse(URL)))["category"]["counts"]) == 1
