"""What the tracking page tells the citizen after their rating (issue 24): their rating and
comment, that an unsatisfied rating reopened the case and by when it is now to be resolved,
and that the earlier reply is no longer the final answer. And the tracking number in the
heading is one unbreakable span."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from cases.clock import decide_extension, request_extension
from cases.dispatch import dispatch_case, sign_dispatch
from cases.workflow import resolve_case
from tests.portal.test_tracking import case_url, fresh_attempt_counters, open_case, rate, resolve

pytestmark = pytest.mark.django_db

__all__ = ["fresh_attempt_counters"]  # the autouse fixture, imported to apply here too

REPLY = "电梯已修复，已恢复运行。"
COMMENT = "电梯第二天又坏了，问题没有解决。"


@pytest.fixture
def receipt(estate_x):
    from tests.factories import make_complaint

    return make_complaint(estate=estate_x)


def page(client, receipt, prefix="/en") -> BeautifulSoup:
    response = client.get(case_url(receipt, prefix))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def text(soup, selector) -> str:
    found = soup.select_one(selector)
    assert found is not None, selector
    return " ".join(found.get_text(" ").split())


def test_the_tracking_number_in_the_heading_is_one_unbreakable_span(client, site_pages, receipt):
    open_case(client, receipt)
    soup = page(client, receipt, "")
    span = soup.select_one("h1 .tracking-number")
    assert span is not None and span.get_text() == receipt.tracking_number


def test_after_an_unsatisfied_rating_the_citizen_reads_their_rating_and_what_happens_next(
    client, site_pages, receipt, official, inspector
):
    resolve(receipt.complaint, official, inspector, reply=REPLY)
    open_case(client, receipt)
    rate(client, receipt, "unsatisfied", COMMENT)
    soup = page(client, receipt)

    assert "Unsatisfied" in text(soup, "#rating-satisfaction")
    assert text(soup, "#rating-comment") == COMMENT
    assert "reopened" in text(soup, "#next-steps")
    # The reply stands as the earlier one, not the final answer.
    assert text(soup, "#reply-heading") == "Earlier reply"
    assert "not the final answer" in text(soup, "#reply-superseded")
    assert REPLY in text(soup, "#public-reply")


def test_a_reopened_case_past_its_date_says_no_new_date_was_set(
    client, site_pages, receipt, official, inspector, time_machine
):
    resolve(receipt.complaint, official, inspector, reply=REPLY)
    due = receipt.complaint.resolve_due_at
    time_machine.move_to(due + dt.timedelta(days=1), tick=False)
    open_case(client, receipt)
    rate(client, receipt, "unsatisfied", COMMENT)
    soup = page(client, receipt)
    assert "No new date" in text(soup, "#new-due")


def test_a_new_date_set_after_reopening_is_shown(
    client, site_pages, receipt, official, inspector, time_machine
):
    complaint = resolve(receipt.complaint, official, inspector, reply=REPLY)
    time_machine.move_to(complaint.resolve_due_at + dt.timedelta(days=1), tick=False)
    open_case(client, receipt)
    rate(client, receipt, "unsatisfied", COMMENT)
    complaint.refresh_from_db()
    dispatch_case(complaint, actor=official, inspector=inspector)
    sign_dispatch(complaint.dispatches.latest("dispatched_at", "id"), actor=inspector)
    extension = request_extension(complaint, actor=inspector, working_days=10, reason="更换主板")
    decide_extension(extension, actor=official, approve=True)
    complaint.refresh_from_db()
    soup = page(client, receipt)
    assert "to be resolved by" in text(soup, "#new-due")
    assert complaint.resolve_due_at.strftime("%Y") in text(soup, "#new-due")
    assert "Earlier reply" in text(soup, "#reply-heading")


def test_a_satisfied_rating_is_shown_and_the_reply_stays_final(
    client, site_pages, receipt, official, inspector
):
    resolve(receipt.complaint, official, inspector, reply=REPLY)
    open_case(client, receipt)
    rate(client, receipt, "satisfied", "")
    soup = page(client, receipt)
    assert "Satisfied" in text(soup, "#rating-satisfaction")
    assert soup.select_one("#rating-comment") is None
    assert soup.select_one("#next-steps") is None
    assert text(soup, "#reply-heading") == "Reply"


def test_resolved_again_the_new_reply_is_final_and_rated_anew(
    client, site_pages, receipt, official, inspector
):
    complaint = resolve(receipt.complaint, official, inspector, reply=REPLY)
    open_case(client, receipt)
    rate(client, receipt, "unsatisfied", COMMENT)
    complaint.refresh_from_db()
    dispatch_case(complaint, actor=official, inspector=inspector)
    sign_dispatch(complaint.dispatches.latest("dispatched_at", "id"), actor=inspector)
    resolve_case(complaint, actor=inspector, reply="已更换主板，连续一周运行正常。")
    soup = page(client, receipt)
    assert soup.select_one("#next-steps") is None
    assert text(soup, "#reply-heading") == "Reply"
    assert "已更换主板" in text(soup, "#public-reply")
    assert soup.select_one('input[name="satisfaction"]') is not None
    assert soup.select_one("#your-rating") is None  # the earlier rating is not the answer now
