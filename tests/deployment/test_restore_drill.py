"""The restore drill (issue 22): a seeded database and its files are backed up while the
portal runs, restored into a new PostgreSQL database and an empty file storage by the
commands an operator runs, then ``search_reindex`` and ``search_check`` find no drift and the
files open with the hashes they had. The restored database is dropped afterwards."""

import hashlib
import io
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from cases.models import Complaint, ComplaintPhoto
from cases.services import submit_complaint
from foundation.storage import PrivateObjectStorage
from portal.operations import backup as backup_module
from tests import object_store
from tests.conftest import ROOT
from tests.factories import EstateFactory

pytestmark = pytest.mark.services
DRILL = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only

COMPLAINTS = 12


def jpeg(seed: int) -> ContentFile:
    out = io.BytesIO()
    Image.new("RGB", (40 + seed, 30), (seed * 19 % 256, 80, 160)).save(out, format="JPEG")
    return ContentFile(out.getvalue(), name=f"photo-{seed}.jpg")


def database_url(name: str) -> str:
    s = connection.settings_dict
    user, password = quote(s["USER"] or "", safe=""), quote(s["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{s['HOST']}:{s['PORT']}/{name}"


def admin_sql(statement: str) -> None:
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"],
        port=s["PORT"],
        user=s["USER"],
        password=s["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(statement)


@pytest.fixture
def fresh_database():
    name = f"restore_drill_{uuid.uuid4().hex[:10]}"
    admin_sql(f'CREATE DATABASE "{name}"')
    yield name
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def drill_index_prefix(settings):
    """An index of the drill's own for the restored database, on the real node."""
    url = os.environ.get("ELASTICSEARCH_URL")
    if not url:
        pytest.fail("ELASTICSEARCH_URL is not set: run `make test`.")
    prefix = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-drill-{uuid.uuid4().hex[:8]}"
    yield prefix
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url)
    client.indices.delete(index=f"{prefix}*", ignore_unavailable=True, allow_no_indices=True)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result


def seed() -> dict[str, str]:
    """Complaints with photos, through the intake service, and a stored file no row names
    (the open data set's kind); returns each stored file's SHA-256."""
    estate = EstateFactory(name="翠湖花园")
    for i in range(COMPLAINTS):
        submit_complaint(
            actor=None,
            category="facilities",
            description=f"电梯停运第{i}天，无人维修",
            contact_phone="13812345678",
            contact_name="张三",
            estate=estate,
            estate_name=estate.name,
            photos=[jpeg(i), jpeg(i + 50)] if i % 3 else [jpeg(i)],
        )
    default_storage.save("opendata/complaints.csv", ContentFile(b"id,category\n1,facilities\n"))
    hashes = {}
    for name in backup_module.stored_names(default_storage):
        with default_storage.open(name, "rb") as handle:
            hashes[name] = hashlib.sha256(handle.read()).hexdigest()
    return hashes


REINDEX_AND_CHECK = """
from django.core.management import CommandError, call_command
call_command("search_reindex")
call_command("search_check")
"""


@pytest.fixture
def backed_up(tmp_path, settings):
    """The seeded world and its backup, taken with the operator's command."""
    settings.ELASTICSEARCH_URL = ""  # the seed writes nothing to the session's index
    originals = seed()
    target = tmp_path / "backup"
    call_command("backup_portal", str(target), stdout=io.StringIO())
    return originals, target


def restored_storage(media: Path, prefix: str):
    """Where the restore wrote: the bucket's fresh folder, or the fresh media folder."""
    if not prefix:
        return FileSystemStorage(location=media)
    options = {**settings.STORAGES["default"]["OPTIONS"], "location": prefix}
    return PrivateObjectStorage(**options)


@DRILL
def test_backup_restores_into_fresh_database_and_storage(
    tmp_path, backed_up, fresh_database, drill_index_prefix
):
    originals, target = backed_up
    photos = ComplaintPhoto.objects.count()
    assert len(originals) == photos + 1
    summary = json.loads((target / backup_module.SUMMARY).read_text())
    assert summary["files"]["count"] == len(originals)
    manifest = {e["name"]: e for e in backup_module.read_manifest(target)}
    assert {n: e["sha256"] for n, e in manifest.items()} == originals

    # The portal keeps running after the backup: a complaint filed now is not in it.
    submit_complaint(
        actor=None,
        category="fees",
        description="备份之后的投诉",
        contact_phone="13800000000",
        estate_name="锦绣苑",
    )

    restored_media = tmp_path / "restored-media"
    env = {
        "DATABASE_URL": database_url(fresh_database),
        "MEDIA_ROOT": str(restored_media),
        "ELASTICSEARCH_INDEX_PREFIX": drill_index_prefix,
        "CELERY_BROKER_URL": "",  # nothing of the drill reaches the real queue
    }
    restored_prefix = ""
    if object_store.configured():  # `make test`: a fresh folder of the bucket
        restored_prefix = f"{os.environ['OBJECT_STORE_PREFIX']}/restored-{uuid.uuid4().hex[:8]}"
        env["OBJECT_STORE_PREFIX"] = restored_prefix
    result = manage("restore_portal", str(target), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert gettext("Every file the database names is in the storage.") in result.stdout
    result = manage("shell", "-c", REINDEX_AND_CHECK, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert gettext("The search index matches the database.") in result.stdout

    with psycopg.connect(database_url(fresh_database)) as conn:
        restored = conn.execute("SELECT count(*) FROM cases_complaint").fetchone()[0]
        names = [r[0] for r in conn.execute("SELECT image FROM cases_complaintphoto")]
    assert restored == COMPLAINTS == Complaint.objects.count() - 1
    assert len(names) == photos
    storage = restored_storage(restored_media, restored_prefix)
    for name in sorted(names)[::3] + ["opendata/complaints.csv"]:
        with storage.open(name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == originals[name], name


@DRILL
def test_what_a_restore_and_a_backup_refuse(backed_up, media_root):
    translation.activate("en")  # the messages are matched in English
    _originals, target = backed_up
    restored = media_root.parent / "restored"
    storage = FileSystemStorage(location=restored)
    # Over a database in use (this one): refused, after the backup was checked.
    with pytest.raises(backup_module.BackupError, match="is not empty"):
        backup_module.restore(target, storage=storage)
    assert Complaint.objects.count() == COMPLAINTS
    # A damaged file: refused before anything is written anywhere.
    victim = next(backup_module.read_manifest(target))["name"]
    path = target / backup_module.FILES / victim
    path.write_bytes(path.read_bytes()[:-1] + b"X")
    with pytest.raises(backup_module.BackupError, match="SHA-256 does not match the manifest"):
        backup_module.restore(target, storage=storage)
    assert not restored.exists()
    # A backup goes into a new folder, never over an older backup.
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup_portal", str(target), stdout=io.StringIO())


@pytest.mark.parametrize("name", ["../outside.txt", "/etc/passwd", "a/../../b"])
def test_a_stored_name_that_would_leave_the_folder_is_refused(tmp_path, name):
    translation.activate("en")
    with pytest.raises(backup_module.BackupError, match="would leave the backup folder"):
        backup_module._local_path(tmp_path, name)


@pytest.mark.django_db
def test_a_backup_links_the_files_unchanged_since_the_previous_one(tmp_path):
    default_storage.save("letters/a.pdf", ContentFile(b"%PDF-a"))
    default_storage.save("opendata/set.csv", ContentFile(b"id\n1\n"))
    if object_store.configured():
        time.sleep(1.1)  # the store's times are whole seconds: older than the backup's second
    first, second = tmp_path / "first", tmp_path / "second"
    backup_module.backup(first)
    # After it: a new file, and the open data set rewritten under its name (same size).
    default_storage.save("letters/c.pdf", ContentFile(b"%PDF-c"))
    default_storage.delete("opendata/set.csv")
    default_storage.save("opendata/set.csv", ContentFile(b"id\n2\n"))

    summary = backup_module.backup(second, previous=first)

    def inode(root, name):
        return (root / backup_module.FILES / name).stat().st_ino

    assert inode(second, "letters/a.pdf") == inode(first, "letters/a.pdf")
    assert inode(second, "opendata/set.csv") != inode(first, "opendata/set.csv")
    assert (second / backup_module.FILES / "opendata/set.csv").read_bytes() == b"id\n2\n"
    assert summary["files"]["count"] == 3
    backup_module.verify(second)  # every hash in its manifest matches its files
