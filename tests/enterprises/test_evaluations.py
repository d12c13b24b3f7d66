"""Submitting a service evaluation: who may, what is checked, what it sets in motion."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from wagtail.models import ModelLogEntry

from enterprises import access
from enterprises.evaluations import EvaluationError, submit_evaluation
from enterprises.models import CreditRecord, Estate, Evaluation, EvaluatorKind
from enterprises.models.evaluations import DIMENSIONS
from foundation.uploads import DEFAULT_MAX_BYTES as MAX_PDF_BYTES
from tests.factories import EstateFactory, make_user
from tests.object_store import stored_files

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def english_in_mid_2026(time_machine):
    time_machine.move_to("2026-07-15 10:00 +08:00")
    with translation.override("en"):
        yield


def scores(value: int = 90, **overrides) -> dict:
    return {**{name: value for name in DIMENSIONS}, **overrides}


def audit_actions(instance) -> list[str]:
    return list(
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
        ).values_list("action", flat=True)
    )


@pytest.fixture
def evaluator_of_y(estate_y):
    user = make_user("evaluator_of_y", None)
    access.engage_evaluator(user, estate_y)
    return user


def test_engaged_evaluator_submits_a_third_party_evaluation(evaluator, estate_x, company_a):
    evaluation = submit_evaluation(
        actor=evaluator, estate=estate_x, period="2026-h1", scores=scores(90, cleaning=84)
    )
    evaluation.refresh_from_db()
    assert evaluation.evaluator_kind == EvaluatorKind.THIRD_PARTY
    assert evaluation.company == company_a
    assert evaluation.period == "2026-H1"
    assert evaluation.cleaning == 84 and evaluation.greening == 90
    assert audit_actions(evaluation) == ["enterprises.evaluation.submitted"]


def test_committee_member_submits_an_owners_committee_evaluation(committee_member, estate_x):
    evaluation = submit_evaluation(
        actor=committee_member, estate=estate_x, period="2026-Q2", scores=scores(75)
    )
    assert evaluation.evaluator_kind == EvaluatorKind.OWNERS_COMMITTEE
    assert evaluation.evaluator == committee_member


def test_company_staff_cannot_evaluate_even_its_own_estate(company_a_staff, estate_x):
    with pytest.raises(EvaluationError, match="not engaged to evaluate"):
        submit_evaluation(actor=company_a_staff, estate=estate_x, period="2026", scores=scores())
    assert not Evaluation.objects.exists()


def test_evaluator_not_engaged_on_the_estate_is_refused(evaluator_of_y, estate_x, estate_y):
    with pytest.raises(EvaluationError, match="not engaged to evaluate"):
        submit_evaluation(actor=evaluator_of_y, estate=estate_x, period="2026", scores=scores())
    assert not Evaluation.objects.exists()


def test_evaluator_whose_engagement_ended_is_refused(evaluator, estate_x):
    access.end_evaluator_engagement(evaluator, estate_x)
    with pytest.raises(EvaluationError, match="not engaged to evaluate"):
        submit_evaluation(actor=evaluator, estate=estate_x, period="2026", scores=scores())
    assert not Evaluation.objects.exists()


def test_official_and_anonymous_are_refused(official, estate_x):
    from django.contrib.auth.models import AnonymousUser

    for actor in (official, AnonymousUser(), None):
        with pytest.raises(EvaluationError):
            submit_evaluation(actor=actor, estate=estate_x, period="2026", scores=scores())
    assert not Evaluation.objects.exists()


def test_estate_without_managing_company_is_refused(evaluator, district_1):
    estate = EstateFactory(name="无主小区", district=district_1, managing_company=None)
    access.engage_evaluator(evaluator, estate)
    with pytest.raises(EvaluationError, match="has no managing company"):
        submit_evaluation(actor=evaluator, estate=estate, period="2026", scores=scores())
    assert not Evaluation.objects.exists()
    assert Estate.objects.get(pk=estate.pk).managing_company is None


@pytest.mark.parametrize("period", ["2026-H3", "2026-Q5", "26", "2026/1", "2026-03", "", "1999"])
def test_malformed_period_is_refused_and_nothing_stored(evaluator, estate_x, period):
    with pytest.raises(EvaluationError, match="is not a period"):
        submit_evaluation(actor=evaluator, estate=estate_x, period=period, scores=scores())
    assert not Evaluation.objects.exists()


def test_period_that_has_not_begun_is_refused(evaluator, estate_x):
    with pytest.raises(EvaluationError, match="has not begun"):
        submit_evaluation(actor=evaluator, estate=estate_x, period="2026-Q4", scores=scores())
    assert submit_evaluation(actor=evaluator, estate=estate_x, period="2026-Q3", scores=scores())


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"cleaning": 101}, "whole number from 0 to 100"),
        ({"greening": -1}, "whole number from 0 to 100"),
        ({"public_order": "90"}, "whole number from 0 to 100"),
        ({"customer_service": 88.5}, "whole number from 0 to 100"),
        ({"basic_management": True}, "whole number from 0 to 100"),
        ({"facility_maintenance": None}, "is missing"),
        ({"hygiene": 90}, "Unknown evaluation dimension"),
    ],
)
def test_bad_scores_are_refused_and_nothing_stored(evaluator, estate_x, bad, message):
    with pytest.raises(EvaluationError, match=message):
        submit_evaluation(actor=evaluator, estate=estate_x, period="2026", scores=scores(**bad))
    assert not Evaluation.objects.exists()


def test_a_missing_dimension_is_named(evaluator, estate_x):
    incomplete = scores()
    del incomplete["greening"]
    with pytest.raises(EvaluationError, match="“greening” is missing"):
        submit_evaluation(actor=evaluator, estate=estate_x, period="2026", scores=incomplete)
    assert not Evaluation.objects.exists()


def test_second_evaluation_for_the_same_period_is_refused(evaluator, estate_x):
    submit_evaluation(actor=evaluator, estate=estate_x, period="2026-H1", scores=scores(90))
    with pytest.raises(EvaluationError, match="already evaluated .* for 2026-H1"):
        submit_evaluation(actor=evaluator, estate=estate_x, period="2026-h1", scores=scores(50))
    assert list(Evaluation.objects.values_list("cleaning", flat=True)) == [90]
    submit_evaluation(actor=evaluator, estate=estate_x, period="2026-Q1", scores=scores(50))
    assert Evaluation.objects.count() == 2


def test_committee_and_evaluator_each_evaluate_the_same_period(
    evaluator, committee_member, estate_x
):
    submit_evaluation(actor=evaluator, estate=estate_x, period="2026", scores=scores())
    submit_evaluation(actor=committee_member, estate=estate_x, period="2026", scores=scores())
    assert set(Evaluation.objects.values_list("evaluator_kind", flat=True)) == {
        EvaluatorKind.THIRD_PARTY,
        EvaluatorKind.OWNERS_COMMITTEE,
    }


def test_pdf_report_is_stored_under_a_chosen_name(evaluator, estate_x):
    report = SimpleUploadedFile("张三 身份证 report.pdf", PDF, content_type="application/pdf")
    evaluation = submit_evaluation(
        actor=evaluator, estate=estate_x, period="2026-H1", scores=scores(), report=report
    )
    evaluation.refresh_from_db()
    assert evaluation.report.name.endswith(".pdf")
    assert f"evaluation-{estate_x.pk}-2026-H1" in evaluation.report.name
    assert "张三" not in evaluation.report.name
    with evaluation.report.open("rb") as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    "content",
    [
        PNG,
        b"Not a PDF at all, whatever the name says",
        b"%PDX-1.7 nearly",
        b"\xef\xbb\xbf" + PDF,  # a byte-order mark first: filetype says PDF, a reader would not
    ],
)
def test_report_that_is_not_a_pdf_is_refused(evaluator, estate_x, content, media_root):
    report = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")
    with pytest.raises(EvaluationError, match="is not a PDF document"):
        submit_evaluation(
            actor=evaluator, estate=estate_x, period="2026", scores=scores(), report=report
        )
    assert not Evaluation.objects.exists()
    assert stored_files(media_root) == []


def test_report_over_20_mb_is_refused(evaluator, estate_x):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (MAX_PDF_BYTES - len(PDF) + 1))
    with pytest.raises(EvaluationError, match="larger than 20 MB"):
        submit_evaluation(
            actor=evaluator, estate=estate_x, period="2026", scores=scores(), report=big
        )
    assert not Evaluation.objects.exists()


def test_credit_is_recomputed_once_the_evaluation_commits(
    evaluator, estate_x, company_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        evaluation = submit_evaluation(
            actor=evaluator, estate=estate_x, period="2026-H1", scores=scores(60)
        )
    # One task queued (the other callback is the public page cache's second invalidation).
    queued = [c for c in callbacks if c.__qualname__.startswith("PolicyTask.delay_on_commit")]
    assert len(queued) == 1
    company_a.refresh_from_db()
    assert company_a.credit_score == 96
    assert company_a.credit_grade == "AAA"
    record = CreditRecord.objects.get(company=company_a)
    assert record.source_key == f"evaluation:{evaluation.pk}"
    assert record.points == -4


def test_nothing_is_recomputed_before_the_commit(evaluator, estate_x, company_a):
    submit_evaluation(actor=evaluator, estate=estate_x, period="2026-H1", scores=scores(60))
    company_a.refresh_from_db()
    assert company_a.credit_score is None
    assert not CreditRecord.objects.exists()
