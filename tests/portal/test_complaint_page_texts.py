"""The complaint page's texts agree with its form (issue 24): the number of files the
introduction and the label promise is the one the field takes, and the introductions call the
number on the receipt 查询编号, as the receipt and the form do."""

import pytest
from django.test import override_settings
from django.utils import translation

from portal.demo import data
from portal.demo.pages import seed_site_pages
from portal.models import ComplaintPage, TrackingPage
from portal.site.complaint_forms import ComplaintForm

pytestmark = pytest.mark.django_db


def test_the_demo_introductions_say_what_the_form_takes_and_call_the_number_as_the_receipt(
    settings,
):
    seed_site_pages(None, lambda _line: None)
    complaint_intro = ComplaintPage.objects.get().intro
    tracking_intro = TrackingPage.objects.get().intro
    assert f"最多 {settings.COMPLAINT_MAX_FILES} 个" in complaint_intro
    assert "三张" not in complaint_intro
    for intro in (complaint_intro, tracking_intro, data.HOME_INTRO):
        assert "投诉编号" not in intro
    assert "查询编号" in complaint_intro and "查询编号" in tracking_intro


@pytest.mark.parametrize("limit", [3, 5, 8])
def test_the_label_and_the_introduction_follow_the_setting_the_field_enforces(limit):
    with override_settings(COMPLAINT_MAX_FILES=limit), translation.override("en"):
        label = ComplaintForm().fields["files"].label
        assert label == f"Photos or PDF documents (optional, up to {limit})"
        assert f"最多 {limit} 个" in data.complaint_intro(limit)
        one_too_many = ComplaintForm().fields["files"]
        with pytest.raises(Exception, match=f"at most {limit} files"):
            one_too_many.clean([object()] * (limit + 1))


def test_the_complaint_page_shows_the_same_limit_in_both_places(client, settings):
    seed_site_pages(None, lambda _line: None)
    page = client.get(ComplaintPage.objects.get().url).content.decode()
    limit = settings.COMPLAINT_MAX_FILES
    assert f"最多 {limit} 个" in page  # the introduction
    assert f"最多{limit}个" in page or f"up to {limit}" in page  # the field's label
