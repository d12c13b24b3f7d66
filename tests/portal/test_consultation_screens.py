"""The screen answering a consultation at once (portal.intake.consultations): reached from the
intake result and the case page, it offers the knowledge base's matching answers, fills the
answer from the one picked, resolves the case; outsiders get a 404 and a refusal lands on its
field with nothing changed."""

import pytest
from django.urls import reverse

from cases import staff_intake, workflow
from cases.models import CaseStatus, Channel, Tier
from foundation.roles import Role
from portal.models import FaqIndexPage, FaqPage
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db

QUESTION = "请问电梯困人，物业多久必须到场？"


@pytest.fixture
def lift_faq(site_pages):
    index = site_pages["home"].add_child(instance=FaqIndexPage(title="常见问题", slug="faq"))
    return index.add_child(
        instance=FaqPage(
            title="电梯困人，物业多久必须到场？",
            slug="lift",
            category="facilities",
            keywords="电梯, 困人",
            answer="<p>物业须在<b>30分钟内</b>到场。</p><p>请按警铃等待救援。</p>",
        )
    )


@pytest.fixture
def clerk(db):
    return make_user("clerk", Role.INTAKE_CLERK)


def registered_by(clerk, estate, tier=Tier.CONSULTATION, phone="13900003333"):
    return staff_intake.register_for_caller(
        actor=clerk,
        channel=Channel.HOTLINE,
        category="facilities",
        description=QUESTION,
        contact_phone=phone,
        tier=tier,
        estate=estate,
        estate_name=estate.name,
    ).receipt.complaint


def answer_url(complaint) -> str:
    return reverse("intake:answer_consultation", args=(complaint.pk,))


def test_the_clerk_picks_an_answer_edits_it_and_resolves_the_case(
    client, clerk, estate_x, lift_faq
):
    complaint = registered_by(clerk, estate_x)
    client.force_login(clerk)

    offered = client.get(answer_url(complaint)).content.decode()
    assert lift_faq.title in offered and f"?faq={lift_faq.pk}" in offered

    picked = client.get(answer_url(complaint), {"faq": lift_faq.pk}).content.decode()
    assert "物业须在30分钟内到场。\n请按警铃等待救援。\nhttp://localhost/faq/lift/" in picked

    response = client.post(
        answer_url(complaint), {"answer": "物业须在30分钟内到场。", "faq_page": lift_faq.pk}
    )

    assert response.status_code == 302 and response.url == reverse("intake:register")
    complaint.refresh_from_db()
    assert complaint.status == CaseStatus.RESOLVED
    assert complaint.public_reply == "物业须在30分钟内到场。"
    event = complaint.events.get(action="cases.complaint.resolved")
    assert event.data["faq_page"] == lift_faq.pk
    assert event.data["faq_url"] == "http://localhost/faq/lift/"


def test_the_intake_result_offers_the_answer_for_a_consultation_only(client, clerk, estate_x):
    client.force_login(clerk)
    for tier, offered in ((Tier.CONSULTATION, True), (Tier.GENERAL, False)):
        data = {
            "channel": Channel.HOTLINE,
            "contact_phone": "13812345678",
            "language": "zh-hans",
            "category": "facilities",
            "tier": tier,
            "description": f"{tier}：{QUESTION}",
            "estate_name": estate_x.name,
            "estate": estate_x.pk,
            "confirm_duplicate": "on",
        }
        assert client.post(reverse("intake:register"), data).status_code == 302
        html = client.get(reverse("intake:registered")).content.decode()
        assert ('id="intake-answer-at-once"' in html) is offered, tier


def test_the_case_page_shows_the_button_to_an_official_for_a_consultation(
    client, official, inspector, estate_x
):
    consultation = make_complaint(estate=estate_x).complaint
    workflow.accept_case(consultation, actor=official, tier=Tier.CONSULTATION)
    general = make_complaint(estate=estate_x, description="垃圾没人清运").complaint

    client.force_login(official)
    page = client.get(reverse("cases_admin:case", args=(consultation.pk,))).content.decode()
    assert answer_url(consultation) in page
    other = client.get(reverse("cases_admin:case", args=(general.pk,))).content.decode()
    assert 'id="answer-at-once"' not in other

    client.force_login(inspector)  # sees the case, may not answer it at once
    page = client.get(reverse("cases_admin:case", args=(consultation.pk,))).content.decode()
    assert 'id="answer-at-once"' not in page


@pytest.mark.parametrize("who", ["other_clerk", "inspector", "company_a_staff", "citizen"])
def test_outsiders_get_404_and_change_nothing(who, request, client, clerk, estate_x):
    complaint = registered_by(clerk, estate_x)
    user = (
        make_user("other_clerk", Role.INTAKE_CLERK)
        if who == "other_clerk"
        else request.getfixturevalue(who)
    )
    client.force_login(user)

    got = client.get(answer_url(complaint))
    posted = client.post(answer_url(complaint), {"answer": "随便答复"})

    # 404, or the sign-in page for one without admin access at all.
    assert got.status_code in (302, 404) and posted.status_code in (302, 404)
    complaint.refresh_from_db()
    assert complaint.status == CaseStatus.SUBMITTED and complaint.public_reply == ""


def test_refusals_land_on_their_field(client, clerk, estate_x, lift_faq):
    general = registered_by(clerk, estate_x, tier=Tier.GENERAL, phone="13900004444")
    consultation = registered_by(clerk, estate_x)
    lift_faq.unpublish()
    client.force_login(clerk)

    page = client.get(answer_url(general)).content.decode()
    assert 'id="consultation-not-answerable"' in page and "consultation-answer-form" not in page

    response = client.post(answer_url(general), {"answer": "答复"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()  # the tier is no field of the form

    response = client.post(answer_url(consultation), {"answer": "", "faq_page": lift_faq.pk})
    errors = response.context["form"].errors
    assert "answer" in errors and "faq_page" in errors  # empty, and no longer published
    for complaint in (general, consultation):
        complaint.refresh_from_db()
        assert complaint.status == CaseStatus.SUBMITTED
