"""Staff search with facets, operators, date ranges, sorting and cursor paging, on the real
node, and the database fallback giving the same answers to the same requests."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import CaseStatus, Category, Complaint, Tier
from search import indexing
from search.facets import SearchRequest
from search.queries import search_complaints

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=ZONE)


# (key, estate, description, status, category, tier, submitted, resolve by, dispatched)
ROWS = [
    (
        "x1",
        "x",
        "3号楼电梯停运三天",
        "submitted",
        "facilities",
        "urgent",
        "2026-10-05",
        "2026-11-01",
        False,
    ),
    (
        "x2",
        "x",
        "电梯异响 noisy lift at night",
        "accepted",
        "facilities",
        "serious",
        "2026-11-03",
        "2026-11-05",
        True,
    ),
    (
        "x3",
        "x",
        "垃圾清运不及时 garbage everywhere",
        "resolved",
        "cleaning",
        "general",
        "2026-11-10",
        None,
        True,
    ),
    (
        "x4",
        "x",
        "绿化带无人养护 lawn not mowed",
        "closed",
        "greening",
        "general",
        "2026-09-20",
        "2026-10-20",
        False,
    ),
    (
        "y1",
        "y",
        "西门电梯坏了",
        "submitted",
        "facilities",
        "urgent",
        "2026-11-12",
        "2026-11-13",
        False,
    ),
    (
        "y2",
        "y",
        "停车位被占 parking blocked",
        "assigned",
        "public_order",
        "general",
        "2026-10-15",
        "2026-11-20",
        True,
    ),
]


@pytest.fixture
def corpus(estate_x, estate_y, company_a, company_b, search_index) -> dict[str, Complaint]:
    """Six complaints with known facts, written straight to the database and indexed."""
    estates = {"x": estate_x, "y": estate_y}
    made = {}
    for n, (key, place, text, status, category, tier, day, due, dispatched) in enumerate(ROWS):
        estate = estates[place]
        complaint = Complaint.objects.create(
            tracking_number=f"WY20261130TEST{n:02d}",
            access_code_digest="x" * 64,
            status=status,
            category=category,
            tier=tier,
            estate=estate,
            estate_name=estate.name,
            district_id=estate.district_id,
            company_id=estate.managing_company_id,
            dispatched_company_id=estate.managing_company_id if dispatched else None,
            description=text,
            contact_phone="13800000000",
        )
        Complaint.objects.filter(pk=complaint.pk).update(
            created_at=at(day), resolve_due_at=at(due, 17) if due else None
        )
        made[key] = complaint
    indexing.index_complaints([c.pk for c in made.values()])
    indexing.refresh()
    return made


def keys(corpus, results) -> set[str]:
    by_id = {c.pk: key for key, c in corpus.items()}
    return {by_id[hit.complaint_id] for hit in results.hits}


def facet(results, name: str) -> dict[str, int]:
    [found] = [f for f in results.facets if f.name == name]
    return {value.value: value.count for value in found.values}


def both_engines(settings, user, request: SearchRequest):
    """The same request answered by Elasticsearch, then by the database."""
    on_index = search_complaints(user, request)
    url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = ""
    try:
        on_database = search_complaints(user, request)
    finally:
        settings.ELASTICSEARCH_URL = url
    assert (on_index.backend, on_database.backend) == ("elasticsearch", "database")
    return on_index, on_database


def test_each_facet_counts_everything_but_its_own_selection(admin, corpus, settings, district_1):
    request = SearchRequest(
        filters={"district": (str(district_1.pk),), "category": ("facilities",)}
    )
    for results in both_engines(settings, admin, request):
        assert keys(corpus, results) == {"x1", "x2"}
        assert results.total == 2
        # Districts: counted with the category chosen, not the district: both districts show.
        assert facet(results, "district") == {
            str(corpus["x1"].district_id): 2,
            str(corpus["y1"].district_id): 1,
        }
        # Categories: counted within the chosen district only, every category still listed.
        assert facet(results, "category") == {"facilities": 2, "cleaning": 1, "greening": 1}
        # The other facets: both selections apply.
        assert facet(results, "status") == {"submitted": 1, "accepted": 1}
        assert facet(results, "tier") == {"urgent": 1, "serious": 1}
        assert facet(results, "month") == {"2026-11": 1, "2026-10": 1}
        assert facet(results, "estate") == {str(corpus["x1"].estate_id): 2}
        assert facet(results, "company") == {str(corpus["x1"].company_id): 2}


def test_facets_are_labelled_for_people(admin, corpus, settings):
    results = search_complaints(admin, SearchRequest(filters={"status": ("submitted",)}))
    labels = {f.name: {v.value: (v.label, v.selected) for v in f.values} for f in results.facets}
    assert labels["status"]["submitted"] == (str(CaseStatus.SUBMITTED.label), True)
    assert labels["category"]["facilities"][0] == str(Category.FACILITIES.label)
    assert labels["tier"]["urgent"][0] == str(Tier.URGENT.label)
    estate = corpus["y1"].estate
    assert labels["estate"][str(estate.pk)] == (estate.name, False)
    assert labels["district"][str(estate.district_id)][0] == estate.district.name


def test_month_and_date_range_filter_by_the_city_calendar(admin, corpus, settings):
    by_month = SearchRequest(filters={"month": ("2026-10",)})
    by_dates = SearchRequest(date_from=dt.date(2026, 10, 5), date_to=dt.date(2026, 10, 15))
    for results in both_engines(settings, admin, by_month):
        assert keys(corpus, results) == {"x1", "y2"}
        assert facet(results, "month") == {"2026-11": 3, "2026-10": 2, "2026-09": 1}
    for results in both_engines(settings, admin, by_dates):
        assert keys(corpus, results) == {"x1", "y2"}  # both end days included


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("电梯", {"x1", "x2", "y1"}),
        ("电梯 -异响", {"x1", "y1"}),
        ('"noisy lift"', {"x2"}),
        ('"lift noisy"', set()),
        ("garbage OR parking", {"x3", "y2"}),
        ("垃圾 | 停车位", {"x3", "y2"}),
        ("park*", {"y2"}),
        ("电梯 西门", {"y1"}),
        ("梯电", set()),
    ],
)
def test_operators_mean_the_same_on_both_engines(admin, corpus, settings, query, expected):
    for results in both_engines(settings, admin, SearchRequest(query=query)):
        assert keys(corpus, results) == expected, results.backend


def test_sort_by_due_date_puts_cases_without_one_last(admin, corpus, settings):
    for results in both_engines(settings, admin, SearchRequest(sort="due")):
        order = [hit.tracking_number for hit in results.hits]
        by_id = {c.tracking_number: key for key, c in corpus.items()}
        assert [by_id[n] for n in order] == ["x4", "x1", "x2", "y1", "y2", "x3"]


def test_sort_oldest_and_newest(admin, corpus, settings):
    for sort, first in (("oldest", "x4"), ("newest", "y1")):
        for results in both_engines(settings, admin, SearchRequest(sort=sort)):
            assert results.hits[0].complaint_id == corpus[first].pk


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest", "due"])
def test_cursor_paging_visits_every_hit_once(admin, corpus, settings, sort):
    for engine_url in (settings.ELASTICSEARCH_URL, ""):
        settings.ELASTICSEARCH_URL = engine_url
        seen, after = [], None
        while True:
            results = search_complaints(
                admin,
                SearchRequest(
                    query="电梯 OR garbage OR lawn OR parking" if sort == "relevance" else "",
                    sort=sort,
                    per_page=2,
                    after=after,
                ),
            )
            seen += [hit.complaint_id for hit in results.hits]
            if not results.has_next:
                break
            after = results.next_after
        assert sorted(seen) == sorted(c.pk for c in corpus.values()), engine_url
        assert len(seen) == len(set(seen))


def test_scope_applies_to_hits_and_facet_counts(
    corpus,
    settings,
    inspector,
    other_district_inspector,
    company_a_staff,
    company_b_staff,
    committee_member,
    evaluator,
):
    expected = {
        inspector: {"x1", "x2", "x3", "x4"},
        other_district_inspector: {"y1", "y2"},
        company_a_staff: {"x2", "x3"},  # dispatched to it only
        company_b_staff: {"y2"},
        committee_member: {"x1", "x2", "x3", "x4"},  # its own estate
        evaluator: set(),
    }
    for user, visible in expected.items():
        for results in both_engines(settings, user, SearchRequest()):
            assert keys(corpus, results) == visible, (user.username, results.backend)
            assert sum(facet(results, "status").values()) == len(visible)
            assert sum(facet(results, "district").values()) == len(visible)


def test_facet_labels_come_from_the_register_in_memory(
    estate_x, estate_y, django_assert_num_queries
):
    from search.facets import facet_results

    counts = {
        "district": [(str(estate_x.district_id), 3), (str(estate_y.district_id), 1)],
        "company": [(str(estate_x.managing_company_id), 2)],
        "estate": [(str(estate_y.pk), 1), ("999999", 1)],  # a deleted estate keeps its id
        "status": [(CaseStatus.SUBMITTED, 4)],
    }
    request = SearchRequest(filters={"company": (str(estate_y.managing_company_id),)})
    # The first search reads each register once (and looks up the id it does not hold) ...
    with django_assert_num_queries(4):
        facet_results(request, counts)
    # ... the next ones only the id nobody knows; a renamed company is seen at once.
    estate_y.managing_company.name = "改名后的物业公司"
    estate_y.managing_company.save()
    facet_results(request, counts)
    with django_assert_num_queries(1):
        facets = {f.name: {v.value: v for v in f.values} for f in facet_results(request, counts)}
    assert facets["district"][str(estate_x.district_id)].label == estate_x.district.name
    assert facets["district"][str(estate_y.district_id)].count == 1
    # A selected value outside the buckets is listed with no hits, named.
    selected = facets["company"][str(estate_y.managing_company_id)]
    assert (selected.label, selected.count, selected.selected) == (
        estate_y.managing_company.name,
        0,
        True,
    )
    assert facets["estate"][str(estate_y.pk)].label == estate_y.name
    assert facets["estate"]["999999"].label == "999999"
    assert facets["status"][CaseStatus.SUBMITTED].label == str(CaseStatus.SUBMITTED.label)


def test_facet_labels_need_no_query_without_register_buckets(django_assert_num_queries):
    from search.facets import facet_results

    with django_assert_num_queries(0):
        facets = facet_results(SearchRequest(), {"status": [(CaseStatus.CLOSED, 2)]})
    assert {f.name for f in facets} >= {"status", "district"}
