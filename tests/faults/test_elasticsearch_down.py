"""Elasticsearch gone during 200 submissions: every complaint is committed and receipted,
the outbox remembers them, and once the node is back the reconcile sweep makes all of them
searchable with no drift left."""

import uuid

import pytest
from django.core.management import call_command

from cases.models import Complaint
from search import engine, indexing
from search.facets import SearchRequest
from search.models import IndexOutbox
from search.queries import search_complaints
from search.tasks import reconcile_index
from tests.faults.conftest import address, complaints_filed, file_complaint
from tests.images import jpeg_with_gps

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 200


@pytest.fixture
def es_proxy(settings, search_index, make_proxy):
    """The app reaches the real node only through the proxy."""
    proxy = make_proxy(address(settings.ELASTICSEARCH_URL))
    settings.ELASTICSEARCH_URL = proxy.url(settings.ELASTICSEARCH_URL)
    return proxy


def test_complaints_filed_while_elasticsearch_is_down_are_all_searchable_after_reconcile(
    client, site_pages, estate_x, admin, open_form, es_proxy
):
    marker = f"fault{uuid.uuid4().hex[:10]}"
    # A connection is open when the node goes: the cut closes it under the client.
    file_complaint(client, f"电梯故障 {marker} 预热", "13900000000")
    assert engine.get_client().exists(
        index=engine.complaint_alias(), id=str(Complaint.objects.get().pk)
    )
    es_proxy.cut()

    numbers = []
    for i in range(SUBMISSIONS):
        files = {"files": [jpeg_with_gps()]} if i % 50 == 0 else None
        numbers.append(
            file_complaint(client, f"楼道照明损坏 {marker} 第{i:03d}号", f"139{i:08d}", files)
        )

    assert len(set(numbers)) == SUBMISSIONS
    assert complaints_filed(numbers) == SUBMISSIONS
    filed = Complaint.objects.filter(tracking_number__in=numbers)
    assert IndexOutbox.objects.filter(object_id__in=filed.values("pk")).count() == SUBMISSIONS
    # Staff still find them meanwhile, from the database, and are told so.
    meanwhile = search_complaints(admin, SearchRequest(query=marker, per_page=10))
    assert (meanwhile.backend, meanwhile.degraded, meanwhile.total) == ("database", True, 201)

    es_proxy.restore()
    assert reconcile_index.apply().get() == SUBMISSIONS  # the beat sweep, as beat runs it
    indexing.refresh()

    assert not IndexOutbox.objects.exists()
    found = search_complaints(admin, SearchRequest(query=marker, per_page=SUBMISSIONS + 1))
    assert (found.backend, found.degraded, found.total) == ("elasticsearch", False, 201)
    assert set(numbers) <= {hit.tracking_number for hit in found.hits}
    for number in numbers[::40]:
        (hit,) = search_complaints(admin, number).hits
        assert hit.tracking_number == number
    call_command("search_check")  # raises CommandError on any drift
