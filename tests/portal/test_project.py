"""Project-wide guarantees: roles, migrations, production settings, real services."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from foundation.roles import Role, all_role_permissions
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def run_manage(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_role_is_a_group_with_exactly_its_permissions():
    tables = all_role_permissions()
    # Each app adds its own model-wide permissions to the foundation's.
    assert "cases.view_complainant_personal_data" in tables[Role.INSPECTOR]
    assert "enterprises.change_creditpolicy" in tables[Role.ADMINISTRATOR]
    assert "foundation.view_auditevent" in tables[Role.ADMINISTRATOR]
    assert tables[Role.CITIZEN] == []
    for role, expected in tables.items():
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(expected), role
    assert {r.value for r in Role} <= set(Group.objects.values_list("name", flat=True))


def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_suite_runs_on_the_real_database_when_asked():
    if os.environ.get("REQUIRE_REAL_SERVICES") != "1":
        assert connection.vendor in {"postgresql", "sqlite"}
        return
    assert connection.vendor == "postgresql"


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="p" * 25 + "Q9#x" * 7 + "zz-_",
        SALT_KEY="production-salt-2026",
        ALLOWED_HOSTS="portal.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout


def test_production_start_without_secret_key_fails_loudly():
    result = run_manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="x.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_start_without_salt_key_fails_loudly():
    result = run_manage(
        "check", DEBUG="0", SECRET_KEY="p" * 50, SALT_KEY="", ALLOWED_HOSTS="x.example"
    )
    assert result.returncode != 0
    assert "SALT_KEY must be set" in result.stderr


def test_malformed_environment_value_fails_loudly():
    result = run_manage("check", DEBUG="maybe-later")
    assert result.returncode != 0
