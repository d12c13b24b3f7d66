"""The retention rule: a case closed longer than PERSONAL_DATA_RETENTION_DAYS ago loses its
complainant's personal data, once, and nothing else; open and recent cases keep it; the
citizen still follows the case; nobody messages an anonymised complainant."""

import datetime as dt
import io
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils.translation import gettext

from cases import clock, dispatch, merging, retention, services, workflow
from cases.models import CaseEvent, CaseStatus, Category, Complaint, ComplaintPhoto
from cases.tasks import anonymise_closed_complaints as anonymise_task
from foundation.audit import PERSONAL_DATA_ANONYMISED
from foundation.models import AuditEvent, Notification
from search import engine
from tests.images import png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NAME = "李建国"
PHONE = "13912345678"
EMAIL = "jianguo@example.net"
ID_NUMBER = "11010519491231002X"
DESCRIPTION = f"电梯停运三天。我叫{NAME}，电话{PHONE}，邮箱{EMAIL}，身份证{ID_NUMBER}。"
CLOSED_AT = dt.datetime(2024, 3, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
SECRETS = (NAME, PHONE, EMAIL, ID_NUMBER)


def file_complaint(estate, *, phone=PHONE, email=EMAIL):
    return services.submit_complaint(
        actor=None,
        category=Category.FACILITIES,
        description=DESCRIPTION,
        estate=estate,
        contact_name=NAME,
        contact_phone=phone,
        contact_email=email,
        contact_id_number=ID_NUMBER,
        address="3栋2单元1502",
    )


def resolve(complaint, official, inspector):
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    workflow.resolve_case(complaint, actor=inspector, reply=f"已修复，已电话告知{NAME}。")


def close(complaint, official):
    workflow.record_follow_up(complaint, actor=None, satisfaction="satisfied", comment="好")
    workflow.close_case(complaint, actor=official)


def at(time_machine, days: float) -> None:
    time_machine.move_to(CLOSED_AT + dt.timedelta(days=days), tick=False)


@pytest.fixture
def receipt(time_machine, estate_x, official, inspector):
    """A case closed at CLOSED_AT, with a question answered by phone number and a photo."""
    at(time_machine, -10)
    receipt = file_complaint(estate_x)
    complaint = receipt.complaint
    ComplaintPhoto.objects.create(complaint=complaint, image=png("photo.png"))
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    clock.request_information(complaint, actor=inspector, question="请提供您的联系电话。")
    clock.answer_information(complaint, answer=f"我的手机是{PHONE}，{NAME}")
    workflow.resolve_case(complaint, actor=inspector, reply=f"已修复，已电话告知{NAME}。")
    at(time_machine, 0)
    close(complaint, official)
    return receipt


def reload(complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def everything_stored(complaint) -> str:
    """Every text the database holds about the complaint, decrypted where encrypted."""
    c = reload(complaint)
    texts = [c.contact_name, c.contact_phone, c.contact_email, c.contact_id_number]
    texts += [c.description, c.public_reply]
    texts += [f"{r.question} {r.answer}" for r in c.info_requests.all()]
    texts += [str(e.data) for e in c.events.all()]
    texts += [f"{n.recipient} {n.body}" for n in Notification.objects.all()]
    return " ".join(texts)


def test_a_case_closed_729_days_ago_is_kept(time_machine, receipt):
    at(time_machine, 729)
    assert retention.anonymise_closed_complaints() == 0
    complaint = reload(receipt.complaint)
    assert complaint.anonymised_at is None
    assert (complaint.contact_phone, complaint.contact_id_number) == (PHONE, ID_NUMBER)
    assert complaint.address == "3栋2单元1502"
    assert complaint.description == DESCRIPTION


def test_a_case_closed_731_days_ago_is_anonymised(time_machine, receipt, settings):
    at(time_machine, 731)
    assert retention.anonymise_closed_complaints() == 1
    complaint = reload(receipt.complaint)
    assert complaint.anonymised_at == CLOSED_AT + dt.timedelta(days=731)
    assert (complaint.contact_name, complaint.contact_phone) == ("", "")
    assert (complaint.contact_email, complaint.contact_id_number) == ("", "")
    assert complaint.address == ""  # building and room identify the household too
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_name, contact_phone, contact_email, contact_id_number "
            "FROM cases_complaint WHERE id = %s",
            [complaint.pk],
        )
        assert cursor.fetchone() == (None, None, None, None)
    stored = everything_stored(complaint)
    for secret in SECRETS:
        assert secret not in stored
    # The facts stay readable; the evidence and the status stay.
    assert complaint.description.startswith("电梯停运三天。")
    assert "[phone]" in complaint.description and "[e-mail]" in complaint.description
    assert complaint.status == CaseStatus.CLOSED
    assert complaint.photos.count() == 1
    event = complaint.events.get(action=retention.ANONYMISED)
    assert not event.is_public
    audit = AuditEvent.objects.get(action=PERSONAL_DATA_ANONYMISED)
    assert audit.row_count == 1


def test_the_retention_period_is_a_setting(time_machine, receipt, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    at(time_machine, 31)
    assert retention.anonymise_closed_complaints() == 1


def test_open_cases_of_any_age_are_kept(time_machine, estate_x, official, inspector):
    at(time_machine, -3650)
    submitted = file_complaint(estate_x).complaint
    resolved = file_complaint(estate_x).complaint
    resolve(resolved, official, inspector)  # resolved, not yet closed
    reopened = file_complaint(estate_x).complaint
    resolve(reopened, official, inspector)
    close(reopened, official)
    workflow.reopen_case(reopened, actor=official, reason="问题复发")
    at(time_machine, 3650)
    assert retention.anonymise_closed_complaints() == 0
    for complaint in (submitted, resolved, reopened):
        assert reload(complaint).contact_phone == PHONE


def test_a_rejected_case_counts_as_closed(time_machine, estate_x, official):
    at(time_machine, 0)
    complaint = file_complaint(estate_x).complaint
    workflow.reject_case(complaint, actor=official, reason="不属于物业服务范围")
    at(time_machine, 731)
    assert retention.anonymise_closed_complaints() == 1
    assert reload(complaint).contact_phone == ""


def test_a_second_run_changes_nothing(time_machine, receipt):
    at(time_machine, 731)
    assert retention.anonymise_closed_complaints() == 1
    first = reload(receipt.complaint)
    at(time_machine, 800)
    assert retention.anonymise_closed_complaints() == 0
    second = reload(receipt.complaint)
    assert (second.updated_at, second.anonymised_at) == (first.updated_at, first.anonymised_at)
    assert second.events.filter(action=retention.ANONYMISED).count() == 1
    assert AuditEvent.objects.filter(action=PERSONAL_DATA_ANONYMISED).count() == 1


def test_batches_cover_every_case_due(time_machine, estate_x, official):
    at(time_machine, 0)
    complaints = [file_complaint(estate_x).complaint for _ in range(5)]
    for complaint in complaints:
        workflow.reject_case(complaint, actor=official, reason="重复投诉")
    at(time_machine, 731)
    batches = []
    done = retention.anonymise_closed_complaints(batch_size=2, on_batch=batches.append)
    assert (done, batches) == (5, [2, 2, 1])
    assert not retention.complaints_due().exists()


def test_the_index_is_told_when_the_text_changed(
    time_machine, receipt, search_index, django_capture_on_commit_callbacks
):
    at(time_machine, 731)
    with django_capture_on_commit_callbacks(execute=True):
        retention.anonymise_closed_complaints()
    document = search_index.get(index=engine.complaint_alias(), id=str(receipt.complaint.pk))
    description = document["_source"]["description"]
    assert description == reload(receipt.complaint).description
    assert PHONE not in description and NAME not in description


# The citizen and the messages ---------------------------------------------------------------


@pytest.fixture
def fresh_attempt_counters(settings):
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()


def test_the_tracking_page_still_opens_without_personal_data(
    client, site_pages, time_machine, receipt, fresh_attempt_counters, settings
):
    at(time_machine, 731)
    retention.anonymise_closed_complaints()
    settings.LANGUAGE_CODE = "zh-hans"  # the site's default: English lives under /en/
    response = client.post(
        "/en/track/",
        {"tracking_number": receipt.tracking_number, "access_code": receipt.access_code},
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert receipt.tracking_number in body
    assert gettext("Closed") in body
    for secret in (*SECRETS, "139****5678"):
        assert secret not in body
    assert (
        gettext("Removed: personal data is kept only for a limited time after a case is closed")
        in body
    )


def test_anonymised_complainants_are_not_messaged(time_machine, estate_x, official, inspector):
    """A follower merged into a case and the case's own complainant, both anonymised: when the
    case is reopened and resolved again, nobody is sent anything."""
    at(time_machine, -5)
    primary = file_complaint(estate_x).complaint
    follower = file_complaint(estate_x, phone="13700001111", email="follower@example.net")
    follower = follower.complaint
    workflow.accept_case(primary, actor=official)
    merging.merge_complaint(follower, into=primary, actor=official)
    resolve(primary, official, inspector)
    at(time_machine, 0)
    close(primary, official)
    at(time_machine, 731)
    assert retention.anonymise_closed_complaints() == 2
    mail.outbox.clear()
    before = Notification.objects.count()

    workflow.reopen_case(primary, actor=official, reason="问题复发")
    dispatch.dispatch_case(primary, actor=official, inspector=inspector)
    row = primary.dispatches.filter(status="awaiting_signature").get()
    dispatch.sign_dispatch(row, actor=inspector)
    workflow.resolve_case(primary, actor=inspector, reply="再次修复。")

    complainants = {PHONE, EMAIL, "13700001111", "follower@example.net", ""}
    new = Notification.objects.order_by("pk")[before:]
    staff_emails = set(get_user_model().objects.values_list("email", flat=True))
    assert {n.recipient for n in new} <= staff_emails  # the officials are told, nobody else
    assert not {n.recipient for n in new} & complainants
    assert not [m for m in mail.outbox if complainants & set(m.to)]


def test_a_merged_case_is_kept_while_its_primary_is_open(
    time_machine, estate_x, official, inspector
):
    at(time_machine, 0)
    primary = file_complaint(estate_x).complaint
    follower = file_complaint(estate_x).complaint
    workflow.accept_case(primary, actor=official)
    merging.merge_complaint(follower, into=primary, actor=official)
    at(time_machine, 1000)
    assert retention.anonymise_closed_complaints() == 0
    assert reload(follower).contact_phone == PHONE


# The beat task and the command ----------------------------------------------------------------


def test_beat_runs_the_task_daily(settings, time_machine, receipt):
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == anonymise_task.name
    ]
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {0}
    at(time_machine, 731)
    assert anonymise_task.delay().get() == 1


def test_the_command_counts_on_a_dry_run_and_then_anonymises(time_machine, receipt):
    at(time_machine, 731)
    out = io.StringIO()
    call_command("anonymise_closed_complaints", "--dry-run", stdout=out)
    assert out.getvalue().startswith("1 closed cases")
    assert reload(receipt.complaint).anonymised_at is None
    out, err = io.StringIO(), io.StringIO()
    call_command("anonymise_closed_complaints", stdout=out, stderr=err)
    assert "Anonymised 1 cases" in out.getvalue()
    assert "1/1" in err.getvalue()  # the progress bar
    assert reload(receipt.complaint).anonymised_at is not None
    assert (
        not CaseEvent.objects.filter(action=retention.ANONYMISED)
        .exclude(complaint=receipt.complaint)
        .exists()
    )
