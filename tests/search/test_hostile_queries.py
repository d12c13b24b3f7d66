"""Whatever is typed into a search box is words, never the engine's syntax (issue 24): the
staff search on Elasticsearch and on the database, and the public site search, answer every
query with results or none, never an error page."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from portal.models import SearchPage
from portal.site.search_views import search_words
from search import indexing
from search.queries import search_complaints
from tests.factories import make_complaint
from tests.security.bad_input.conftest import FEW

pytestmark = pytest.mark.django_db
SYNTAX = "\"'()[]{}*:^~+-!&|\\/<>?¿"
# Texts made of search syntax, Chinese and Latin words: the class of input that failed.
hostile = st.lists(st.sampled_from([*SYNTAX, "物", "业", "a", " ", "OR", "NEAR"]), max_size=12).map(
    "".join
)


@pytest.fixture
def indexed(estate_x, search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = make_complaint(estate=estate_x, description="物业 电梯停运三天").complaint
    indexing.refresh()
    return complaint


@pytest.mark.parametrize("query", ['"', "物业¿'\"(", '"物业', "物业*", "(", "a OR", "-"])
@pytest.mark.parametrize("engine", ["elasticsearch", "database"])
def test_the_staff_search_takes_any_query(client, admin, indexed, settings, engine, query):
    if engine == "database":
        settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens: the fallback
    client.force_login(admin)
    response = client.get(reverse("complaint_search"), {"q": query})
    assert response.status_code == 200
    assert search_complaints(admin, query).backend == engine


@FEW
@given(query=hostile)
def test_the_staff_search_never_fails_on_hostile_text(admin, indexed, query):
    results = search_complaints(admin, query)
    assert results.backend == "elasticsearch" and not results.degraded
    assert results.total in (0, 1)


@FEW
@given(query=hostile)
def test_the_database_search_never_fails_on_hostile_text(admin, indexed, settings, query):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens: the fallback
    results = search_complaints(admin, query)
    assert results.backend == "database" and results.degraded
    assert results.total in (0, 1)


@given(query=st.text(max_size=40))
def test_the_public_search_passes_only_words(query):
    words = search_words(query)
    assert not set(words) & set(SYNTAX)
    assert words == words.strip() and "  " not in words
    # Letters of any script and digits survive.
    for word in query.split():
        if word.isalnum():
            assert word in words


@pytest.mark.parametrize("query", ['"', "物业¿'\"(", '"物业"', "*", "a:b"])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_public_search_answers_a_quote(client, site_pages, prefix, query):
    site_pages["home"].add_child(instance=SearchPage(title="搜索", slug="search"))
    response = client.get(f"{prefix}/search/", {"q": query})
    assert response.status_code == 200
    assert "results-heading" in response.content.decode()
