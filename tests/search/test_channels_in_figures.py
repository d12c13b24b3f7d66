"""The channel a complaint came by (issue 17) in every figure: a staff search facet (both
engines), the dashboard, the monthly report, the public statistics and the open data (the
channel only: never the partner or the member of staff)."""

import datetime as dt
import json
import re
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pdfminer.high_level import extract_text

from cases import opendata
from cases.models import Category, Channel, Complaint, PartnerApiKey
from cases.services import submit_complaint
from cases.workflow import accept_case
from portal.site.public_statistics import statistics_context
from search import engine, indexing
from search.facets import SearchRequest
from search.queries import search_complaints
from search.reports import generate_monthly_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_channels(estate_x, official):
    """A web complaint, two registered from hotline calls and one from a partner system."""
    partner = PartnerApiKey.objects.create(
        name="12345市民热线平台", prefix="p12345", digest="d" * 64
    )

    def filed(channel, **extra):
        return submit_complaint(
            actor=None,
            category=Category.FACILITIES,
            description="电梯停运三天",
            contact_phone="13812345678",
            estate=estate_x,
            estate_name=estate_x.name,
            channel=channel,
            **extra,
        ).complaint

    return {
        "web": filed(Channel.WEB),
        "hotline": filed(Channel.HOTLINE, registered_by=official, channel_reference="RX-1"),
        "hotline2": filed(Channel.HOTLINE, registered_by=official),
        "partner": filed(Channel.PARTNER, partner=partner),
    }


def channel_facet(results) -> dict[str, tuple[int, str]]:
    [found] = [f for f in results.facets if f.name == "channel"]
    return {v.value: (v.count, v.label) for v in found.values}


def test_channel_is_a_search_facet_on_both_engines(admin, three_channels, search_index, settings):
    indexing.index_complaints([c.pk for c in three_channels.values()])
    indexing.refresh()
    request = SearchRequest(filters={"channel": ("hotline",)})
    on_index = search_complaints(admin, request)
    settings.ELASTICSEARCH_URL = ""
    on_database = search_complaints(admin, request)
    for results in (on_index, on_database):
        assert {hit.complaint_id for hit in results.hits} == {
            three_channels["hotline"].pk,
            three_channels["hotline2"].pk,
        }
        # Its own selection does not narrow the facet: every channel keeps its count.
        assert channel_facet(results) == {
            "hotline": (2, str(Channel.HOTLINE.label)),
            "web": (1, str(Channel.WEB.label)),
            "partner": (1, str(Channel.PARTNER.label)),
        }


def test_an_index_made_before_the_channel_gains_the_field(search_index):
    alias = engine.complaint_alias()
    [name] = engine.indices_behind(search_index, alias)
    search_index.indices.delete(index=name)
    body = engine.complaint_index_body()
    del body["mappings"]["properties"]["channel"]
    search_index.indices.create(index=name, aliases={alias: {"is_write_index": True}}, **body)
    engine._COMPLETE.clear()
    engine.ensure_complaint_index(search_index)
    mapping = search_index.indices.get_mapping(index=name).body[name]["mappings"]
    assert mapping["properties"]["channel"] == {"type": "keyword"}


def test_the_dashboard_breaks_down_by_channel(client, official, three_channels, settings):
    settings.ELASTICSEARCH_URL = ""
    client.force_login(official)
    page = client.get(reverse("statistics_dashboard")).content.decode()
    found = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S
    )
    data = json.loads(found.group(1))["channel"]
    assert dict(zip(data["labels"], data["counts"], strict=True)) == {
        str(Channel.HOTLINE.label): 2,
        str(Channel.WEB.label): 1,
        str(Channel.PARTNER.label): 1,
    }


def test_the_monthly_report_counts_each_channel(three_channels, settings):
    settings.ELASTICSEARCH_URL = ""
    with translation.override("zh-hans"):
        report = generate_monthly_report(None, timezone.localdate().replace(day=1))
        hotline, web = str(Channel.HOTLINE.label), str(Channel.WEB.label)
    with report.file.open("rb") as handle:
        text = extract_text(BytesIO(handle.read()))
    assert "按受理渠道统计" in text
    assert hotline in text
    # pdfminer reads the table column by column: the labels, biggest count first.
    section = text[text.index("按受理渠道统计") : text.index("三、")]
    assert section.index(hotline) < section.index(web)


def test_the_public_statistics_show_channels_without_partner_names(three_channels, settings):
    settings.ELASTICSEARCH_URL = ""
    with translation.override("en"):
        context = statistics_context()
    [chart] = [c for c in context["charts"] if c["name"] == "channel"]
    assert {r["label"]: r["count"] for r in chart["rows"]} == {
        "Service hotline": 2,
        "Website": 1,
        "Partner system": 1,
    }
    assert "12345市民热线平台" not in json.dumps(context["chart_data"], ensure_ascii=False)


def test_open_data_holds_the_channel_but_not_the_partner_or_the_staff(three_channels, official):
    for complaint in three_channels.values():
        accept_case(complaint, actor=official)
    start = timezone.now() - dt.timedelta(days=1)
    end = timezone.now() + dt.timedelta(days=1)
    with translation.override("en"):
        records = {
            r["id"]: r
            for r in (opendata.record(c, end) for c in opendata.published_complaints(start, end))
        }
    hotline = records[opendata.opaque_id(three_channels["hotline"].pk)]
    assert (hotline["channel"], hotline["channel_label"]) == ("hotline", "Service hotline")
    partner = records[opendata.opaque_id(three_channels["partner"].pk)]
    assert partner["channel"] == "partner"
    text = json.dumps(list(records.values()), ensure_ascii=False)
    for secret in ("12345市民热线平台", "RX-1", official.username, official.get_full_name() or "§"):
        assert secret not in text
    assert Complaint.objects.filter(channel=Channel.HOTLINE).count() == 2
