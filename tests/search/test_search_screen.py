"""The staff search screen: facet links, cursor paging past Elasticsearch's 10,000-hit window,
a bad page link, the index's freshness, and the database answering when the node does not."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from cases.access_codes import new_tracking_number
from cases.models import Complaint
from search import indexing
from search.facets import SearchRequest
from search.models import IndexOutbox
from search.queries import search_complaints
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
SCREEN = "complaint_search"


@pytest.fixture
def two_estates(estate_x, estate_y, search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = [
            make_complaint(estate=estate_x, description="电梯停运三天").complaint,
            make_complaint(estate=estate_x, description="电梯异响").complaint,
            make_complaint(estate=estate_y, description="电梯故障").complaint,
        ]
    indexing.refresh()
    return made


def test_facet_links_tick_and_untick_a_value(client, admin, two_estates, estate_x, estate_y):
    client.force_login(admin)
    body = client.get(reverse(SCREEN), {"q": "电梯"}).content.decode()
    tick = re.search(rf'href="(\?[^"]*estate={estate_x.pk}[^"]*)"', body).group(1)
    ticked = client.get(reverse(SCREEN) + tick.replace("&amp;", "&")).content.decode()
    assert two_estates[0].tracking_number in ticked
    assert two_estates[2].tracking_number not in ticked
    # The other estate is still offered, with its count, and the chosen one can be unticked.
    assert re.search(rf'estate={estate_y.pk}"[^>]*data-count="1"', ticked)
    assert 'aria-current="true"' in ticked


def test_next_page_link_follows_the_cursor(client, admin, two_estates, settings):
    client.force_login(admin)
    view = reverse(SCREEN)
    from search.admin_views import ComplaintSearchView

    ComplaintSearchView.per_page = 2
    try:
        first = client.get(view, {"sort": "newest"}).content.decode()
        next_link = re.search(r'href="([^"]*after=[^"]*)" rel="next"', first).group(1)
        second = client.get(view + next_link.replace("&amp;", "&")).content.decode()
    finally:
        ComplaintSearchView.per_page = 20
    oldest = two_estates[0].tracking_number
    assert oldest not in first
    assert oldest in second
    assert 'rel="next"' not in second


def test_a_forged_page_link_shows_the_first_page_with_a_message(client, admin, two_estates):
    client.force_login(admin)
    response = client.get(reverse(SCREEN), {"q": "电梯", "after": "not-a-cursor!"})
    assert response.status_code == 200
    body = response.content.decode()
    assert all(c.tracking_number in body for c in two_estates)
    assert 'role="alert"' in body


def test_freshness_shows_the_changes_not_yet_indexed(client, admin, two_estates):
    IndexOutbox.objects.create(
        doc_type="complaint", object_id=two_estates[0].pk, changed_at=two_estates[0].updated_at
    )
    client.force_login(admin)
    body = client.get(reverse(SCREEN)).content.decode()
    freshness = re.search(r'id="index-freshness">(.*?)</span>', body, re.S).group(1)
    assert "1" in freshness


def test_database_answers_when_elasticsearch_refuses_connections(admin, two_estates, settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    results = search_complaints(admin, "电梯")
    assert results.backend == "database"
    assert results.degraded
    assert results.total == 3


def test_paging_goes_past_ten_thousand_hits(admin, estate_x, search_index):
    """Elasticsearch refuses from+size beyond 10,000: only search_after gets there."""
    # Unique numbers: 10,050 random ones collide now and then (a birthday clash, ~7 %).
    numbers = set()
    while len(numbers) < 10_050:
        numbers.add(new_tracking_number())
    rows = [
        Complaint(
            tracking_number=number,
            access_code_digest="x" * 64,
            category="cleaning",
            estate=estate_x,
            estate_name=estate_x.name,
            district_id=estate_x.district_id,
            description=f"垃圾清运不及时（第{i}号）",
            contact_phone="13800000000",
        )
        for i, number in enumerate(sorted(numbers))
    ]
    ids = [c.pk for c in Complaint.objects.bulk_create(rows, batch_size=2000)]
    for start in range(0, len(ids), 2000):
        indexing.index_complaints(ids[start : start + 2000])
    indexing.refresh()
    seen, after, pages = set(), None, 0
    while True:
        results = search_complaints(admin, SearchRequest(sort="oldest", per_page=1000, after=after))
        pages += 1
        seen.update(hit.complaint_id for hit in results.hits)
        if not results.has_next:
            break
        after = results.next_after
    assert results.total == 10_050
    assert seen == set(ids)
    assert pages == 11


def test_the_screen_is_titled_as_itself_not_home(client, admin):
    """The header shows the last breadcrumb: it used to be "Home" (首页)."""
    client.force_login(admin)
    body = client.get(reverse(SCREEN), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with translation.override("zh-hans"):
        title = translation.gettext("Complaint search")
        home = translation.gettext("Home")
    header = re.search(r"<header.*?</header>", body, re.S).group(0)
    assert re.search(rf"<h1[^>]*>\s*(<[^>]+>\s*)*{title}", header), header
    assert re.search(rf"<title>\s*{title} - ", body)
    # Home is still the way back, as a link, not the title.
    assert re.search(rf'<a [^>]*href="{reverse("wagtailadmin_home")}"[^>]*>\s*{home}', header)
    # Results first, the facets after them (beside them on a wide screen).
    assert body.index('class="complaint-search-results"') < body.index('id="complaint-facets"')
