"""Public pages routed from memory (portal.site.routing): no routing query while the page tree
stands, and every change to the tree (publish, unpublish, a view restriction) seen at once."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db

ROUTING_TABLES = ("wagtailcore_site", "wagtailcore_page", "wagtailcore_pageviewrestriction")


def routing_queries(url: str) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(url)
    sql = [q["sql"] for q in captured.captured_queries]
    return [q for q in sql if any(f'FROM "{table}"' in q for table in ROUTING_TABLES)], response


def test_the_second_visit_of_the_tracking_form_asks_nothing_of_the_page_tree(site_pages):
    url = site_pages["tracking"].url
    first, response = routing_queries(url)
    assert response.status_code == 200 and first  # read once: site, pages, restrictions
    again, response = routing_queries(url)
    assert response.status_code == 200
    assert again == []
    assert site_pages["tracking"].title in response.content.decode()


def test_a_published_change_shows_at_once(site_pages):
    page = site_pages["tracking"]
    routing_queries(page.url)
    page.title = "查询办理进度"
    page.save_revision().publish()
    _, response = routing_queries(page.url)
    assert "查询办理进度" in response.content.decode()


def test_an_unpublished_page_is_gone_at_once(site_pages):
    page = site_pages["complaint"]
    url = page.url
    assert routing_queries(url)[1].status_code == 200
    page.unpublish()
    assert routing_queries(url)[1].status_code == 404


def test_a_new_view_restriction_applies_at_once(site_pages):
    page = site_pages["tracking"]
    routing_queries(page.url)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    _, response = routing_queries(page.url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_sub_pages_of_a_routed_page_still_resolve(site_pages):
    page = site_pages["tracking"]
    routing_queries(page.url)
    # The case view of the tracking page, routed from memory: no case opened → the form.
    _, response = routing_queries(page.url + page.reverse_subpage("case"))
    assert response.status_code == 302 and response["Location"].endswith(page.url)
    assert routing_queries(page.url + "no-such-thing/")[1].status_code == 404


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_without_a_cache_every_request_routes_afresh(site_pages):
    url = site_pages["tracking"].url
    routing_queries(url)
    again, response = routing_queries(url)
    assert response.status_code == 200 and again  # nothing remembered without a generation
