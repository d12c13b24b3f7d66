"""The public statistics page: the city's counts and rates, no complaint's or estate's
details, a bounded number of queries, served from the cache afterwards."""

import json
import re

import pytest
from django.test import Client

from cases.models import Category
from portal.models import StatisticsPage
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def statistics_page(site_pages, settings):
    settings.ELASTICSEARCH_URL = ""
    page = StatisticsPage(title="统计数据", slug="statistics")
    site_pages["home"].add_child(instance=page)
    page.save_revision().publish()
    return page


def test_counts_without_any_complaint_or_estate(statistics_page, estate_x, estate_y):
    made = [
        make_complaint(estate=estate_x, description="电梯停运三天，电话13812345678"),
        make_complaint(estate=estate_y, description="垃圾清运不及时", category=Category.CLEANING),
    ]
    body = Client().get(statistics_page.url).content.decode()
    data = json.loads(
        re.search(r'id="dashboard-data" type="application/json">(.*?)</script>', body, re.S).group(
            1
        )
    )
    assert sum(data["category"]["counts"]) == 2
    assert sum(data["district"]["counts"]) == 2
    assert (
        str(Category.CLEANING.label) in data["category"]["labels"]
        or "环境卫生" in data["category"]["labels"]
    )
    for receipt in made:
        assert receipt.tracking_number not in body
    assert estate_x.name not in body and "13812345678" not in body


def test_bounded_queries_then_the_cache(statistics_page, estate_x, django_assert_max_num_queries):
    for n in range(15):
        make_complaint(estate=estate_x, description=f"第{n}次反映：楼道灯不亮")
    with django_assert_max_num_queries(25):
        assert Client().get(statistics_page.url).status_code == 200
    with django_assert_max_num_queries(0):
        assert Client().get(statistics_page.url).status_code == 200
