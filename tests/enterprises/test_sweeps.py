"""The daily sweeps with the clock moved: licence expiry, the 30-day expiry warning, contract
expiry, and the Celery tasks that run them."""

import datetime

import pytest
from django.core import mail
from django.utils import translation
from wagtail.models import ModelLogEntry

from enterprises import contracts, licensing, tasks
from enterprises.models import ContractStatus, Estate, Licence, LicenceStatus, ServiceContract
from foundation.models import Notification
from foundation.notifications import send_pending_notifications
from tests.enterprises.pdfs import contract_pdf

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
VALID_FROM = datetime.date(2026, 1, 1)
VALID_UNTIL = datetime.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(time_machine, year: int, month: int, day: int, hour: int = 1) -> None:
    """Move the clock to a local (Asia/Shanghai) time: 01:00 is when beat runs the sweeps."""
    time_machine.move_to(datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def approved(company_a, company_a_staff, official, time_machine):
    at(time_machine, 2026, 1, 2, hour=10)
    licence = licensing.apply_for_licence(company_a, actor=company_a_staff, scope="住宅物业管理")
    return licensing.approve_licence(
        licence, actor=official, valid_from=VALID_FROM, valid_until=VALID_UNTIL
    )


@pytest.fixture
def filed(company_a, company_a_staff, estate_x, official, time_machine):
    at(time_machine, 2026, 1, 2, hour=10)
    contract = contracts.submit_contract(
        actor=company_a_staff,
        company=company_a,
        estate=estate_x,
        starts_on=VALID_FROM,
        ends_on=VALID_UNTIL,
        service_level="3",
        fee_per_sqm_month="1.50",
        fee_items="",
        document=contract_pdf(),
    )
    return contracts.file_contract(contract, actor=official)


def system_entries(obj, action: str) -> list:
    return list(
        ModelLogEntry.objects.for_instance(obj).filter(action=action).values_list("user_id")
    )


# Licence expiry ----------------------------------------------------------------------------


def test_a_licence_is_valid_through_its_last_day_and_expires_the_day_after(approved, time_machine):
    at(time_machine, 2026, 6, 30)
    assert licensing.expire_licences() == 0
    assert Licence.objects.get(pk=approved.pk).status == LicenceStatus.APPROVED

    at(time_machine, 2026, 7, 1)
    assert licensing.expire_licences() == 1
    assert Licence.objects.get(pk=approved.pk).status == LicenceStatus.EXPIRED
    assert system_entries(approved, "enterprises.licence.expired") == [(None,)]


def test_the_expiry_sweep_is_idempotent(approved, time_machine):
    at(time_machine, 2026, 7, 1)
    assert licensing.expire_licences() == 1
    assert licensing.expire_licences() == 0
    assert len(system_entries(approved, "enterprises.licence.expired")) == 1


def test_only_approved_licences_expire(approved, official, time_machine):
    licensing.suspend_licence(approved, actor=official, reason="停业整顿")
    at(time_machine, 2026, 7, 1)
    assert licensing.expire_licences() == 0
    assert Licence.objects.get(pk=approved.pk).status == LicenceStatus.SUSPENDED


def test_a_renewed_licence_expires_on_its_own_date_and_the_renewal_stays(
    approved, company_a, company_a_staff, official, time_machine
):
    at(time_machine, 2026, 6, 1, hour=10)
    renewal = licensing.apply_for_licence(
        company_a, actor=company_a_staff, scope="住宅物业管理", renewal_of=approved
    )
    licensing.approve_licence(
        renewal,
        actor=official,
        valid_from=datetime.date(2026, 7, 1),
        valid_until=datetime.date(2029, 6, 30),
    )
    at(time_machine, 2026, 7, 1)
    assert licensing.expire_licences() == 1
    assert Licence.objects.get(pk=approved.pk).status == LicenceStatus.EXPIRED
    assert Licence.objects.get(pk=renewal.pk).status == LicenceStatus.APPROVED


# The 30-day expiry warning -----------------------------------------------------------------


def test_the_warning_is_sent_once_thirty_days_ahead(
    approved, company_a, time_machine, django_capture_on_commit_callbacks
):
    company_a.contact_email = "office@cuihu-wuye.example"
    company_a.save()

    at(time_machine, 2026, 5, 30)  # 31 days ahead: too early
    assert licensing.warn_expiring_licences() == 0
    assert mail.outbox == []

    at(time_machine, 2026, 5, 31)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        assert licensing.warn_expiring_licences() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["office@cuihu-wuye.example"]
    assert approved.number in message.subject and "2026-06-30" in message.subject
    assert company_a.name in message.body
    licence = Licence.objects.get(pk=approved.pk)
    assert licence.expiry_warned_at is not None
    entry = ModelLogEntry.objects.for_instance(licence).get(
        action="enterprises.licence.expiry_warned"
    )
    assert entry.user is None and entry.data["emailed_to"] == "office@cuihu-wuye.example"

    at(time_machine, 2026, 6, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert licensing.warn_expiring_licences() == 0
    assert len(mail.outbox) == 1


def test_a_company_without_an_email_address_is_marked_warned_without_mail(approved, time_machine):
    at(time_machine, 2026, 6, 15)
    assert licensing.warn_expiring_licences() == 1
    assert mail.outbox == []
    assert Licence.objects.get(pk=approved.pk).expiry_warned_at is not None
    entry = ModelLogEntry.objects.for_instance(approved).get(
        action="enterprises.licence.expiry_warned"
    )
    assert entry.data["emailed_to"] == ""


def test_a_licence_with_an_approved_renewal_is_not_warned(
    approved, company_a, company_a_staff, official, time_machine
):
    company_a.contact_email = "office@cuihu-wuye.example"
    company_a.save()
    at(time_machine, 2026, 5, 20, hour=10)
    renewal = licensing.apply_for_licence(
        company_a, actor=company_a_staff, scope="住宅物业管理", renewal_of=approved
    )
    licensing.approve_licence(
        renewal,
        actor=official,
        valid_from=datetime.date(2026, 7, 1),
        valid_until=datetime.date(2029, 6, 30),
    )
    at(time_machine, 2026, 6, 1)
    assert licensing.warn_expiring_licences() == 0
    assert mail.outbox == []


def test_a_refused_mail_stays_in_the_outbox_and_its_sweep_sends_it_once(
    approved, company_a, settings, time_machine, django_capture_on_commit_callbacks
):
    company_a.contact_email = "office@cuihu-wuye.example"
    company_a.save()
    at(time_machine, 2026, 6, 1)
    # A real SMTP connection to a closed local port: the server refuses.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with django_capture_on_commit_callbacks(execute=True):
        assert licensing.warn_expiring_licences() == 1
    assert Licence.objects.get(pk=approved.pk).expiry_warned_at is not None
    assert Notification.objects.get().sent_at is None  # refused: left for the sweep

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    at(time_machine, 2026, 6, 2)
    assert licensing.warn_expiring_licences() == 0  # warned once: not queued again
    assert send_pending_notifications.delay().get() == 1
    assert send_pending_notifications.delay().get() == 0
    assert len(mail.outbox) == 1


# Contract expiry ---------------------------------------------------------------------------


def test_a_filed_contract_expires_after_its_end_and_releases_the_estate(
    filed, estate_x, company_a, time_machine
):
    at(time_machine, 2026, 6, 30)
    assert contracts.expire_contracts() == 0
    assert Estate.objects.get(pk=estate_x.pk).managing_company == company_a

    at(time_machine, 2026, 7, 1)
    assert contracts.expire_contracts() == 1
    assert ServiceContract.objects.get(pk=filed.pk).status == ContractStatus.EXPIRED
    assert Estate.objects.get(pk=estate_x.pk).managing_company is None
    assert system_entries(filed, "enterprises.contract.expired") == [(None,)]
    assert contracts.expire_contracts() == 0


def test_only_filed_contracts_expire(company_b, company_b_staff, estate_y, time_machine):
    at(time_machine, 2026, 1, 2, hour=10)
    submitted = contracts.submit_contract(
        actor=company_b_staff,
        company=company_b,
        estate=estate_y,
        starts_on=VALID_FROM,
        ends_on=VALID_UNTIL,
        service_level="3",
        fee_per_sqm_month="1.50",
        fee_items="",
        document=contract_pdf(),
    )
    at(time_machine, 2026, 7, 1)
    assert contracts.expire_contracts() == 0
    assert ServiceContract.objects.get(pk=submitted.pk).status == ContractStatus.SUBMITTED
    assert Estate.objects.get(pk=estate_y.pk).managing_company == company_b


# The Celery tasks (eager) ------------------------------------------------------------------


def test_the_tasks_run_the_sweeps_and_a_second_delivery_does_nothing(
    approved, filed, company_a, time_machine, django_capture_on_commit_callbacks
):
    company_a.contact_email = "office@cuihu-wuye.example"
    company_a.save()
    at(time_machine, 2026, 6, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.warn_expiring_licences_task.delay().get() == 1
        assert tasks.warn_expiring_licences_task() == 0
    assert len(mail.outbox) == 1

    at(time_machine, 2026, 7, 1)
    assert tasks.expire_licences_task.delay().get() == 1
    assert tasks.expire_contracts_task.delay().get() == 1
    assert tasks.expire_licences_task() == 0
    assert tasks.expire_contracts_task() == 0
    assert Licence.objects.get(pk=approved.pk).status == LicenceStatus.EXPIRED
    assert ServiceContract.objects.get(pk=filed.pk).status == ContractStatus.EXPIRED
