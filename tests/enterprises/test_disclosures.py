"""Disclosures: a company drafts and publishes for the estates it manages; the public sees
published ones only."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from wagtail.models import ModelLogEntry

from enterprises.disclosures import (
    DisclosureError,
    publish_disclosure,
    published_disclosures,
    save_disclosure,
)
from enterprises.models import Disclosure, DisclosureKind

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
FEES = "物业费：住宅 2.50 元/平方米·月"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def publications(disclosure) -> int:
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Disclosure),
        object_id=str(disclosure.pk),
        action="enterprises.disclosure.published",
    ).count()


def draft(actor, company, estate, *, kind=DisclosureKind.FEES, period="2026-H1", body=FEES, **kw):
    return save_disclosure(
        actor=actor, company=company, estate=estate, kind=kind, period=period, body=body, **kw
    )


def test_staff_saves_a_draft_that_is_not_public(company_a_staff, company_a, estate_x):
    disclosure = draft(company_a_staff, company_a, estate_x)
    assert disclosure.published is False and disclosure.published_at is None
    assert disclosure.created_by == company_a_staff
    assert not published_disclosures().exists()


def test_saving_again_reworks_the_same_draft(company_a_staff, company_a, estate_x):
    first = draft(company_a_staff, company_a, estate_x, period="2026-h1")
    second = draft(company_a_staff, company_a, estate_x, body="物业费：住宅 2.30 元/平方米·月")
    assert second.pk == first.pk
    assert Disclosure.objects.get().body == "物业费：住宅 2.30 元/平方米·月"


def test_another_kind_or_period_is_another_disclosure(company_a_staff, company_a, estate_x):
    draft(company_a_staff, company_a, estate_x)
    draft(company_a_staff, company_a, estate_x, kind=DisclosureKind.ACCOUNTS)
    draft(company_a_staff, company_a, estate_x, period="2026-H2")
    assert Disclosure.objects.count() == 3


def test_company_b_cannot_disclose_for_company_a_estate(
    company_b_staff, company_a, company_b, estate_x
):
    with pytest.raises(DisclosureError, match="is not managed by"):
        draft(company_b_staff, company_b, estate_x)
    with pytest.raises(DisclosureError, match="Only staff of"):
        draft(company_b_staff, company_a, estate_x)
    assert not Disclosure.objects.exists()


def test_company_b_cannot_publish_company_a_draft(
    company_a_staff, company_b_staff, company_a, estate_x
):
    disclosure = draft(company_a_staff, company_a, estate_x)
    with pytest.raises(DisclosureError, match="Only staff of"):
        publish_disclosure(disclosure, actor=company_b_staff)
    disclosure.refresh_from_db()
    assert disclosure.published is False
    assert publications(disclosure) == 0


@pytest.mark.parametrize("outsider", ["committee_member", "official", "citizen"])
def test_only_company_staff_may_save(request, outsider, company_a, estate_x):
    with pytest.raises(DisclosureError, match="Only staff of"):
        draft(request.getfixturevalue(outsider), company_a, estate_x)
    assert not Disclosure.objects.exists()


def test_publishing_makes_it_public_once(company_a_staff, company_a, estate_x, time_machine):
    time_machine.move_to("2026-07-01 09:30 +08:00", tick=False)
    disclosure = draft(company_a_staff, company_a, estate_x)
    publish_disclosure(disclosure, actor=company_a_staff)
    assert disclosure.published is True
    published_at = disclosure.published_at
    assert published_at.isoformat().startswith("2026-07-01T01:30")

    time_machine.move_to("2026-07-02 09:30 +08:00", tick=False)
    publish_disclosure(disclosure, actor=company_a_staff)
    disclosure.refresh_from_db()
    assert disclosure.published_at == published_at
    assert publications(disclosure) == 1


def test_published_disclosure_can_no_longer_be_changed(company_a_staff, company_a, estate_x):
    disclosure = draft(company_a_staff, company_a, estate_x)
    publish_disclosure(disclosure, actor=company_a_staff)
    with pytest.raises(DisclosureError, match="already published"):
        draft(company_a_staff, company_a, estate_x, body="改过的内容")
    assert Disclosure.objects.get().body == FEES


def test_public_helper_shows_published_only(
    company_a_staff, company_b_staff, company_a, company_b, estate_x, estate_y
):
    published_a = draft(company_a_staff, company_a, estate_x)
    publish_disclosure(published_a, actor=company_a_staff)
    draft(company_a_staff, company_a, estate_x, kind=DisclosureKind.SERVICES)
    published_b = draft(company_b_staff, company_b, estate_y)
    publish_disclosure(published_b, actor=company_b_staff)

    assert set(published_disclosures()) == {published_a, published_b}
    assert list(published_disclosures(company=company_a)) == [published_a]
    assert list(published_disclosures(estate=estate_y)) == [published_b]
    assert not published_disclosures(company=company_a, estate=estate_y).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "salaries"}, "is not a kind of disclosure"),
        ({"body": "   "}, "needs its content"),
        ({"period": "2026-H5"}, "is not a period"),
        (
            {"attachment": SimpleUploadedFile("fees.pdf", b"GIF89a fake")},
            "is not a PDF document",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(
    company_a_staff, company_a, estate_x, change, message
):
    with pytest.raises(DisclosureError, match=message):
        draft(company_a_staff, company_a, estate_x, **change)
    assert not Disclosure.objects.exists()


def test_attachment_is_kept_when_the_draft_is_reworked_without_one(
    company_a_staff, company_a, estate_x
):
    attachment = SimpleUploadedFile("收费标准.pdf", PDF)
    disclosure = draft(company_a_staff, company_a, estate_x, attachment=attachment)
    name = disclosure.attachment.name
    assert f"disclosure-{estate_x.pk}-fees-2026-H1" in name
    draft(company_a_staff, company_a, estate_x, body="更新")
    disclosure.refresh_from_db()
    assert disclosure.attachment.name == name
    assert disclosure.body == "更新"
