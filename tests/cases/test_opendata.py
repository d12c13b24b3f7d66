"""The daily open data set: which complaints it holds, what a record says, that no personal
data reaches any file (with and without consent), that JSON, CSV and metadata agree, that a
build replaces the previous one, and that a large build streams in a bounded number of
queries."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from cases import dispatch, opendata, workflow
from cases.models import CaseStatus, Category, Channel, Complaint, Satisfaction, Tier
from cases.opendata_tasks import LOCK_KEY, build_open_data_task
from cases.services import submit_complaint

pytestmark = pytest.mark.django_db

# Two days ahead: today's complaints are in, even when a test runs across midnight.
BUILD_DAY = timezone.localdate() + dt.timedelta(days=2)
PHONE = "13812345678"
ID_NUMBER = "110101199003071234"
EMAIL = "li.jianguo88@example.com"
ADVERSARIAL = (
    "我叫王小明，电话13812345678，也可以打138 1234 5678，身份证110101199003071234，"
    "邮箱li.jianguo88@example.com。住3号楼2单元501室，张女士也是受害者。"
    "李建国和赵大海都知道，电梯停运三天"
)
FORBIDDEN = [
    PHONE,
    "138 1234 5678",
    ID_NUMBER,
    EMAIL,
    "li.jianguo88",
    "王小明",
    "张女士",
    "李建国",  # the complainant
    "赵大海",  # the company's legal representative
    "钱小红",  # the company's contact person
    "3号楼2单元501室",
    "2单元501",
    "501室",
    "13900001111",  # contact phone
    "jianguo@example.net",  # contact e-mail
    "7栋702",  # address field
    "inspector",  # staff
]


def squashed(text: str) -> str:
    return re.sub(r"[\s\-]", "", text)


def file_text(path: str) -> str:
    with default_storage.open(path, "rb") as content:
        return content.read().decode("utf-8-sig")


def every_file() -> dict[str, str]:
    _dirs, names = default_storage.listdir(opendata.DIRECTORY)
    return {name: file_text(f"{opendata.DIRECTORY}/{name}") for name in names}


@pytest.fixture
def people(company_a):
    company_a.legal_representative = "赵大海"
    company_a.contact_name = "钱小红"
    company_a.save()
    return company_a


@pytest.fixture
def complaints(people, estate_x, admin, inspector):
    """One complaint in each situation the data set must tell apart, with their receipts."""

    def submit(description=ADVERSARIAL, *, consent=True, estate=estate_x, **extra):
        return submit_complaint(
            actor=None,
            category="facilities",
            description=description,
            contact_name="李建国",
            contact_phone="13900001111",
            contact_email="jianguo@example.net",
            address="7栋702",
            estate=estate,
            estate_name="" if estate else "幸福小区5栋501室",
            consent_to_publish=consent,
            **extra,
        )

    receipts = {
        "consented": submit(),
        "not_consented": submit(ADVERSARIAL + "，水管爆裂无人管", consent=False),
        "resolved": submit(),
        "rejected": submit(),
        "waiting": submit(),
        "old": submit(),
        # No estate, so no company: the register's names are not known for it.
        "typed_estate": submit(ADVERSARIAL.replace("和赵大海", ""), estate=None),
    }
    cases = {key: receipt.complaint for key, receipt in receipts.items()}
    for key in ("consented", "not_consented", "old", "typed_estate"):
        workflow.accept_case(cases[key], actor=admin)
    resolved = cases["resolved"]
    workflow.accept_case(resolved, actor=admin)
    dispatch.dispatch_case(resolved, actor=admin, inspector=inspector)
    dispatch.sign_dispatch(resolved.dispatches.get(), actor=inspector)
    workflow.resolve_case(resolved, actor=admin, reply="已修复")
    workflow.record_follow_up(resolved, actor=None, satisfaction="satisfied")
    workflow.reject_case(cases["rejected"], actor=admin, reason="不属于物业服务范围")
    # Test data: one complaint submitted before the period; one open case past its limit.
    Complaint.objects.filter(pk=cases["old"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=opendata.PERIOD_DAYS + 2)
    )
    Complaint.objects.filter(pk=cases["consented"].pk).update(
        resolve_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    for complaint in cases.values():
        complaint.refresh_from_db()
    return {"cases": cases, "receipts": receipts}


def build() -> opendata.OpenDataRelease:
    return opendata.build_dataset(BUILD_DAY)


def by_id(records: list[dict]) -> dict[str, dict]:
    return {record["id"]: record for record in records}


def test_the_data_set_holds_the_complaints_taken_up_in_the_last_year(complaints):
    release = build()
    records = json.loads(file_text("opendata/complaints.json"))
    cases = complaints["cases"]
    expected = ["consented", "not_consented", "resolved", "rejected", "typed_estate"]
    assert {r["id"] for r in records} == {opendata.opaque_id(cases[k].pk) for k in expected}
    assert release.records == len(records) == 5
    statuses = {r["id"]: r["status"] for r in records}
    assert statuses[opendata.opaque_id(cases["rejected"].pk)] == CaseStatus.REJECTED


def test_a_record_holds_the_public_fields(complaints):
    build()
    records = by_id(json.loads(file_text("opendata/complaints.json")))
    cases = complaints["cases"]
    resolved = records[opendata.opaque_id(cases["resolved"].pk)]
    assert list(resolved) == opendata.FIELD_NAMES
    with translation.override(settings.LANGUAGE_CODE):  # labels in the site's language
        labels = [str(Category.FACILITIES.label), str(Tier.GENERAL.label)]
        labels += [str(CaseStatus.FOLLOWED_UP.label), str(Satisfaction.SATISFIED.label)]
        labels += [str(Channel.WEB.label)]
    assert [resolved[key] for key in opendata.FIELD_NAMES[1:]] == [
        "facilities",
        labels[0],
        "general",
        labels[1],
        "东湖区",
        "翠湖花园",
        cases["resolved"].company.name,
        timezone.localtime(cases["resolved"].created_at).strftime("%Y-%m"),
        "followed_up",
        labels[2],
        True,
        "satisfied",
        labels[3],
        records[opendata.opaque_id(cases["consented"].pk)]["description"],  # same narrative
        "web",
        labels[4],
    ]
    assert records[opendata.opaque_id(cases["consented"].pk)]["resolved_on_time"] is False
    assert records[opendata.opaque_id(cases["rejected"].pk)]["resolved_on_time"] is None
    # A typed estate name is free text: its room goes too.
    typed = records[opendata.opaque_id(cases["typed_estate"].pk)]
    assert typed["estate"].startswith("幸福小区") and "501" not in typed["estate"]


def test_the_id_is_stable_and_not_the_tracking_number(complaints):
    complaint = complaints["cases"]["consented"]
    assert opendata.opaque_id(complaint.pk) == opendata.opaque_id(complaint.pk)
    assert opendata.opaque_id(complaint.pk) != opendata.opaque_id(complaint.pk + 1)
    assert re.fullmatch(r"[0-9a-f]{16}", opendata.opaque_id(complaint.pk))
    assert str(complaint.pk) != opendata.opaque_id(complaint.pk)


def test_no_personal_data_reaches_any_file(complaints):
    build()
    files = every_file()
    assert len(files) == 6  # three stable names and their dated copies
    secrets = [
        *FORBIDDEN,
        *(r.tracking_number for r in complaints["receipts"].values()),
        *(r.access_code for r in complaints["receipts"].values()),
        *(c.access_code_digest for c in complaints["cases"].values()),
    ]
    for name, text in files.items():
        for secret in secrets:
            assert secret not in text, (name, secret)
            assert squashed(secret) not in squashed(text), (name, secret)
    for name in ("complaints.json", "complaints.csv"):
        # Months only: no date and time of anything in the records.
        assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", files[name]), name


def test_with_consent_the_narrative_is_published_de_identified(complaints):
    build()
    records = by_id(json.loads(file_text("opendata/complaints.json")))
    description = records[opendata.opaque_id(complaints["cases"]["consented"].pk)]["description"]
    assert description.endswith("电梯停运三天")
    assert "[" in description  # placeholders keep it readable


def test_without_consent_there_is_no_narrative_at_all(complaints):
    build()
    records = by_id(json.loads(file_text("opendata/complaints.json")))
    assert (
        records[opendata.opaque_id(complaints["cases"]["not_consented"].pk)]["description"] is None
    )
    for text in every_file().values():
        assert "水管爆裂" not in text


def test_json_and_csv_hold_the_same_records(complaints):
    build()
    with default_storage.open("opendata/complaints.csv", "rb") as content:
        raw = content.read()
    assert raw.startswith("\ufeff".encode())  # the BOM Excel needs for UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    records = json.loads(file_text("opendata/complaints.json"))
    assert rows == [
        {name: opendata._csv_value(record[name]) for name in opendata.FIELD_NAMES}
        for record in records
    ]


def test_metadata_states_when_what_and_how(complaints):
    before = timezone.now()
    release = build()
    metadata = json.loads(file_text("opendata/metadata.json"))
    generated = dt.datetime.fromisoformat(metadata["generated_at"])
    assert before - dt.timedelta(seconds=1) <= generated <= timezone.now()
    assert metadata["records"] == release.records == 5
    assert metadata["period"] == {
        "first_day": (BUILD_DAY - dt.timedelta(days=365)).isoformat(),
        "last_day": (BUILD_DAY - dt.timedelta(days=1)).isoformat(),
    }
    assert [field["name"] for field in metadata["fields"]] == opendata.FIELD_NAMES
    assert metadata["fields"][0]["description"]["en"].startswith("Opaque")
    assert metadata["deidentification"]["rules"] and metadata["licence"]["en"]
    dated = metadata["files"]["complaints.json"]
    assert dated["dated_name"] == f"complaints-{BUILD_DAY}.json"
    assert dated["bytes"] == default_storage.size("opendata/complaints.json")


def test_a_build_before_anything_was_taken_up_is_empty_but_valid(db):
    release = build()
    assert release.records == 0
    assert json.loads(file_text("opendata/complaints.json")) == []
    assert file_text("opendata/complaints.csv").splitlines() == [",".join(opendata.FIELD_NAMES)]


def test_a_second_build_replaces_the_first_and_old_days_are_pruned(complaints):
    build()
    Complaint.objects.filter(pk=complaints["cases"]["typed_estate"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    release = build()  # the same day again: replaced, no "complaints-…_a1b2c3d.json" copies
    assert release.records == 4
    assert len(json.loads(file_text("opendata/complaints.json"))) == 4
    dated = [f"complaints-{BUILD_DAY}.json", f"complaints-{BUILD_DAY}.csv"]
    assert sorted(every_file()) == sorted(
        [*opendata.STABLE_NAMES, *dated, f"metadata-{BUILD_DAY}.json"]
    )
    for days in range(1, opendata.KEEP_RELEASES + 2):
        opendata.build_dataset(BUILD_DAY + dt.timedelta(days=days))
    dated_days = {re.search(r"\d{4}-\d{2}-\d{2}", n)[0] for n in every_file() if "-" in n}
    assert len(dated_days) == opendata.KEEP_RELEASES
    assert str(BUILD_DAY) not in dated_days


def test_a_large_build_streams_in_a_bounded_number_of_queries(
    estate_x, django_assert_max_num_queries
):
    Complaint.objects.bulk_create(
        Complaint(
            tracking_number=f"WY20261130{n:06d}",
            access_code_digest="0" * 64,
            status=CaseStatus.ACCEPTED,
            category="facilities",
            estate=estate_x,
            estate_name=estate_x.name,
            district_id=estate_x.district_id,
            company_id=estate_x.managing_company_id,
            description=f"电梯停运，电话138{n:08d}",
            contact_name="李建国",
            contact_phone="13900001111",
            consent_to_publish=n % 2 == 0,
            resolve_due_at=timezone.now() + dt.timedelta(days=3),
        )
        for n in range(2000)
    )
    with django_assert_max_num_queries(3):
        release = build()
    assert release.records == 2000
    text = file_text("opendata/complaints.json")
    assert len(json.loads(text)) == 2000
    assert "13800000042" not in text


def test_the_command_builds_the_data_set(complaints, capsys):
    call_command("build_open_data", "--date", BUILD_DAY.isoformat(), verbosity=0)
    assert len(json.loads(file_text("opendata/complaints.json"))) == 5
    assert "5 records" in capsys.readouterr().out


def test_the_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError):
        call_command("build_open_data", "--date", "30.11.2026")


def test_the_task_builds_once_at_a_time(complaints, time_machine):
    time_machine.move_to(
        dt.datetime.combine(BUILD_DAY, dt.time(3, 30), timezone.get_current_timezone())
    )
    cache.delete(LOCK_KEY)
    assert build_open_data_task.apply().get() == 5
    assert cache.get(LOCK_KEY) is None  # released
    cache.add(LOCK_KEY, "1", timeout=60)
    try:
        assert build_open_data_task.apply().get() is None  # another build holds the lock
    finally:
        cache.delete(LOCK_KEY)
