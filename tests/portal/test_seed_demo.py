"""``manage.py seed_demo``: every workflow state appears, each demo login sees what its role
should, and a second run adds nothing.

Seeding takes a while, so the module seeds once (twice, to compare) inside a transaction that
is rolled back when the module is done; each test only reads.
"""

import io

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Locale, Page

from cases.models import CaseStatus, Complaint
from enterprises.models import (
    AppealStatus,
    ContractStatus,
    CreditAppeal,
    Disclosure,
    Estate,
    Evaluation,
    EvaluatorKind,
    Licence,
    LicenceStatus,
    ServiceContract,
    Vote,
    VoteStatus,
)
from enterprises.permissions import evaluated_estates, visible_companies, visible_estates
from portal.config.celery import app as celery_app

COMPLAINTS = 40


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Row counts after the first and the second run of the seed."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), transaction.atomic():
        # What Wagtail's migrations create, gone when a transactional test flushed the tables.
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        if Page.get_first_root_node() is None:
            Page.add_root(title="Root", slug="root")
        with override_settings(DEBUG=True, MEDIA_ROOT=media):
            call_command("seed_demo", complaints=COMPLAINTS, stdout=io.StringIO())
            first = row_counts()
            call_command("seed_demo", complaints=COMPLAINTS, stdout=io.StringIO())
            second = row_counts()
        yield {"first": first, "second": second}
        transaction.set_rollback(True)
    celery_app.conf.task_always_eager = eager


def user(username: str):
    return get_user_model().objects.get(username=username)


def statuses(model) -> set[str]:
    return set(model.objects.values_list("status", flat=True))


def test_seed_demo_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    before = row_counts()
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", complaints=COMPLAINTS, stdout=io.StringIO())
    assert row_counts() == before


def test_every_case_licence_contract_and_appeal_status_appears(seeded, db):
    assert Complaint.objects.count() == COMPLAINTS
    assert statuses(Complaint) == set(CaseStatus.values)
    assert statuses(Licence) == set(LicenceStatus.values)
    assert statuses(ServiceContract) == set(ContractStatus.values)
    assert statuses(CreditAppeal) == set(AppealStatus.values)
    assert set(Disclosure.objects.values_list("published", flat=True)) == {True, False}
    kinds = set(Evaluation.objects.values_list("evaluator_kind", flat=True))
    assert kinds == set(EvaluatorKind.values)


def test_each_estate_has_at_most_one_filed_contract_whose_company_manages_it(seeded, db):
    filed = ServiceContract.objects.filter(status=ContractStatus.FILED)
    per_estate = filed.values("estate").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_estate) == {1}
    mismatched = [
        contract.pk
        for contract in filed.select_related("estate")
        if contract.estate.managing_company_id != contract.company_id
    ]
    assert mismatched == []
    unfiled = Estate.objects.filter(managing_company__isnull=False).exclude(
        contracts__status=ContractStatus.FILED
    )
    assert not unfiled.exists()


def test_company_login_sees_only_its_own_company(seeded, db):
    company_user = user("company")
    own = company_user.staff_profile.company
    assert list(visible_companies(company_user)) == [own]
    licences = set(own.licences.values_list("status", flat=True))
    assert {LicenceStatus.APPROVED, LicenceStatus.APPLIED} <= licences
    assert own.licences.filter(status=LicenceStatus.APPLIED, renewal_of__isnull=False).exists()


def test_committee_login_sees_only_its_estate(seeded, db):
    committee = user("committee")
    assert list(visible_estates(committee)) == [committee.staff_profile.estate]
    # Filed as the chair of a current committee, so the hourly term sweep keeps the access.
    seat = committee.committee_seats.get()
    assert seat.position == "chair" and seat.committee.estate == committee.staff_profile.estate
    assert seat.committee.term_ends_on > timezone.localdate()


def test_evaluator_is_engaged_on_five_estates_and_evaluated_each(seeded, db):
    evaluator = user("evaluator")
    engaged = set(evaluated_estates(evaluator))
    assert len(engaged) == 5
    assert {evaluation.estate for evaluation in evaluator.evaluations.all()} == engaged
    # Through current engagements of its registered organisation: the hourly sweep keeps them.
    organisation = evaluator.staff_profile.evaluation_organisation
    current = organisation.engagements.filter(ends_on__gte=timezone.localdate())
    assert {engagement.estate for engagement in current} == engaged


def test_a_second_run_adds_no_rows(seeded, db):
    changed = {
        label: (count, seeded["second"][label])
        for label, count in seeded["first"].items()
        if seeded["second"][label] != count
    }
    assert changed == {}
    assert seeded["first"]["enterprises.Licence"] > 0


def test_the_committees_estate_has_a_closed_survey_that_counts_and_an_open_one(seeded, db):
    from enterprises.models import CreditRecord, Survey, Unit

    closed = Survey.objects.get(status="closed")
    assert closed.counts and closed.units_total == Unit.objects.filter(estate=closed.estate).count()
    assert closed.answered == round(closed.units_total * 0.7)
    assert CreditRecord.objects.filter(source_key=f"survey:{closed.pk}").exists()
    assert Survey.objects.filter(status="open", estate=closed.estate).exists()


def test_the_committee_logins_estate_has_one_tallied_owners_vote(seeded, db):
    committee = user("committee")
    vote = Vote.objects.get()
    assert (vote.estate, vote.status) == (committee.staff_profile.estate, VoteStatus.TALLIED)
    assert vote.result["participating_owners"] > 0 and len(vote.result["checks"]) == 4
