"""Every action of the case page through its HTTP view: the happy path calls the service and
says so; a refusal (wrong role, wrong state, bad input) shows the reason and changes nothing.
And who may download a case's files."""

import html

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.users.models import UserProfile

from cases import clock, dispatch, notes, workflow
from cases.models import (
    AnswerStatus,
    CaseAttachment,
    CaseStatus,
    Complaint,
    DispatchStatus,
    ExtensionStatus,
    Satisfaction,
    Tier,
    TierRule,
)
from tests.enterprises.pdfs import contract_pdf
from tests.factories import make_complaint
from tests.images import lying_jpeg, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tuesday_morning(time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00", tick=False)


@pytest.fixture
def submitted(estate_x) -> Complaint:
    return make_complaint(estate=estate_x).complaint


@pytest.fixture
def accepted(submitted, official) -> Complaint:
    return workflow.accept_case(submitted, actor=official)


@pytest.fixture
def assigned(accepted, official, inspector, company_a) -> Complaint:
    return dispatch.dispatch_case(accepted, actor=official, inspector=inspector, company=company_a)


@pytest.fixture
def in_progress(assigned, company_a_staff) -> Complaint:
    dispatch.sign_dispatch(company_dispatch(assigned), actor=company_a_staff)
    return Complaint.objects.get(pk=assigned.pk)


@pytest.fixture
def answered(in_progress, company_a_staff):
    return dispatch.submit_answer(
        in_progress, actor=company_a_staff, text="已更换电梯主板", files=[contract_pdf()]
    )


@pytest.fixture
def answer_accepted(answered, inspector) -> Complaint:
    dispatch.review_answer(answered, actor=inspector, accept=True)
    return Complaint.objects.get(pk=answered.complaint_id)


@pytest.fixture
def resolved(answer_accepted, inspector) -> Complaint:
    return workflow.resolve_case(answer_accepted, actor=inspector, reply="电梯已修复")


@pytest.fixture
def followed_up(resolved, inspector) -> Complaint:
    return workflow.record_follow_up(resolved, actor=inspector, satisfaction=Satisfaction.SATISFIED)


@pytest.fixture
def closed(followed_up, inspector) -> Complaint:
    return workflow.close_case(followed_up, actor=inspector)


def company_dispatch(complaint):
    return complaint.dispatches.get(company__isnull=False, status=DispatchStatus.AWAITING_SIGNATURE)


def inspector_dispatch(complaint):
    return complaint.dispatches.get(
        inspector__isnull=False, status=DispatchStatus.AWAITING_SIGNATURE
    )


def login(client, user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


def press(client, user, complaint, action: str, data=None, target=None):
    """POST the action's form as the page would (its fields carry the form's prefix)."""
    login(client, user)
    prefix = action if target is None else f"{action}-{target.pk}"
    fields = {f"{prefix}-{name}": value for name, value in (data or {}).items()}
    args = [complaint.pk] if target is None else [complaint.pk, target.pk]
    return client.post(reverse(f"cases_admin:case_{action}", args=args), fields)


def said(response) -> list[tuple[int, str]]:
    # Wagtail's admin messages are HTML already (escaped, with room for buttons).
    return [(m.level, html.unescape(str(m)).strip()) for m in get_messages(response.wsgi_request)]


def done(response, complaint) -> bool:
    back = reverse("cases_admin:case", args=[complaint.pk])
    levels = [level for level, _text in said(response)]
    return response.status_code == 302 and response.url == back and levels == [messages.SUCCESS]


def refused(response, complaint, *words: str) -> bool:
    """Back to the case page with one error message containing ``words``."""
    back = reverse("cases_admin:case", args=[complaint.pk])
    [(level, text)] = said(response)
    assert level == messages.ERROR, text
    assert all(word in text for word in words), text
    return response.status_code == 302 and response.url == back


def snapshot(complaint) -> tuple:
    c = Complaint.objects.get(pk=complaint.pk)
    return (
        c.status,
        c.tier,
        c.merged_into_id,
        c.reopen_count,
        c.awaiting_complainant_since,
        c.resolve_due_at,
        c.events.count(),
        sorted(c.dispatches.values_list("pk", "status")),
        sorted(c.answers.values_list("pk", "status")),
        sorted(c.extensions.values_list("pk", "status")),
        c.info_requests.count(),
        CaseAttachment.objects.filter(complaint=c).count(),
    )


def reloaded(complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


# Triage -----------------------------------------------------------------------------------


def test_official_accepts_with_a_tier(client, submitted, official):
    response = press(client, official, submitted, "accept", {"tier": Tier.URGENT, "note": ""})
    assert done(response, submitted)
    assert (reloaded(submitted).status, reloaded(submitted).tier) == (
        CaseStatus.ACCEPTED,
        Tier.URGENT,
    )


def test_committee_member_may_not_accept(client, submitted, committee_member):
    before = snapshot(submitted)
    response = press(client, committee_member, submitted, "accept", {"tier": Tier.URGENT})
    assert refused(response, submitted, "may not")
    assert snapshot(submitted) == before


def test_official_rejects_with_a_reason(client, submitted, official):
    response = press(client, official, submitted, "reject", {"reason": "不属于物业服务范围"})
    assert done(response, submitted)
    assert reloaded(submitted).status == CaseStatus.REJECTED
    assert reloaded(submitted).public_reply == "不属于物业服务范围"


def test_an_accepted_case_cannot_be_rejected(client, accepted, official):
    before = snapshot(accepted)
    response = press(client, official, accepted, "reject", {"reason": "重复投诉"})
    assert refused(response, accepted, "cannot become")
    assert snapshot(accepted) == before


def test_a_case_outside_the_scope_is_404_for_an_action(client, submitted, other_district_inspector):
    before = snapshot(submitted)
    response = press(client, other_district_inspector, submitted, "reject", {"reason": "x"})
    assert response.status_code == 404
    assert snapshot(submitted) == before


def test_an_action_url_answers_get_with_405(client, submitted, official):
    login(client, official)
    url = reverse("cases_admin:case_accept", args=[submitted.pk])
    assert client.get(url).status_code == 405


# Dispatch, signing, returning -----------------------------------------------------------------


def test_official_dispatches_to_an_inspector_and_the_company(
    client, accepted, official, inspector, company_a
):
    data = {"inspector": inspector.pk, "to_company": "on", "note": ""}
    response = press(client, official, accepted, "dispatch", data)
    assert done(response, accepted)
    case = reloaded(accepted)
    assert case.status == CaseStatus.ASSIGNED
    assert (case.assigned_inspector_id, case.dispatched_company_id) == (inspector.pk, company_a.pk)
    assert case.dispatches.count() == 2


def test_an_inspector_may_not_dispatch(client, accepted, inspector):
    before = snapshot(accepted)
    response = press(client, inspector, accepted, "dispatch", {"inspector": inspector.pk})
    assert refused(response, accepted, "may not")
    assert snapshot(accepted) == before


def test_dispatch_needs_a_unit(client, accepted, official):
    before = snapshot(accepted)
    response = press(client, official, accepted, "dispatch", {"note": "尽快"})
    assert refused(response, accepted, "Choose an inspector")
    assert snapshot(accepted) == before


def test_the_company_signs_for_its_dispatch_and_work_starts(client, assigned, company_a_staff):
    target = company_dispatch(assigned)
    response = press(client, company_a_staff, assigned, "sign", target=target)
    assert done(response, assigned)
    target.refresh_from_db()
    assert target.status == DispatchStatus.SIGNED
    assert reloaded(assigned).status == CaseStatus.IN_PROGRESS


def test_the_inspector_may_not_sign_for_the_companys_dispatch(client, assigned, inspector):
    before = snapshot(assigned)
    response = press(client, inspector, assigned, "sign", target=company_dispatch(assigned))
    assert refused(response, assigned, "may not")
    assert snapshot(assigned) == before


def test_the_inspector_returns_its_dispatch_with_a_reason(client, assigned, inspector):
    target = inspector_dispatch(assigned)
    response = press(
        client,
        inspector,
        assigned,
        "return",
        {"reason_code": "other", "reason": "非本人片区"},
        target,
    )
    assert done(response, assigned)
    target.refresh_from_db()
    assert (target.status, target.return_reason) == (DispatchStatus.RETURNED, "非本人片区")


def test_a_company_that_returns_its_dispatch_goes_back_to_the_workbench(
    client, assigned, company_a_staff
):
    target = company_dispatch(assigned)
    response = press(
        client,
        company_a_staff,
        assigned,
        "return",
        {"reason_code": "other", "reason": "不是我司小区"},
        target,
    )
    assert response.status_code == 302 and response.url == reverse("cases_admin:workbench")
    assert reloaded(assigned).dispatched_company_id is None


def test_a_signed_dispatch_cannot_be_returned(client, in_progress, company_a_staff):
    target = in_progress.dispatches.get(company__isnull=False, status=DispatchStatus.SIGNED)
    before = snapshot(in_progress)
    response = press(
        client,
        company_a_staff,
        in_progress,
        "return",
        {"reason_code": "other", "reason": "太难"},
        target,
    )
    assert refused(response, in_progress, "signed")
    assert snapshot(in_progress) == before


# The company's answer and its review --------------------------------------------------------


def test_the_company_answers_with_evidence_files(client, in_progress, company_a_staff):
    login(client, company_a_staff)
    url = reverse("cases_admin:case_answer", args=[in_progress.pk])
    response = client.post(
        url, {"answer-text": "已维修完毕", "answer-files": [contract_pdf(), png("after.png")]}
    )
    assert done(response, in_progress)
    answer = in_progress.answers.get()
    assert (answer.text, answer.status) == ("已维修完毕", AnswerStatus.SUBMITTED)
    assert sorted(a.title for a in answer.attachments.all()) == ["after.png", "contract.pdf"]


def test_the_company_cannot_answer_before_signing(client, assigned, company_a_staff):
    before = snapshot(assigned)
    response = press(client, company_a_staff, assigned, "answer", {"text": "已处理"})
    assert refused(response, assigned, "not in progress")
    assert snapshot(assigned) == before


def test_an_answer_with_a_file_that_lies_about_its_type_is_refused(
    client, in_progress, company_a_staff
):
    before = snapshot(in_progress)
    login(client, company_a_staff)
    url = reverse("cases_admin:case_answer", args=[in_progress.pk])
    response = client.post(url, {"answer-text": "见附件", "answer-files": [lying_jpeg("x.jpg")]})
    assert refused(response, in_progress, "x.jpg")
    assert snapshot(in_progress) == before


def test_an_answer_takes_at_most_five_files(client, in_progress, company_a_staff):
    before = snapshot(in_progress)
    login(client, company_a_staff)
    url = reverse("cases_admin:case_answer", args=[in_progress.pk])
    files = [png(f"p{i}.png") for i in range(6)]
    response = client.post(url, {"answer-text": "见附件", "answer-files": files})
    assert refused(response, in_progress, "at most 5")
    assert snapshot(in_progress) == before


def test_the_inspector_accepts_the_answer(client, answered, inspector):
    case = reloaded(answered.complaint)
    response = press(client, inspector, case, "review", {"decision": "accept"}, answered)
    assert done(response, case)
    answered.refresh_from_db()
    assert answered.status == AnswerStatus.ACCEPTED


def test_sending_an_answer_back_needs_a_note(client, answered, inspector):
    case = reloaded(answered.complaint)
    before = snapshot(case)
    response = press(client, inspector, case, "review", {"decision": "send_back"}, answered)
    assert refused(response, case, "note")
    assert snapshot(case) == before


def test_the_company_may_not_review_its_own_answer(client, answered, company_a_staff):
    case = reloaded(answered.complaint)
    before = snapshot(case)
    response = press(client, company_a_staff, case, "review", {"decision": "accept"}, answered)
    assert refused(response, case, "may not")
    assert snapshot(case) == before


# The clock: questions and extensions ----------------------------------------------------------


def test_the_inspector_asks_the_complainant_and_the_clock_stops(client, in_progress, inspector):
    response = press(client, inspector, in_progress, "request_information", {"question": "几栋？"})
    assert done(response, in_progress)
    assert reloaded(in_progress).awaiting_complainant_since is not None
    assert in_progress.info_requests.get().question == "几栋？"


def test_no_question_to_the_complainant_before_the_case_is_accepted(client, submitted, inspector):
    before = snapshot(submitted)
    response = press(client, inspector, submitted, "request_information", {"question": "几栋？"})
    assert refused(response, submitted, "Submitted")
    assert snapshot(submitted) == before


def test_the_inspector_requests_an_extension(client, in_progress, inspector):
    data = {"working_days": 5, "reason": "等待厂家配件"}
    response = press(client, inspector, in_progress, "request_extension", data)
    assert done(response, in_progress)
    extension = in_progress.extensions.get()
    assert (extension.working_days, extension.status) == (5, ExtensionStatus.REQUESTED)


def test_an_extension_longer_than_allowed_is_refused(client, in_progress, inspector):
    before = snapshot(in_progress)
    data = {"working_days": 31, "reason": "等待厂家配件"}
    response = press(client, inspector, in_progress, "request_extension", data)
    assert refused(response, in_progress, "Extra working days")
    assert snapshot(in_progress) == before


def test_the_official_approves_an_extension_and_the_due_date_moves(
    client, in_progress, inspector, official
):
    extension = clock.request_extension(in_progress, actor=inspector, working_days=5, reason="配件")
    due = reloaded(in_progress).resolve_due_at
    data = {"decision": "approve", "note": ""}
    response = press(client, official, in_progress, "decide_extension", data, extension)
    assert done(response, in_progress)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert reloaded(in_progress).resolve_due_at > due


def test_an_inspector_may_not_decide_an_extension(client, in_progress, inspector, official):
    extension = clock.request_extension(in_progress, actor=official, working_days=5, reason="配件")
    before = snapshot(in_progress)
    data = {"decision": "approve"}
    response = press(client, inspector, in_progress, "decide_extension", data, extension)
    assert refused(response, in_progress, "may not")
    assert snapshot(in_progress) == before


# Resolution, follow-up, closing, reopening ------------------------------------------------------


def test_the_inspector_resolves_once_the_answer_is_accepted(client, answer_accepted, inspector):
    response = press(client, inspector, answer_accepted, "resolve", {"reply": "电梯已修复"})
    assert done(response, answer_accepted)
    assert said(response) == [(messages.SUCCESS, "Case resolved.")]
    assert reloaded(answer_accepted).status == CaseStatus.RESOLVED
    assert reloaded(answer_accepted).public_reply == "电梯已修复"


def test_a_resolution_needing_a_sign_off_says_it_waits(client, answer_accepted, inspector):
    TierRule.objects.create(tier=answer_accepted.tier, needs_sign_off=True)
    response = press(client, inspector, answer_accepted, "resolve", {"reply": "电梯已修复"})
    assert done(response, answer_accepted)
    waits = "The resolution waits for an official's sign-off: this case's tier needs one."
    assert said(response) == [(messages.SUCCESS, waits)]
    assert reloaded(answer_accepted).status == CaseStatus.IN_PROGRESS
    assert answer_accepted.sign_offs.get().reply == "电梯已修复"


def test_no_resolution_before_the_companys_answer_is_accepted(client, answered, inspector):
    case = reloaded(answered.complaint)
    before = snapshot(case)
    response = press(client, inspector, case, "resolve", {"reply": "已修复"})
    assert refused(response, case, "accept the company's answer")
    assert snapshot(case) == before


def test_the_follow_up_call_is_recorded(client, resolved, inspector):
    data = {"satisfaction": Satisfaction.BASICALLY, "comment": "还行"}
    response = press(client, inspector, resolved, "follow_up", data)
    assert done(response, resolved)
    case = reloaded(resolved)
    assert (case.status, case.satisfaction) == (CaseStatus.FOLLOWED_UP, Satisfaction.BASICALLY)


def test_no_follow_up_before_the_case_is_resolved(client, in_progress, inspector):
    before = snapshot(in_progress)
    data = {"satisfaction": Satisfaction.SATISFIED}
    response = press(client, inspector, in_progress, "follow_up", data)
    assert refused(response, in_progress, "cannot become")
    assert snapshot(in_progress) == before


def test_the_inspector_closes_a_followed_up_case(client, followed_up, inspector):
    response = press(client, inspector, followed_up, "close")
    assert done(response, followed_up)
    assert reloaded(followed_up).status == CaseStatus.CLOSED


def test_a_resolved_case_cannot_be_closed_before_the_follow_up(client, resolved, inspector):
    before = snapshot(resolved)
    response = press(client, inspector, resolved, "close")
    assert refused(response, resolved, "cannot become")
    assert snapshot(resolved) == before


def test_the_official_reopens_a_closed_case(client, closed, official):
    response = press(client, official, closed, "reopen", {"reason": "业主反映仍未修好"})
    assert done(response, closed)
    assert (reloaded(closed).status, reloaded(closed).reopen_count) == (CaseStatus.REOPENED, 1)


def test_a_case_in_progress_cannot_be_reopened(client, in_progress, official):
    before = snapshot(in_progress)
    response = press(client, official, in_progress, "reopen", {"reason": "重办"})
    assert refused(response, in_progress, "cannot become")
    assert snapshot(in_progress) == before


# Merging and notes ------------------------------------------------------------------------------


def test_the_inspector_merges_a_duplicate_by_tracking_number(client, estate_x, inspector):
    primary = make_complaint(estate=estate_x).complaint
    duplicate = make_complaint(estate=estate_x).complaint
    data = {"tracking_number": primary.tracking_number.lower()}
    response = press(client, inspector, duplicate, "merge", data)
    assert done(response, duplicate)
    case = reloaded(duplicate)
    assert (case.status, case.merged_into_id) == (CaseStatus.MERGED, primary.pk)


def test_a_case_outside_the_scope_cannot_be_the_primary(client, submitted, estate_y, inspector):
    elsewhere = make_complaint(estate=estate_y).complaint
    before = snapshot(submitted)
    data = {"tracking_number": elsewhere.tracking_number}
    response = press(client, inspector, submitted, "merge", data)
    assert refused(response, submitted, "No case with the tracking number")
    assert snapshot(submitted) == before


def test_the_inspector_adds_an_internal_note_with_a_file(client, submitted, inspector):
    login(client, inspector)
    url = reverse("cases_admin:case_note", args=[submitted.pk])
    response = client.post(url, {"note-text": "已电话联系物业", "note-files": [contract_pdf()]})
    assert done(response, submitted)
    event = submitted.events.get(action="cases.complaint.note_added")
    assert not event.is_public
    assert event.data["text"] == "已电话联系物业" and len(event.data["attachments"]) == 1


def test_company_staff_may_not_add_internal_notes(client, in_progress, company_a_staff):
    before = snapshot(in_progress)
    response = press(client, company_a_staff, in_progress, "note", {"text": "我们也想备注"})
    assert refused(response, in_progress, "may not")
    assert snapshot(in_progress) == before


# Downloads ----------------------------------------------------------------------------------------


@pytest.fixture
def evidence(answered) -> CaseAttachment:
    return answered.attachments.get()


@pytest.fixture
def internal_file(in_progress, inspector) -> CaseAttachment:
    event = notes.add_internal_note(
        in_progress, actor=inspector, text="内部", files=[png("内部.png")]
    )
    return CaseAttachment.objects.get(pk=event.data["attachments"][0])


def download(client, user, attachment):
    login(client, user)
    return client.get(reverse("cases_admin:attachment", args=[attachment.pk]))


def test_regulator_staff_download_any_file_of_the_case_as_an_attachment(
    client, evidence, internal_file, inspector
):
    response = download(client, inspector, evidence)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert download(client, inspector, internal_file)["Content-Type"] == "image/jpeg"


def test_company_staff_download_their_own_evidence_only(
    client, evidence, internal_file, company_a_staff
):
    assert download(client, company_a_staff, evidence).status_code == 200
    assert download(client, company_a_staff, internal_file).status_code == 404


@pytest.mark.parametrize("who", ["company_b_staff", "committee_member", "other_district_inspector"])
def test_everyone_else_gets_404_for_a_file(client, evidence, internal_file, who, request):
    user = request.getfixturevalue(who)
    assert download(client, user, evidence).status_code == 404
    assert download(client, user, internal_file).status_code == 404


def test_an_unknown_file_id_is_404_like_a_forbidden_one(client, evidence, inspector):
    login(client, inspector)
    url = reverse("cases_admin:attachment", args=[evidence.pk + 1000])
    assert client.get(url).status_code == 404


def test_anonymous_download_is_sent_to_the_login_page(client, evidence):
    response = client.get(reverse("cases_admin:attachment", args=[evidence.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))
