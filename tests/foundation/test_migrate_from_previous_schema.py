"""A database seeded before the foundation split migrates forward with nothing lost.

The split moved districts, notifications and the audit log from the portal app to the
foundation, and staff profiles to enterprises, keeping their tables. This test takes the
code of the last commit before the split from git, seeds its demo data into a fresh
PostgreSQL database with that code, migrates the database with today's code, and compares:
rows, group and object permissions (which follow the content types), Wagtail history entries,
the audit log and its append-only trigger.
"""

import os
import subprocess
import sys
import tarfile
import uuid
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# The last commit with the models in the portal app (the schema before issue 15).
PREVIOUS_SCHEMA_COMMIT = "18d24ae"
MOVED = {
    "district": ("portal", "foundation"),
    "notification": ("portal", "foundation"),
    "auditevent": ("portal", "foundation"),
    "staffprofile": ("portal", "enterprises"),
}
TABLES = [
    "portal_district",
    "portal_notification",
    "portal_auditevent",
    "portal_staffprofile",
    "auth_group_permissions",
    "auth_user_user_permissions",
    "guardian_userobjectpermission",
    "guardian_groupobjectpermission",
    "enterprises_companyuserobjectpermission",
    "enterprises_estateuserobjectpermission",
    "cases_complaintuserobjectpermission",
    "wagtailcore_modellogentry",
    "cases_caseevent",
    "cases_complaint",
    "enterprises_company",
]

pytestmark = pytest.mark.services


def _server_url() -> str:
    url = settings.DATABASES["default"]
    if url["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("this test needs the PostgreSQL server `make test` starts")
    return f"postgresql://{url['USER']}:{url['PASSWORD']}@{url['HOST']}:{url['PORT']}"


def _database_url(name: str) -> str:
    parts = urlsplit(_server_url())
    return urlunsplit(("postgres", parts.netloc, f"/{name}", "", ""))


@pytest.fixture
def scratch_database():
    name = f"previous_schema_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_server_url() + "/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_server_url() + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def previous_code(tmp_path) -> Path:
    """The project's files at the commit before the split, read from git."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", PREVIOUS_SCHEMA_COMMIT],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert archive.returncode == 0, (
        f"git cannot read commit {PREVIOUS_SCHEMA_COMMIT} (a clone without history?): "
        + archive.stderr.decode()
    )
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path / "previous", filter="data")
    return tmp_path / "previous"


def _manage(code: Path, database: str, media: Path, *args: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "CELERY_BROKER_URL",
            "CACHE_URL",
            "ELASTICSEARCH_URL",
            "OBJECT_STORE_URL",  # the demo's upgrade: files on its local disk
            "REQUIRE_REAL_SERVICES",
            "PYTHONPATH",
        }
    }
    env |= {"DATABASE_URL": _database_url(database), "MEDIA_ROOT": str(media), "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return done.stdout


def _snapshot(database: str) -> dict:
    with psycopg.connect(_database_url(database).replace("postgres://", "postgresql://")) as db:
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        content_types = dict(
            db.execute(
                "SELECT model, app_label FROM django_content_type WHERE model = ANY(%s)",
                [list(MOVED)],
            ).fetchall()
        )
        type_ids = dict(
            db.execute(
                "SELECT model, id FROM django_content_type WHERE model = ANY(%s)", [list(MOVED)]
            ).fetchall()
        )
        group_permissions = set(
            db.execute(
                "SELECT g.name, ct.model, p.codename FROM auth_group_permissions gp "
                "JOIN auth_group g ON g.id = gp.group_id "
                "JOIN auth_permission p ON p.id = gp.permission_id "
                "JOIN django_content_type ct ON ct.id = p.content_type_id"
            ).fetchall()
        )
        history = db.execute(
            "SELECT count(*) FROM wagtailcore_modellogentry WHERE content_type_id = ANY(%s)",
            [list(type_ids.values())],
        ).fetchone()[0]
        audit = db.execute(
            "SELECT id, action, actor_id, created_at FROM portal_auditevent ORDER BY id"
        ).fetchall()
    return {
        "counts": counts,
        "content_types": content_types,
        "type_ids": type_ids,
        "group_permissions": group_permissions,
        "history_of_moved": history,
        "audit": audit,
    }


def test_demo_database_of_the_previous_schema_migrates_with_nothing_lost(
    previous_code, scratch_database, tmp_path
):
    media = tmp_path / "media"
    _manage(previous_code, scratch_database, media, "migrate", "--noinput", "-v", "0")
    _manage(previous_code, scratch_database, media, "seed_demo")
    before = _snapshot(scratch_database)
    assert before["content_types"] == {model: old for model, (old, _new) in MOVED.items()}
    assert before["counts"]["portal_staffprofile"] > 0
    assert before["counts"]["portal_auditevent"] > 0
    assert before["counts"]["portal_notification"] > 0

    _manage(ROOT, scratch_database, media, "migrate", "--noinput", "-v", "0")
    after = _snapshot(scratch_database)

    # Nothing lost, nothing changed; only sync_roles may add the permissions of models made
    # since, and each grant to a role is an audit event of its own.
    granted = {"auth_group_permissions", "portal_auditevent"}
    assert {t: n for t, n in after["counts"].items() if t not in granted} == {
        t: n for t, n in before["counts"].items() if t not in granted
    }
    assert all(after["counts"][t] >= before["counts"][t] for t in granted)
    assert after["audit"][: len(before["audit"])] == before["audit"]
    assert {row[1] for row in after["audit"][len(before["audit"]) :]} <= {
        "portal.permissions.group_permissions_added"
    }
    # The same content type rows, relabelled: permissions and history point at them still.
    assert after["content_types"] == {model: new for model, (_old, new) in MOVED.items()}
    assert after["type_ids"] == before["type_ids"]
    assert after["history_of_moved"] == before["history_of_moved"]
    # Every group keeps every permission it had (sync_roles may only add, never take away).
    assert before["group_permissions"] <= after["group_permissions"]
    assert ("administrator", "auditevent", "view_auditevent") in after["group_permissions"]

    # Today's code reads the old rows through the moved models, the scopes still hold, and
    # the audit table still refuses changes in the database itself.
    check = _manage(
        ROOT,
        scratch_database,
        media,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from enterprises.models import StaffProfile, Company\n"
        "from enterprises.permissions import visible_companies\n"
        "from foundation.models import AuditEvent, District, Notification\n"
        "from django.db import connection, transaction\n"
        "staff = StaffProfile.objects.exclude(company=None).select_related('user').first()\n"
        "print('districts', District.objects.count())\n"
        "print('profiles', StaffProfile.objects.count())\n"
        "print('events', AuditEvent.objects.count())\n"
        "print('messages', Notification.objects.count())\n"
        "print('own company', list(visible_companies(staff.user)) == [staff.company])\n"
        "try:\n"
        "    with transaction.atomic(), connection.cursor() as c:\n"
        "        c.execute('DELETE FROM portal_auditevent')\n"
        "    print('trigger missing')\n"
        "except Exception:\n"
        "    print('trigger refuses')\n",
    )
    assert f"districts {before['counts']['portal_district']}" in check
    assert f"profiles {before['counts']['portal_staffprofile']}" in check
    assert f"events {after['counts']['portal_auditevent']}" in check  # the moved rows, all read
    assert f"messages {before['counts']['portal_notification']}" in check
    assert "own company True" in check
    assert "trigger refuses" in check
