"""The citizen's tracking page: the look-up, its limit on wrong guesses, and the case page
with its timeline, questions and satisfaction rating."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.cache import cache

from cases.clock import request_information
from cases.dispatch import dispatch_case, sign_dispatch
from cases.models import CaseEvent, CaseStatus, InfoRequest
from cases.workflow import accept_case, resolve_case
from portal.site.tracking import SESSION_KEY
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

WRONG = "tracking number or access code is wrong"


@pytest.fixture(autouse=True)
def fresh_attempt_counters(settings):
    """Wrong-attempt counters start at zero: a key prefix of this test's own, so the shared
    Redis cache of parallel runs is left alone, and the local cache cleared."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
    settings.TRACKING_RATE_LIMIT = "3/h"


@pytest.fixture
def receipt(estate_x):
    return make_complaint(estate=estate_x)


def open_case(client, receipt, prefix=""):
    return client.post(
        f"{prefix}/track/",
        {"tracking_number": receipt.tracking_number, "access_code": receipt.access_code},
    )


def case_url(receipt, prefix=""):
    return f"{prefix}/track/case/?n={receipt.tracking_number}"


def resolve(complaint, official, inspector, reply="电梯已修复，已恢复运行。"):
    accept_case(complaint, actor=official)
    dispatch_case(complaint, actor=official, inspector=inspector)
    sign_dispatch(complaint.dispatches.get(), actor=inspector)
    resolve_case(complaint, actor=inspector, reply=reply)
    complaint.refresh_from_db()
    return complaint


def rate(client, receipt, satisfaction, comment=""):
    return client.post(
        case_url(receipt, "/en"),
        {"action": "rate", "satisfaction": satisfaction, "comment": comment},
    )


# The look-up ---------------------------------------------------------------------------------


def test_right_number_and_code_open_the_case_in_this_session(client, site_pages, receipt):
    response = open_case(client, receipt)
    assert response.status_code == 302
    assert response["Location"] == case_url(receipt)
    assert client.session[SESSION_KEY] == [receipt.complaint.pk]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert receipt.tracking_number in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_opening_a_case_renews_the_session_key_and_reopening_it_writes_nothing(
    client, site_pages, receipt, estate_x
):
    client.get("/track/")
    client.session.save()  # a session planted before the case is opened
    planted = client.cookies["sessionid"].value
    open_case(client, receipt)
    opened = client.cookies["sessionid"].value
    assert opened != planted
    other = make_complaint(estate=estate_x)
    open_case(client, other)
    assert client.cookies["sessionid"].value != opened  # a new case: a new key again
    renewed = client.cookies["sessionid"].value
    response = open_case(client, receipt)  # opened before in this session
    assert response.status_code == 302
    assert "sessionid" not in response.cookies  # nothing rotated, nothing saved
    assert client.cookies["sessionid"].value == renewed
    assert client.session[SESSION_KEY] == [receipt.complaint.pk, other.complaint.pk]


def test_number_and_code_are_forgiven_case_and_spaces(client, site_pages, receipt):
    number = receipt.tracking_number.lower()
    code = " ".join([receipt.access_code[:4].lower(), receipt.access_code[4:]])
    response = client.post("/track/", {"tracking_number": f" {number} ", "access_code": code})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == [receipt.complaint.pk]


def test_wrong_code_and_wrong_number_get_the_same_message(client, site_pages, receipt):
    wrong_code = client.post(
        "/en/track/", {"tracking_number": receipt.tracking_number, "access_code": "ABCDEFGH"}
    )
    wrong_number = client.post(
        "/en/track/", {"tracking_number": "WY20990101AAAAAA", "access_code": receipt.access_code}
    )
    assert wrong_code.status_code == wrong_number.status_code == 200
    assert wrong_code.context["form"].non_field_errors() == (
        wrong_number.context["form"].non_field_errors()
    )
    assert WRONG in wrong_code.content.decode()
    assert WRONG in wrong_number.content.decode()
    assert SESSION_KEY not in client.session


def test_wrong_attempts_are_limited_per_address(client, site_pages, receipt):
    wrong = {"tracking_number": receipt.tracking_number, "access_code": "ABCDEFGH"}
    for _attempt in range(3):
        assert client.post("/en/track/", wrong).status_code == 200

    refused = open_case(client, receipt, "/en")  # even the right code, once over the limit
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Try again in about" in body
    assert 'name="access_code"' not in body
    assert SESSION_KEY not in client.session

    elsewhere = client.post(
        "/en/track/",
        {"tracking_number": receipt.tracking_number, "access_code": receipt.access_code},
        REMOTE_ADDR="203.0.113.9",
    )
    assert elsewhere.status_code == 302


def test_only_wrong_attempts_count_towards_the_limit(client, site_pages, receipt):
    for _visit in range(5):
        assert open_case(client, receipt).status_code == 302
    wrong = {"tracking_number": receipt.tracking_number, "access_code": "ABCDEFGH"}
    for _attempt in range(3):
        assert client.post("/track/", wrong).status_code == 200
    assert open_case(client, receipt).status_code == 429


def test_empty_fields_are_refused_next_to_the_field_and_not_counted(client, site_pages, receipt):
    for _attempt in range(4):
        response = client.post("/en/track/", {"tracking_number": "", "access_code": ""})
        assert response.status_code == 200
        assert "required" in " ".join(response.context["form"].errors["access_code"])
    assert open_case(client, receipt).status_code == 302


def test_lookup_page_in_english_under_en(client, site_pages):
    body = client.get("/en/track/").content.decode()
    assert "Tracking number" in body
    assert "Access code" in body
    chinese = client.get("/track/").content.decode()
    assert "查询编号" in chinese
    assert "Tracking number" not in chinese


def test_english_lookup_leads_to_the_english_case_page(client, site_pages, receipt):
    response = open_case(client, receipt, "/en")
    assert response["Location"] == case_url(receipt, "/en")
    body = client.get(response["Location"]).content.decode()
    assert "Progress" in body
    assert "Complaint submitted" in body


# The case page -------------------------------------------------------------------------------


def test_case_not_opened_in_this_session_redirects_to_the_lookup(client, site_pages, receipt):
    response = client.get(case_url(receipt))
    assert response.status_code == 302
    assert response["Location"] == "/track/"


def test_opening_one_case_does_not_open_another(client, site_pages, receipt, estate_x):
    other = make_complaint(estate=estate_x, phone="13900000000")
    open_case(client, receipt)
    response = client.get(case_url(other))
    assert response.status_code == 302
    assert response["Location"] == "/track/"


def test_sign_out_drops_the_case_from_the_session(client, site_pages, receipt):
    open_case(client, receipt)
    response = client.post(case_url(receipt), {"action": "sign_out"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == []
    assert client.get(case_url(receipt)).status_code == 302


def test_case_page_shows_public_facts_and_masked_phone(client, site_pages, receipt):
    open_case(client, receipt)
    body = client.get(case_url(receipt, "/en")).content.decode()
    assert "Facilities and equipment" in body
    assert "翠湖花园" in body
    assert "On schedule" in body
    assert "138****5678" in body
    assert "13812345678" not in body


def test_overdue_case_says_so_in_words(client, site_pages, receipt):
    due = receipt.complaint.resolve_due_at
    with time_machine.travel(due + dt.timedelta(minutes=1)):
        open_case(client, receipt)
        body = client.get(case_url(receipt, "/en")).content.decode()
    assert "Overdue" in body


def test_timeline_shows_public_events_only(client, site_pages, receipt, official, inspector):
    official.first_name, official.last_name = "王", "科长"
    official.save()
    complaint = receipt.complaint
    accept_case(complaint, actor=official, note="内部：与物业经理电话沟通")
    CaseEvent.objects.log_action(
        complaint,
        "cases.complaint.note_added",
        user=official,
        is_public=False,
        data={"text": "内部备注：该业主多次投诉"},
    )
    open_case(client, receipt)
    response = client.get(case_url(receipt, "/en"))
    body = response.content.decode()
    labels = [event["label"] for event in response.context["timeline"]]
    assert labels == ["Complaint submitted", "Accepted"]
    assert "Internal note" not in body
    assert "内部备注" not in body
    assert "与物业经理" not in body
    assert "科长" not in body
    assert official.username not in body


def test_rejection_reason_is_shown(client, site_pages, receipt, official):
    from cases.workflow import reject_case

    reject_case(receipt.complaint, actor=official, reason="不属于物业服务范围，请联系街道。")
    open_case(client, receipt)
    body = client.get(case_url(receipt, "/en")).content.decode()
    assert "Not accepted" in body
    assert "不属于物业服务范围" in body


def test_case_page_makes_a_bounded_number_of_queries(
    client, site_pages, receipt, official, django_assert_max_num_queries
):
    open_case(client, receipt)
    client.get(case_url(receipt))  # warm the site and content-type caches
    with django_assert_max_num_queries(12):
        client.get(case_url(receipt))
    accept_case(receipt.complaint, actor=official)
    for number in range(30):
        request_information(receipt.complaint, actor=official, question=f"第{number}个问题？")
        InfoRequest.objects.filter(complaint=receipt.complaint).update(
            answered_at=receipt.complaint.created_at, answer="好的"
        )
    with django_assert_max_num_queries(12):
        response = client.get(case_url(receipt))
    assert len(response.context["timeline"]) == 32


# Questions to the complainant ----------------------------------------------------------------


def test_open_question_is_shown_and_answered(client, site_pages, receipt, official):
    complaint = receipt.complaint
    accept_case(complaint, actor=official)
    request_information(complaint, actor=official, question="请提供电梯停运的具体楼栋号。")
    open_case(client, receipt)
    page = client.get(case_url(receipt, "/en")).content.decode()
    assert "请提供电梯停运的具体楼栋号" in page
    assert 'name="answer"' in page
    assert "paused while we wait for your answer" in page

    response = client.post(case_url(receipt, "/en"), {"action": "answer", "answer": "3号楼"})
    assert response.status_code == 302
    info = InfoRequest.objects.get(complaint=complaint)
    assert info.answer == "3号楼"
    assert info.answered_at is not None
    assert CaseEvent.objects.filter(
        complaint=complaint, action="cases.complaint.info_provided", is_public=True
    ).exists()
    after = client.get(response["Location"]).content.decode()
    assert 'name="answer"' not in after
    assert "3号楼" in after


def test_html_in_the_answer_is_escaped(client, site_pages, receipt, official):
    accept_case(receipt.complaint, actor=official)
    request_information(receipt.complaint, actor=official, question="<b>哪栋楼？</b>")
    open_case(client, receipt)
    client.post(case_url(receipt), {"action": "answer", "answer": "<script>alert(1)</script>"})
    body = client.get(case_url(receipt)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>哪栋楼" not in body


def test_empty_or_overlong_answer_is_refused_and_nothing_changes(
    client, site_pages, receipt, official
):
    accept_case(receipt.complaint, actor=official)
    request_information(receipt.complaint, actor=official, question="哪栋楼？")
    open_case(client, receipt)
    for answer in ["   ", "长" * 2001]:
        response = client.post(case_url(receipt, "/en"), {"action": "answer", "answer": answer})
        assert response.status_code == 200
        assert response.context["info_form"].errors["answer"]
    assert InfoRequest.objects.get().answered_at is None


def test_answer_without_an_open_question_changes_nothing(client, site_pages, receipt):
    open_case(client, receipt)
    response = client.post(case_url(receipt, "/en"), {"action": "answer", "answer": "3号楼"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "There is no open question" in page
    assert not CaseEvent.objects.filter(action="cases.complaint.info_provided").exists()


# Satisfaction --------------------------------------------------------------------------------


def test_no_rating_form_before_the_case_is_resolved(client, site_pages, receipt):
    open_case(client, receipt)
    assert client.get(case_url(receipt)).context["satisfaction_form"] is None
    response = rate(client, receipt, "satisfied")
    assert response.status_code == 302
    assert "cannot be rated now" in client.get(response["Location"]).content.decode()
    receipt.complaint.refresh_from_db()
    assert (receipt.complaint.status, receipt.complaint.satisfaction) == (CaseStatus.SUBMITTED, "")


def test_resolved_case_shows_reply_and_rating_form(
    client, site_pages, receipt, official, inspector
):
    resolve(receipt.complaint, official, inspector, reply="<i>已修复</i>")
    open_case(client, receipt)
    body = client.get(case_url(receipt, "/en")).content.decode()
    assert "&lt;i&gt;已修复&lt;/i&gt;" in body
    assert 'name="satisfaction"' in body
    assert "Basically satisfied" in body


def test_unsatisfied_rating_reopens_the_case_and_the_form_is_gone(
    client, site_pages, receipt, official, inspector
):
    complaint = resolve(receipt.complaint, official, inspector)
    open_case(client, receipt)
    response = rate(client, receipt, "unsatisfied", "电梯仍然每天故障")
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == CaseStatus.REOPENED
    assert complaint.satisfaction == "unsatisfied"
    event = CaseEvent.objects.filter(complaint=complaint).latest("timestamp", "id")
    assert (event.action, event.user) == ("cases.complaint.reopened", None)

    again = client.get(response["Location"])
    assert again.context["satisfaction_form"] is None
    assert 'name="satisfaction"' not in again.content.decode()


def test_satisfied_rating_is_recorded_as_the_complainant_even_when_signed_in(
    client, site_pages, receipt, official, inspector, citizen
):
    complaint = resolve(receipt.complaint, official, inspector)
    client.force_login(citizen)
    open_case(client, receipt)
    rate(client, receipt, "satisfied")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.satisfaction) == (CaseStatus.FOLLOWED_UP, "satisfied")
    event = CaseEvent.objects.get(complaint=complaint, action="cases.complaint.followed_up")
    assert (event.user, event.is_public) == (None, True)


@pytest.mark.parametrize(
    ("satisfaction", "comment", "field"),
    [
        ("delighted", "", "satisfaction"),
        ("", "", "satisfaction"),
        ("basically", "长" * 1001, "comment"),
    ],
)
def test_bad_rating_is_refused_next_to_the_field_and_nothing_changes(
    client, site_pages, receipt, official, inspector, satisfaction, comment, field
):
    complaint = resolve(receipt.complaint, official, inspector)
    events = CaseEvent.objects.filter(complaint=complaint).count()
    open_case(client, receipt)
    response = rate(client, receipt, satisfaction, comment)
    assert response.status_code == 200
    assert response.context["satisfaction_form"].errors[field]
    assert 'role="alert"' in response.content.decode()
    complaint.refresh_from_db()
    assert (complaint.status, complaint.satisfaction) == (CaseStatus.RESOLVED, "")
    assert CaseEvent.objects.filter(complaint=complaint).count() == events


def test_merged_complaint_follows_its_primary_case(
    client, site_pages, receipt, estate_x, official, inspector
):
    from cases.merging import merge_complaint

    duplicate = make_complaint(estate=estate_x, phone="13900001111")
    merge_complaint(duplicate.complaint, into=receipt.complaint, actor=official)
    resolve(receipt.complaint, official, inspector, reply="三台电梯均已修复。")

    open_case(client, duplicate)
    response = client.get(case_url(duplicate, "/en"))
    body = response.content.decode()
    assert "merged with another complaint" in body
    assert response.context["case"] == receipt.complaint
    assert "三台电梯均已修复" in body
    labels = [event["label"] for event in response.context["timeline"]]
    assert labels[:2] == ["Complaint submitted", "Merged into another case"]
    assert labels[-1] == "Resolved"
    assert "139****1111" in body
    # The follower rates the primary's outcome on their own complaint, once.
    assert response.context["satisfaction_form"] is not None
    rate(client, duplicate, "unsatisfied", "还是经常停")
    duplicate.complaint.refresh_from_db()
    receipt.complaint.refresh_from_db()
    assert duplicate.complaint.satisfaction == "unsatisfied"
    assert receipt.complaint.status == CaseStatus.REOPENED
    assert client.get(case_url(duplicate, "/en")).context["satisfaction_form"] is None
