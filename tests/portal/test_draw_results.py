"""The public announcement of random draws (双随机一公开): published draws only, with the pool
and the seed anyone needs to re-run them, a bounded number of queries, and the page cache
following a publication."""

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import DrawTarget, RandomDraw
from portal.models import DrawResultsPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def draws_page(site_pages):
    page = site_pages["home"].add_child(
        instance=DrawResultsPage(title="双随机抽查结果公示", slug="draws")
    )
    return page


def make_draw(estates, inspector, *, published: bool, seed: str = "a1b2c3") -> RandomDraw:
    return RandomDraw.objects.create(
        target_kind=DrawTarget.ESTATE,
        district=estates[0].district,
        seed=seed,
        target_pool=[[e.pk, 1, e.name] for e in estates],
        inspector_pool=[[inspector.pk, "王检查"], [inspector.pk + 1000, "李检查"]],
        target_count=1,
        inspectors_per_target=2,
        result=[
            {
                "target": estates[0].pk,
                "label": estates[0].name,
                "inspectors": [inspector.pk, inspector.pk + 1000],
                "excluded": [],
            }
        ],
        published_at=timezone.now() if published else None,
    )


def test_only_published_draws_are_listed(draws_page, estate_x, estate_y, inspector):
    shown = make_draw([estate_x, estate_y], inspector, published=True)
    hidden = make_draw([estate_x, estate_y], inspector, published=False, seed="secret-seed")
    body = Client().get(draws_page.url).content.decode()
    assert f'href="{draws_page.url}{shown.pk}/"' in body
    assert f"{draws_page.url}{hidden.pk}/" not in body
    assert Client().get(f"{draws_page.url}{hidden.pk}/").status_code == 404
    assert Client().get(f"{draws_page.url}999999/").status_code == 404


def test_a_draw_shows_its_targets_inspectors_pool_and_seed(
    draws_page, estate_x, estate_y, inspector
):
    draw = make_draw([estate_x, estate_y], inspector, published=True)
    body = Client().get(f"{draws_page.url}{draw.pk}/").content.decode()
    assert '<code id="draw-seed">a1b2c3</code>' in body
    drawn = body.split('id="drawn"')[1].split("</table>")[0]
    assert estate_x.name in drawn and "王检查、李检查" in drawn
    pool = body.split('id="pool"')[1].split("</table>")[0]
    assert estate_x.name in pool and estate_y.name in pool


def test_the_list_makes_the_same_queries_for_one_draw_or_twenty(
    draws_page, estate_x, estate_y, inspector, django_assert_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_draw([estate_x, estate_y], inspector, published=True)
    with CaptureQueriesContext(connection) as one:
        Client().get(draws_page.url)
    cache.clear()
    for n in range(19):
        make_draw([estate_x, estate_y], inspector, published=True, seed=f"s{n}")
    with django_assert_num_queries(len(one)):
        assert Client().get(draws_page.url).status_code == 200


def test_publishing_a_draw_refreshes_the_cached_list(draws_page, estate_x, estate_y, inspector):
    draw = make_draw([estate_x, estate_y], inspector, published=False)
    assert f"{draw.pk}/" not in Client().get(draws_page.url).content.decode()
    RandomDraw.objects.filter(pk=draw.pk).update(published_at=timezone.now())
    draw.refresh_from_db()
    draw.save()  # a publication goes through save() (cases.draws.publish_draw)
    assert f"{draws_page.url}{draw.pk}/" in Client().get(draws_page.url).content.decode()
