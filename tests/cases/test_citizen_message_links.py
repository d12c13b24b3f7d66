"""Every SMS and e-mail to the complainant names the portal's tracking page with the number
filled in, so the citizen can act on it; never the access code; an SMS stays short, quoting
a long reply only in part (issue 24)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from cases import clock, dispatch, merging, workflow
from cases.citizen_messages import SMS_QUOTE_CHARS, tracking_url
from cases.models import Complaint
from foundation.models import Notification
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

LONG_REPLY = "经核查，物业已更换3号楼电梯主板并完成安全检测。" * 10
SMS_MAX_CHARS = 200  # the longest texts (a quoted reply) in three SMS segments at most


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.TRACKING_PAGE_URL = "https://wuye.example.gov.cn/track/"


@pytest.fixture
def receipt(estate_x):
    receipt = make_complaint(estate=estate_x, phone="13900001111")
    Complaint.objects.filter(pk=receipt.complaint.pk).update(contact_email="wang@example.com")
    receipt.complaint.refresh_from_db()
    return receipt


def messages(complaint) -> dict[str, list[str]]:
    rows = Notification.objects.filter(dedup_key__startswith=f"complaint:{complaint.pk}:")
    found = {"sms": [], "email": []}
    for row in rows.order_by("pk"):
        found[row.channel].append(row.body)
    return found


def link_in(text: str) -> str:
    [url] = [word for word in text.split() if word.startswith("https://wuye.example.gov.cn/")]
    return url.rstrip(".。")


def check(receipt, found: dict[str, list[str]], count: int) -> None:
    assert len(found["sms"]) == len(found["email"]) == count
    for text in found["sms"] + found["email"]:
        url = link_in(text)
        parts = urlsplit(url)
        assert parts.path == "/track/"
        assert parse_qs(parts.query) == {"n": [receipt.tracking_number]}
        assert receipt.access_code not in text
    for text in found["sms"]:
        assert len(text) <= SMS_MAX_CHARS, text


def test_the_link_fills_in_the_number_only(receipt):
    url = tracking_url(receipt.complaint)
    assert url == f"https://wuye.example.gov.cn/track/?n={receipt.tracking_number}"


def test_acceptance_rejection_and_question_name_the_tracking_page(receipt, official, estate_x):
    workflow.accept_case(receipt.complaint, actor=official)
    clock.request_information(receipt.complaint, actor=official, question="请提供楼栋号。")
    check(receipt, messages(receipt.complaint), 2)

    other = make_complaint(estate=estate_x, phone="13900002222")
    workflow.reject_case(other.complaint, actor=official, reason="属于供水公司职责")
    [sms] = messages(other.complaint)["sms"]
    assert "属于供水公司职责" in sms and link_in(sms).endswith(other.tracking_number)


def test_a_long_reply_is_quoted_in_part_by_sms_and_whole_by_e_mail(receipt, official, inspector):
    workflow.accept_case(receipt.complaint, actor=official)
    dispatch.dispatch_case(receipt.complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(receipt.complaint.dispatches.get(), actor=inspector)
    workflow.resolve_case(receipt.complaint, actor=inspector, reply=LONG_REPLY)
    found = messages(receipt.complaint)
    check(receipt, found, 3)  # accepted, dispatched, resolved
    resolved_sms, resolved_mail = found["sms"][-1], found["email"][-1]
    assert LONG_REPLY in resolved_mail
    assert LONG_REPLY not in resolved_sms and LONG_REPLY[: SMS_QUOTE_CHARS - 1] in resolved_sms


def test_merged_complainants_get_their_own_number_in_the_link(
    receipt, estate_x, official, inspector
):
    follower = make_complaint(estate=estate_x, phone="13900003333")
    workflow.accept_case(receipt.complaint, actor=official)
    merging.merge_complaint(follower.complaint, into=receipt.complaint, actor=official)
    dispatch.dispatch_case(receipt.complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(receipt.complaint.dispatches.get(), actor=inspector)
    workflow.resolve_case(receipt.complaint, actor=inspector, reply=LONG_REPLY)
    sms = messages(follower.complaint)["sms"]
    assert len(sms) == 2  # the merge, the resolution
    for text in sms:
        assert link_in(text).endswith(f"?n={follower.tracking_number}")
        assert follower.access_code not in text and len(text) <= SMS_MAX_CHARS


def test_an_extension_names_the_tracking_page(receipt, official, inspector):
    workflow.accept_case(receipt.complaint, actor=official)
    dispatch.dispatch_case(receipt.complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(receipt.complaint.dispatches.get(), actor=inspector)
    extension = clock.request_extension(
        receipt.complaint, actor=inspector, working_days=5, reason="等待厂家配件"
    )
    clock.decide_extension(extension, actor=official, approve=True)
    check(receipt, messages(receipt.complaint), 3)  # accepted, dispatched, extended
