"""The daily open data set of complaints (投诉开放数据).

Once a day (``cases.opendata_tasks``, or ``manage.py build_open_data``) every complaint
submitted in the 365 whole days before the build day that the regulator took up — accepted or
later, and the rejected ones with their status — is written de-identified to the default
storage under ``opendata/``: ``complaints.json``, ``complaints.csv`` (UTF-8 with a BOM, so
Excel reads the Chinese) and ``metadata.json``.

What a record holds is what the public may know about a case: an opaque id (an HMAC of the
primary key, so a record can be followed from one day to the next without revealing the
tracking number), category, tier, district, estate and company (public places and registered
firms), the month (not the moment: with the estate, an exact time could point to a person),
status, whether it was resolved in time, satisfaction, the channel it came by (never the
partner or the member of staff who registered it), and the narrative only where the
complainant consented, through ``cases.deidentify``. Never contact data, the building or room,
staff names, the tracking number or the access code.

Rows are streamed (a server-side cursor in chunks) into temporary files, saved under dated
names (``complaints-2026-11-30.json``), then copied over the stable names with an atomic
rename where the storage is a file system, data files first and ``metadata.json`` last, so a
reader never finds metadata announcing files that are not there yet. The build covers whole
days up to the start of the build day: two builds on one day give the same records.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from cases import deidentify
from cases.metrics import RESOLVED
from cases.models import (
    CaseEvent,
    CaseStatus,
    Category,
    Channel,
    Complaint,
    Satisfaction,
    Tier,
)

DIRECTORY = "opendata"
JSON_NAME, CSV_NAME, METADATA_NAME = "complaints.json", "complaints.csv", "metadata.json"
STABLE_NAMES = (JSON_NAME, CSV_NAME, METADATA_NAME)
CONTENT_TYPES = {
    JSON_NAME: "application/json; charset=utf-8",
    CSV_NAME: "text/csv; charset=utf-8",
    METADATA_NAME: "application/json; charset=utf-8",
}
PERIOD_DAYS = 365
CHUNK_SIZE = 2000
KEEP_RELEASES = 7  # dated copies kept for people who compare days; older ones are deleted
TASK_NAME = "cases.opendata_tasks.build_open_data_task"
DEFAULT_BUILD_TIME = dt.time(3, 30)  # when beat has no entry for the task (the demo)

FIELDS = (
    ("id", _("Opaque record identifier; stays the same from one day to the next.")),
    ("category", _("Category code.")),
    ("category_label", _("Category.")),
    ("tier", _("Severity tier code.")),
    ("tier_label", _("Severity tier.")),
    ("district", _("District.")),
    ("estate", _("Estate (residential compound) the complaint is about.")),
    ("company", _("Property-management company of the estate.")),
    ("month", _("Month the complaint was submitted (YYYY-MM, local time).")),
    ("status", _("Status code.")),
    ("status_label", _("Status.")),
    (
        "resolved_on_time",
        _(
            "true: resolved within its time limit; false: resolved late, or still open past "
            "its time limit; empty: not judged yet (open within its time, rejected or merged)."
        ),
    ),
    ("satisfaction", _("Satisfaction code from the follow-up call; empty if none.")),
    ("satisfaction_label", _("Satisfaction from the follow-up call.")),
    (
        "description",
        _("The complaint in the citizen's words, de-identified; empty unless they consented."),
    ),
    # Added later: at the end, so readers of the columns by position keep working.
    ("channel", _("Channel code: how the complaint reached the regulator (web, hotline, …).")),
    ("channel_label", _("Channel.")),
)
FIELD_NAMES = [name for name, _description in FIELDS]
LICENCE = _(
    "Free to reuse, also commercially, with attribution to the housing regulator. Do not try "
    "to identify the people behind a record."
)
_DATED = re.compile(r"^(?:complaints|metadata)-(\d{4}-\d{2}-\d{2})\.(?:json|csv)$")


@dataclass(frozen=True)
class OpenDataRelease:
    """One build: when, what period (first and last day included), how many records, and the
    storage names of its dated files."""

    generated_at: dt.datetime
    first_day: dt.date
    last_day: dt.date
    records: int
    files: dict[str, str]


# The records -------------------------------------------------------------------------------


def period(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in local time: the PERIOD_DAYS whole days before ``today``."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(today - dt.timedelta(days=PERIOD_DAYS), dt.time.min, tz)
    return start, dt.datetime.combine(today, dt.time.min, tz)


def published_complaints(start: dt.datetime, end: dt.datetime) -> QuerySet[Complaint]:
    """The complaints a release holds, with only the columns a record reads (no contact
    phone or e-mail, no address, no tracking number is even loaded)."""
    first_resolution = (
        CaseEvent.objects.filter(complaint=OuterRef("pk"), action=RESOLVED)
        .order_by("timestamp")
        .values("timestamp")[:1]
    )
    return (
        Complaint.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(status=CaseStatus.SUBMITTED)
        .select_related("district", "estate", "company")
        .only(
            "pk",
            "category",
            "tier",
            "status",
            "satisfaction",
            "channel",
            "created_at",
            "resolve_due_at",
            "consent_to_publish",
            "description",
            "contact_name",
            "estate_name",
            "district__name",
            "estate__name",
            "company__name",
            "company__legal_representative",
            "company__contact_name",
        )
        .annotate(first_resolved_at=Subquery(first_resolution))
        .order_by("created_at", "pk")
    )


def opaque_id(pk: int) -> str:
    """A stable id that reveals neither the tracking number nor how many complaints exist."""
    return salted_hmac("cases.opendata.record", str(pk), algorithm="sha256").hexdigest()[:16]


def resolved_on_time(complaint: Complaint, as_of: dt.datetime) -> bool | None:
    """As in ``cases.metrics``: judged by the first resolution; an open case already past its
    time limit is late; anything else is not judged yet."""
    resolved_at = getattr(complaint, "first_resolved_at", None)
    due = complaint.resolve_due_at
    if due is None:
        return None
    if resolved_at is not None:
        return resolved_at <= due
    if complaint.status in (CaseStatus.REJECTED, CaseStatus.MERGED, CaseStatus.TRANSFERRED):
        return None
    return False if due < as_of else None


def _label(choices, value: str) -> str | None:
    return str(choices(value).label) if value in choices.values else None


def record(complaint: Complaint, as_of: dt.datetime) -> dict:
    """One complaint as a public record (see FIELDS)."""
    estate = complaint.estate
    names = deidentify.complaint_names(complaint)
    return {
        "id": opaque_id(complaint.pk),
        "category": complaint.category,
        "category_label": _label(Category, complaint.category),
        "tier": complaint.tier,
        "tier_label": _label(Tier, complaint.tier),
        "district": complaint.district.name if complaint.district else None,
        # A linked estate by its register name; a typed one may hold a room: de-identified.
        "estate": estate.name
        if estate
        else deidentify.public_text(complaint.estate_name, names=names),
        "company": complaint.company.name if complaint.company else None,
        "month": timezone.localtime(complaint.created_at).strftime("%Y-%m"),
        "status": complaint.status,
        "status_label": _label(CaseStatus, complaint.status),
        "resolved_on_time": resolved_on_time(complaint, as_of),
        "satisfaction": complaint.satisfaction or None,
        "satisfaction_label": _label(Satisfaction, complaint.satisfaction),
        "description": deidentify.public_description(complaint) or None,
        # The channel only: never which partner system or member of staff.
        "channel": complaint.channel,
        "channel_label": _label(Channel, complaint.channel),
    }


def records(start: dt.datetime, end: dt.datetime) -> Iterator[dict]:
    """The release's records, streamed: a server-side cursor read CHUNK_SIZE rows at a time."""
    for complaint in published_complaints(start, end).iterator(chunk_size=CHUNK_SIZE):
        yield record(complaint, end)


# Writing the files -------------------------------------------------------------------------


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_data(
    rows: Iterator[dict], json_file, csv_file, progress: Callable[[int], None] | None
) -> int:
    """Both data files in one pass over the rows; returns the number of records."""
    json_text = io.TextIOWrapper(json_file, encoding="utf-8", newline="\n")
    csv_text = io.TextIOWrapper(csv_file, encoding="utf-8-sig", newline="")
    writer = csv.writer(csv_text)
    writer.writerow(FIELD_NAMES)
    json_text.write("[")
    count = 0
    for row in rows:
        json_text.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
        writer.writerow([_csv_value(row[name]) for name in FIELD_NAMES])
        count += 1
        if progress and count % CHUNK_SIZE == 0:
            progress(CHUNK_SIZE)
    json_text.write("\n]\n")
    if progress and count % CHUNK_SIZE:
        progress(count % CHUNK_SIZE)
    for wrapper in (json_text, csv_text):
        wrapper.flush()
        wrapper.detach()  # the temporary file stays open for the storage to read
    return count


def _file_facts(fileobj) -> dict:
    fileobj.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: fileobj.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return {"bytes": size, "sha256": digest.hexdigest()}


def _in_every_language(text) -> dict[str, str]:
    result = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            result[code] = str(text)
    return result


def _metadata(release: OpenDataRelease, facts: dict[str, dict]) -> dict:
    return {
        "title": _in_every_language(_("Complaints about property management")),
        "generated_at": release.generated_at.isoformat(timespec="seconds"),
        "period": {
            "first_day": release.first_day.isoformat(),
            "last_day": release.last_day.isoformat(),
        },
        "records": release.records,
        "files": {
            name: {"dated_name": os.path.basename(release.files[name]), **facts[name]}
            for name in (JSON_NAME, CSV_NAME)
        },
        "fields": [
            {"name": name, "description": _in_every_language(text)} for name, text in FIELDS
        ],
        "licence": _in_every_language(LICENCE),
        "deidentification": {
            "rules": [_in_every_language(rule) for rule in deidentify.RULES],
            "limits": [_in_every_language(limit) for limit in deidentify.LIMITS],
        },
    }


def stable_path(name: str) -> str:
    return f"{DIRECTORY}/{name}"


def _dated_path(name: str, day: dt.date) -> str:
    stem, extension = name.rsplit(".", 1)
    return f"{DIRECTORY}/{stem}-{day.isoformat()}.{extension}"


def _save(storage: Storage, path: str, content) -> str:
    if storage.exists(path):  # a second build the same day replaces the first
        storage.delete(path)
    return storage.save(path, content)


def _publish(storage: Storage, dated: str, stable: str) -> None:
    """Put the dated file under its stable name, atomically on a file system (a reader gets
    the old or the new file, never half of one)."""
    try:
        source, target = storage.path(dated), storage.path(stable)
    except NotImplementedError:  # an object store: one upload replaces the object
        with storage.open(dated, "rb") as content:
            _save(storage, stable, content)
        return
    partial = f"{target}.{os.getpid()}.partial"
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def _prune(storage: Storage) -> None:
    """Delete the dated files of all but the KEEP_RELEASES newest build days."""
    _dirs, files = storage.listdir(DIRECTORY)
    days = sorted({m[1] for m in map(_DATED.match, files) if m}, reverse=True)
    for name in files:
        match = _DATED.match(name)
        if match and match[1] not in days[:KEEP_RELEASES]:
            storage.delete(f"{DIRECTORY}/{name}")


def build_dataset(
    today: dt.date | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    storage: Storage | None = None,
) -> OpenDataRelease:
    """Build and publish the release of ``today`` (default: the local date)."""
    storage = storage or default_storage
    today = today or timezone.localdate()
    start, end = period(today)
    generated_at = timezone.localtime()
    files = {name: _dated_path(name, today) for name in STABLE_NAMES}
    # Labels and placeholders in the site's main language, whoever runs the build.
    with (
        translation.override(settings.LANGUAGE_CODE),
        tempfile.TemporaryFile() as json_file,
        tempfile.TemporaryFile() as csv_file,
    ):
        count = _write_data(records(start, end), json_file, csv_file, progress)
        facts = {JSON_NAME: _file_facts(json_file), CSV_NAME: _file_facts(csv_file)}
        release = OpenDataRelease(
            generated_at=generated_at,
            first_day=start.date(),
            last_day=today - dt.timedelta(days=1),
            records=count,
            files=files,
        )
        files[JSON_NAME] = _save(storage, files[JSON_NAME], File(json_file))
        files[CSV_NAME] = _save(storage, files[CSV_NAME], File(csv_file))
        metadata = json.dumps(_metadata(release, facts), ensure_ascii=False, indent=2)
    files[METADATA_NAME] = _save(storage, files[METADATA_NAME], ContentFile(metadata.encode()))
    for name in STABLE_NAMES:  # metadata.json last
        _publish(storage, files[name], stable_path(name))
    _prune(storage)
    return release


# Reading the published release (the open data page) ----------------------------------------


def current_metadata(storage: Storage | None = None) -> dict | None:
    """The published ``metadata.json``, or None before the first build."""
    storage = storage or default_storage
    try:
        with storage.open(stable_path(METADATA_NAME), "rb") as content:
            return json.loads(content.read().decode("utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def published_files(storage: Storage | None = None) -> list[dict]:
    """The stable files as they are now: ``name``, ``bytes``, ``modified`` (missing ones are
    left out)."""
    storage = storage or default_storage
    found = []
    for name in STABLE_NAMES:
        path = stable_path(name)
        try:
            found.append(
                {
                    "name": name,
                    "bytes": storage.size(path),
                    "modified": storage.get_modified_time(path),
                }
            )
        except FileNotFoundError:
            continue
    return found


def build_time() -> dt.time:
    """The daily time beat runs the build, read from CELERY_BEAT_SCHEDULE's crontab for the
    task (one hour and one minute), else DEFAULT_BUILD_TIME."""
    for entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).values():
        schedule = entry.get("schedule")
        hours, minutes = getattr(schedule, "hour", ()), getattr(schedule, "minute", ())
        if entry.get("task") == TASK_NAME and len(hours) == 1 and len(minutes) == 1:
            return dt.time(next(iter(hours)), next(iter(minutes)))
    return DEFAULT_BUILD_TIME


def next_build_at(now: dt.datetime | None = None) -> dt.datetime:
    """When the next daily build runs, in local time."""
    now = timezone.localtime(now)
    candidate = dt.datetime.combine(now.date(), build_time(), now.tzinfo)
    return candidate if candidate > now else candidate + dt.timedelta(days=1)
