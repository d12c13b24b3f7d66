"""The owners supervise and decide, end to end (issue 19): the committee runs a satisfaction
survey in the admin, owners answer it on a phone with household codes (typed, and from the QR
link), a spent code is refused; the closed survey's results reach the company's public page and
its credit. The owners then dismiss the company by vote (one ballot on the phone page), the
committee closes, tallies and files it in the admin; the handover to company B completes and
the next complaint about the estate goes to B. Takes the README's pictures:
`README_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_owners_decide.py`.

Whatever is not the point here (the other owners' answers and ballots, the contracts, two of
the handover's confirmations) is done through the services, to keep the test short.
"""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.dispatch import responsible_company
from cases.models import Complaint
from enterprises import contracts, handovers, surveys, vote_tally, votes
from enterprises.models import (
    BallotChoice,
    Estate,
    HandoverStatus,
    HouseholdCode,
    Owner,
    OwnersCommittee,
    Survey,
    SurveyResponse,
    SurveyRunner,
    SurveyStatus,
    Unit,
    Vote,
    VoteStatus,
)
from portal.models import CompanyDirectoryPage
from portal.site.survey_answers import SCALE_LABELS
from tests.e2e.pages import assert_fits_the_screen, field, jpeg_file, t
from tests.e2e.test_complaint_loop import file_complaint
from tests.e2e.test_self_inspection import press, signed_in
from tests.e2e.test_tracking_phone import phone_390
from tests.enterprises.pdfs import contract_pdf
from tests.enterprises.survey_helpers import marks
from tests.enterprises.vote_helpers import seat_committee

README_SCREENSHOTS = os.environ.get("README_SCREENSHOTS")
TODAY = timezone.localdate()
TITLE = "2026年度物业服务满意度调查"
AREAS = [Decimal(a) for a in ("88.50", "88.50", "102.30", "76.40", "120.00", "95.10")] * 2


def _units(estate: Estate) -> list[Unit]:
    """Twelve units: a buyer holds the first two, the developer still holds the last two."""
    buyer = Owner.objects.create(estate=estate, name="张先生")
    return [
        Unit.objects.create(
            estate=estate,
            building=str(1 + n // 6),
            entrance="1",
            room=f"{101 + n % 6}",
            exclusive_area=area,
            owner=buyer if n < 2 else None,
            developer_held=n >= 10,
        )
        for n, area in enumerate(AREAS)
    ]


def _contract(staff, company, estate):
    return contracts.submit_contract(
        actor=staff,
        company=company,
        estate=estate,
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=3 * 365),
        service_level="2",
        fee_per_sqm_month=Decimal("2.50"),
        fee_items="",
        document=contract_pdf(),
    )


def _answer_on_the_phone(phone: Page, mark: int, shot: Path | None = None) -> None:
    """Every question of the survey answered with ``mark``, then sent."""
    questions = phone.locator("fieldset.survey-question")
    expect(questions).to_have_count(6)
    for index in range(6):
        questions.nth(index).get_by_label(t(SCALE_LABELS[mark]), exact=True).check()
    assert_fits_the_screen(phone)
    if shot is not None:
        phone.screenshot(path=shot, full_page=True)
    phone.get_by_role("button", name=t("Send my answers")).click()
    expect(phone.locator("#survey-done")).to_be_visible()
    assert_fits_the_screen(phone)


def test_owners_survey_then_dismiss_their_company_which_hands_over_to_the_next(
    open_page, site_pages, estate_x, company_a, company_a_staff, company_b, company_b_staff,
    official, tmp_path,
):  # fmt: skip
    folder = Path(README_SCREENSHOTS) if README_SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    chair = seat_committee(estate_x, "chair_x")[0]
    OwnersCommittee.objects.filter(estate=estate_x).update(
        filing_number="东湖业备〔2026〕12号", filed_by=official
    )
    units = _units(estate_x)
    contracts.file_contract(_contract(company_a_staff, company_a, estate_x), actor=official)
    incoming = _contract(company_b_staff, company_b, estate_x)
    directory = site_pages["home"].add_child(
        instance=CompanyDirectoryPage(title="企业名录", slug="companies")
    )
    directory.save_revision().publish()

    # 1. The committee creates the survey in the admin and opens it: a code per unit.
    desk = signed_in(open_page, chair, reverse("surveys:create"), phone=False)
    desk.locator("select[name=kind]").select_option("satisfaction")
    desk.locator("select[name=estates]").select_option(label=estate_x.name)
    desk.locator("input[name=title]").fill(TITLE)
    desk.locator("input[name=opens_on]").fill(TODAY.isoformat())
    desk.locator("input[name=closes_on]").fill((TODAY + dt.timedelta(days=14)).isoformat())
    press(desk, "Create as a draft")
    press(desk, "Open and issue the household codes")
    expect(desk.locator("#survey-status")).to_have_text(t(SurveyStatus.OPEN.label))
    survey = Survey.objects.get(title=TITLE)
    assert (survey.run_by, survey.company) == (SurveyRunner.COMMITTEE, company_a)
    codes = list(HouseholdCode.objects.filter(survey=survey).order_by("unit_id"))
    assert [c.unit_id for c in codes] == [u.pk for u in units]

    # 2. Two owners answer on a phone: one types the code from the slip, one scans the QR.
    owner = phone_390(open_page)
    owner.goto("/surveys/")
    assert_fits_the_screen(owner)
    owner.get_by_label(field(t("Household code"))).fill(surveys.grouped(codes[2].code).lower())
    owner.get_by_role("button", name=t("Continue")).click()
    _answer_on_the_phone(owner, 4, folder / "owners-survey-phone.png")
    neighbour = phone_390(open_page)
    neighbour.goto(f"/surveys/{survey.pk}/?code={codes[3].code}")
    _answer_on_the_phone(neighbour, 5)
    owner.goto("/surveys/")  # the same slip a second time
    owner.get_by_label(field(t("Household code"))).fill(codes[2].code)
    owner.get_by_role("button", name=t("Continue")).click()
    expect(owner.locator("#id_code_error")).to_have_text(t(str(surveys.USED_CODE)))
    assert_fits_the_screen(owner)
    assert SurveyResponse.objects.filter(survey=survey).count() == 2  # nothing counted twice
    for code in codes[4:7]:  # three more households: 5 of 12 pass the 30 % minimum
        surveys.submit_answers(survey, code=code.code, answers=marks(survey, 4))

    # The committee closes it; the company's page shows the results, its credit the record.
    desk.reload()
    press(desk, "Close the survey")
    expect(desk.locator("#survey-status")).to_have_text(t(SurveyStatus.CLOSED.label))
    survey.refresh_from_db()
    assert (survey.answered, survey.counts, str(survey.response_rate)) == (5, True, "41.67")
    public = phone_390(open_page)
    public.goto(f"{directory.url}{company_a.pk}/")
    result = public.locator(f"#survey-{survey.pk}")
    expect(result).to_contain_text(TITLE)
    expect(result).to_contain_text("41.67%")
    expect(result.locator(".survey-counts")).to_be_visible()
    expect(public.locator("#credit-caption").locator("..")).to_contain_text(TITLE)
    assert_fits_the_screen(public)
    public.screenshot(path=folder / "owners-survey-company-page.png", full_page=True)

    # 3. The dismissal vote: called by the service, opened in the admin, one ballot by phone.
    now = timezone.now()
    vote = votes.call_vote(
        actor=chair,
        estate=estate_x,
        matter="4",
        question="是否同意解聘甲物业公司？",
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(hours=1),
        company=company_a,
        dismissal=True,
    )
    desk.goto(reverse("votes:vote", args=(vote.pk,)))
    press(desk, "Open voting")
    expect(desk.get_by_role("button", name=t("Close voting"))).to_be_visible()
    vote.refresh_from_db()
    ballot = owner
    ballot.goto(f"/vote/{vote.pk}/?code={votes.spaced(votes.unit_code(vote, units[2].pk))}")
    ballot.get_by_label(t(BallotChoice.YES.label), exact=True).check()
    assert_fits_the_screen(ballot)
    ballot.get_by_role("button", name=t("Cast my vote")).click()
    expect(ballot.get_by_role("status")).to_contain_text(
        t("Thank you: your vote has been recorded. The code cannot be used again.")
    )
    assert_fits_the_screen(ballot)
    ballot.screenshot(path=folder / "owners-vote-phone.png", full_page=True)
    # The buyer's two units (one owner), six more yes, one no; the developer does not vote.
    for unit, choice in [*((u, "yes") for u in units[:2] + units[3:9]), (units[9], "no")]:
        votes.cast_ballot(vote, code=votes.unit_code(vote, unit.pk), choice=choice)
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now())  # the period is over

    # The committee closes, tallies and files it: every figure, and "passed".
    desk.reload()
    press(desk, "Close voting")
    press(desk, "Tally")
    expect(desk.get_by_role("heading", name=t("Vote passed"))).to_be_visible()
    vote.refresh_from_db()
    assert vote.passed and vote.status == VoteStatus.TALLIED
    checks = {c["rule"]: (c["part"], c["whole"]) for c in vote.result["checks"]}
    assert checks["participation_owners"] == ("9", "10")  # the buyer once, the developer once
    assert checks["participation_area"] == (str(sum(AREAS[:10])), str(sum(AREAS)))
    explained = vote_tally.explain(vote.result)
    assert len(explained) == 4 and all(met for met, _line in explained)
    for _met, line in explained:
        expect(desk.get_by_text(t(line), exact=True)).to_be_visible()
    press(desk, "File with the regulator")
    vote.refresh_from_db()
    assert vote.status == VoteStatus.FILED
    desk.screenshot(path=folder / "owners-vote-tally.png", full_page=True)

    # 4. The handover to B: started by the official, the committee confirms in the admin.
    handover = handovers.start_handover(
        vote, actor=official, incoming_contract=incoming, terminates_on=TODAY, due_on=TODAY
    )
    handovers.confirm_handover(handover, actor=company_a_staff, party="outgoing")
    handovers.confirm_handover(handover, actor=company_b_staff, party="incoming")
    desk.goto(reverse("votes:handover", args=(handover.pk,)))
    press(desk, "Confirm the checklist")
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.COMPLETED
    expect(desk.get_by_text(t(HandoverStatus.COMPLETED.label), exact=True)).to_be_visible()
    estate_x.refresh_from_db()
    assert estate_x.managing_company == company_b
    desk.screenshot(path=folder / "owners-handover.png", full_page=True)

    # 5. A citizen's next complaint about the estate goes to company B.
    citizen = open_page()
    number, _code = file_complaint(citizen, estate_x, jpeg_file(tmp_path / "gate.jpg"))
    complaint = Complaint.objects.get(tracking_number=number)
    assert complaint.estate == estate_x
    assert responsible_company(complaint) == company_b
