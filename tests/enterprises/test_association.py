"""The industry association's peer reviews and honours, and the credit they add."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from enterprises import people
from enterprises.association import AssociationError, record_honour, record_peer_review
from enterprises.credit_score import explain_credit
from enterprises.good_conduct import declare_good_conduct, verify_good_conduct
from enterprises.models import CreditPolicy, CreditRecord, CreditRecordKind, Honour, PeerReview
from enterprises.permissions import has_scope, visible_honours, visible_peer_reviews
from foundation.roles import Role
from tests.enterprises.pdfs import contract_pdf, html_named_pdf
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def english_on_a_known_day(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, 0))
    with translation.override("en"):
        yield


@pytest.fixture
def association(db):
    return make_user("association", Role.ASSOCIATION)


def review(actor, company, *, score="92", period="2025", report=None):
    return record_peer_review(
        actor=actor,
        company=company,
        period=period,
        score=score,
        report=report if report is not None else contract_pdf("review.pdf"),
    )


def test_a_good_peer_review_adds_points_and_a_weak_one_adds_none(association, company_a):
    good = review(association, company_a, score="90.00", period="2025")
    weak = review(association, company_a, score="89.99", period="2026-H1")
    records = CreditRecord.objects.filter(company=company_a, kind=CreditRecordKind.PEER_REVIEW)
    assert [r.source_key for r in records] == [f"peer_review:{good.pk}"]
    assert records.get().points == CreditPolicy.load().peer_review_points
    assert str(weak.score) == "89.99"


@pytest.mark.parametrize("score", ["-1", "100.01", "abc", "NaN", "Infinity"])
def test_a_score_outside_0_to_100_is_refused(association, company_a, score):
    with pytest.raises(AssociationError, match="0 to 100") as refused:
        review(association, company_a, score=score)
    assert refused.value.field == "score"
    assert not PeerReview.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"period": "去年"}, "period"),
        ({"report": html_named_pdf("review.pdf")}, "report"),
        ({"report": SimpleUploadedFile("r.pdf", b"")}, "report"),
    ],
)
def test_a_bad_period_or_report_is_refused(association, company_a, fields, field):
    with pytest.raises(AssociationError) as refused:
        review(association, company_a, **fields)
    assert refused.value.field == field
    assert not PeerReview.objects.exists()


def test_one_peer_review_per_company_and_period(association, company_a):
    review(association, company_a, period="2025")
    with pytest.raises(AssociationError, match="already has a peer review"):
        review(association, company_a, period="2025")
    assert PeerReview.objects.count() == 1
    assert CreditRecord.objects.filter(kind=CreditRecordKind.PEER_REVIEW).count() == 1


def test_only_the_association_records(company_a, company_a_staff, official, admin):
    for actor in (company_a_staff, official, admin, None):
        with pytest.raises(AssociationError, match="Only the industry association"):
            review(actor, company_a)
        with pytest.raises(AssociationError, match="Only the industry association"):
            record_honour(
                actor=actor, company=company_a, title="t", awarded_on=TODAY, awarded_by="x"
            )
    assert not (PeerReview.objects.exists() or Honour.objects.exists())


def test_an_honour_adds_points_and_future_honours_are_refused(association, company_a):
    honour = record_honour(
        actor=association,
        company=company_a,
        title="市级优秀物业服务项目",
        awarded_on=TODAY,
        awarded_by="市住房和城乡建设局",
    )
    record = CreditRecord.objects.get(source_key=f"honour:{honour.pk}")
    assert record.points == CreditPolicy.load().honour_points
    assert "市级优秀物业服务项目" in record.explanation
    with pytest.raises(AssociationError, match="once it is awarded"):
        record_honour(
            actor=association,
            company=company_a,
            title="明年",
            awarded_on=TODAY + datetime.timedelta(days=1),
            awarded_by="协会",
        )


def test_all_good_records_share_one_cap(association, company_a, company_a_staff, official):
    policy = CreditPolicy.load()
    policy.good_record_cap, policy.honour_points, policy.peer_review_points = 6, 3, 2
    policy.good_conduct_points = 4
    policy.save()
    record_honour(  # 3, the oldest
        actor=association,
        company=company_a,
        title="表彰",
        awarded_on=TODAY - datetime.timedelta(days=20),
        awarded_by="协会",
    )
    claim = declare_good_conduct(  # 4, of which 3 fit
        actor=company_a_staff,
        company=company_a,
        kind="award",
        title="见义勇为",
        description="d",
        occurred_on=TODAY - datetime.timedelta(days=10),
        evidence=contract_pdf(),
    )
    verify_good_conduct(claim, actor=official, decision="属实")
    review(association, company_a)  # 2, today: nothing left
    explanation = explain_credit(company_a, TODAY)
    assert explanation.points == 6
    assert sorted(item.points for item in explanation.counted) == [0, 3, 3]


def test_the_association_sees_every_company_the_regulator_its_district(
    association, company_a, company_b, official, company_b_staff
):
    reviews = [review(association, company) for company in (company_a, company_b)]
    assert set(visible_peer_reviews(association)) == set(reviews)
    assert list(visible_peer_reviews(official)) == [reviews[0]]
    assert list(visible_peer_reviews(company_b_staff)) == [reviews[1]]
    assert not visible_honours(make_user("nobody", Role.CITIZEN)).exists()
    assert has_scope(association)


def test_the_association_role_is_given_without_a_scope(admin, district_1):
    assert Role.ASSOCIATION in people.permissions.PEOPLE_ROLES
    with pytest.raises(people.PersonRefused) as refused:
        people._check_scope(
            Role.ASSOCIATION, district=district_1, city_wide=False, company=None, estate=None
        )
    assert refused.value.field == "district"
    people._check_scope(Role.ASSOCIATION, district=None, city_wide=False, company=None, estate=None)


def test_the_association_records_a_peer_review_on_its_screen(client, association, company_a):
    client.force_login(association)
    response = client.post(
        reverse("register_peer_reviews:add"),
        {"company": company_a.pk, "period": "2025", "score": "101", "report": contract_pdf()},
    )
    assert response.status_code == 200 and "score" in response.context["form"].errors
    response = client.post(
        reverse("register_peer_reviews:add"),
        {"company": company_a.pk, "period": "2025", "score": "95", "report": contract_pdf()},
    )
    assert response.status_code == 302
    assert PeerReview.objects.get().score == 95
