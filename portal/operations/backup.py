"""Backup and restore of the database and the stored files, consistent with each other.

Order, and why it is consistent: first ``pg_dump`` (one snapshot of the whole database, taken
in a single repeatable-read transaction while the portal keeps running), then every file of
Django's storage (local disk or the object store alike: only the storage API is used). A file
is written to the storage before the row naming it commits, and stored files are never
rewritten in place (uploads get new names), so every file the dump names already exists when
the copy starts, and is copied. Files added after the snapshot are copied too and are harmless
(no row names them). The one exception is a file deleted between the dump and its copy: a
monthly report asked for again in those seconds (the new one gets a new name, the old file
goes). The restore lists any file a restored row names but the backup lacks.

A backup is a directory: ``database.dump`` (``pg_dump --format=custom``), ``files/`` (the
stored files under their storage names), ``files.jsonl`` (the manifest: one line per file
with its name, size and SHA-256) and ``backup.json`` (what, when, sizes and the dump's
SHA-256). The restore checks every hash before it writes anything to the storage.
"""

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.db.models import FileField
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
DUMP = "database.dump"
FILES = "files"
MANIFEST = "files.jsonl"
SUMMARY = "backup.json"
CHUNK = 1024 * 1024
# Written and renamed at once by the open data build (cases.opendata): never a stored file.
TRANSIENT_SUFFIXES = (".partial",)


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


@dataclass
class RestoreReport:
    files: int = 0
    bytes: int = 0
    already_there: int = 0
    missing_references: list[str] = field(default_factory=list)


# Where things are -----------------------------------------------------------------------


def _postgres_environment(alias: str = "default") -> dict[str, str]:
    """libpq's variables for pg_dump and pg_restore: nothing on the command line, where
    ``ps`` would show the password."""
    settings_dict = connections[alias].settings_dict
    if settings_dict["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(_("Backup and restore need PostgreSQL (DATABASE_URL=postgres://…)."))
    values = {
        "PGHOST": settings_dict.get("HOST") or "",
        "PGPORT": str(settings_dict.get("PORT") or ""),
        "PGUSER": settings_dict.get("USER") or "",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        "PGDATABASE": settings_dict["NAME"],
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode", ""),
    }
    return {**os.environ, **{k: v for k, v in values.items() if v}}


def file_fields() -> Iterator[tuple[type, FileField]]:
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, FileField):
                yield model, model_field


def check_one_storage(storage: Storage) -> None:
    """Every file field must keep its files in the storage backed up: a field given a storage
    of its own would otherwise be left out without a word."""
    for model, model_field in file_fields():
        if model_field.storage is not storage and model_field.storage is not default_storage:
            raise BackupError(
                _("%(field)s uses a storage of its own; backup_portal copies only the default.")
                % {"field": f"{model._meta.label}.{model_field.name}"}
            )


def stored_names(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file in the storage, depth first, through ``listdir`` (an object store lists
    by prefix)."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # a local storage nothing was ever written to
        return
    for name in sorted(files):
        if not name.endswith(TRANSIENT_SUFFIXES):
            yield f"{directory}/{name}" if directory else name
    for sub in sorted(directories):
        yield from stored_names(storage, f"{directory}/{sub}" if directory else sub)


def _local_path(root: Path, name: str) -> Path:
    """The backup's copy of stored file ``name``; a name that would leave the folder (an
    object someone put in the bucket by hand) is refused."""
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
        raise BackupError(
            _("Refusing the stored name %(name)r: it would leave the backup folder.")
            % {"name": name}
        )
    return root.joinpath(*parts)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as missing:
        raise BackupError(
            _("%(program)s is not installed (postgresql-client).") % {"program": command[0]}
        ) from missing
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": result.stderr.strip()[-2000:]}
        )


# Backup ---------------------------------------------------------------------------------


def backup(
    destination: Path,
    *,
    storage: Storage | None = None,
    previous: Path | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> dict:
    """Dump the database, then copy every stored file; returns the summary written to
    ``backup.json``. With ``previous`` (an earlier backup on the same file system), a file
    unchanged since that backup began is hard-linked from it instead of read again."""
    storage = storage or default_storage
    destination = Path(destination)
    earlier = _Earlier(Path(previous)) if previous else None
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(
            _("%(folder)s is not empty: give a new folder for each backup.")
            % {"folder": destination}
        )
    check_one_storage(storage)
    env = _postgres_environment()
    destination.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    dump = destination / DUMP
    _run(["pg_dump", "--format=custom", "--compress=6", f"--file={dump}"], env)
    progress(_("Database: %(bytes)d bytes") % {"bytes": dump.stat().st_size})

    files_root = destination / FILES
    count = total = linked = 0
    with (destination / MANIFEST).open("w", encoding="utf-8") as manifest:
        for name in stored_names(storage):
            target = _local_path(files_root, name)
            entry = earlier.link(storage, name, target) if earlier else None
            if entry is None:
                size, sha256 = _copy_out(storage, name, target)
                entry = {"name": name, "size": size, "sha256": sha256}
            else:
                linked += 1
            manifest.write(json.dumps(entry) + "\n")
            count, total = count + 1, total + entry["size"]
    progress(
        _("Files: %(count)d (%(bytes)d bytes), %(linked)d of them unchanged since the previous")
        % {"count": count, "bytes": total, "linked": linked}
    )
    summary = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "database": {"file": DUMP, "size": dump.stat().st_size, "sha256": _sha256_of(dump)},
        "files": {"manifest": MANIFEST, "count": count, "bytes": total},
    }
    (destination / SUMMARY).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


class _Earlier:
    """An earlier backup to take unchanged files from. Unchanged means: the same name and
    size, and last modified before that backup began (so a file rewritten under its name, as
    the open data set is every night, is read again)."""

    def __init__(self, folder: Path) -> None:
        summary = verify_summary(folder)
        self.root = folder / FILES
        # Object stores give modification times in whole seconds (S3's Last-Modified): a file
        # rewritten in the second the earlier backup began would look older than it, so
        # "before" means a whole second before.
        self.before = datetime.fromisoformat(summary["started_at"]) - timedelta(seconds=1)
        self.files = {entry["name"]: entry for entry in read_manifest(folder)}

    def link(self, storage: Storage, name: str, target: Path) -> dict | None:
        entry = self.files.get(name)
        if entry is None:
            return None
        try:
            unchanged = (
                storage.size(name) == entry["size"]
                and storage.get_modified_time(name) < self.before
            )
        except NotImplementedError:  # a storage that cannot tell: read the file
            return None
        if not unchanged:
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        source = _local_path(self.root, name)
        try:
            os.link(source, target)
        except OSError:  # another file system, or no hard links there
            shutil.copyfile(source, target)
        return entry


def _copy_out(storage: Storage, name: str, target: Path) -> tuple[int, str]:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as source, target.open("wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


# Restore --------------------------------------------------------------------------------


def read_manifest(source: Path) -> Iterator[dict]:
    with (source / MANIFEST).open(encoding="utf-8") as manifest:
        for line in manifest:
            if line.strip():
                yield json.loads(line)


def verify_summary(source: Path) -> dict:
    try:
        summary = json.loads((source / SUMMARY).read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise BackupError(
            _("%(folder)s holds no %(summary)s: not a complete backup.")
            % {"folder": source, "summary": SUMMARY}
        ) from missing
    if summary.get("format") != FORMAT:
        raise BackupError(
            _("Unknown backup format %(format)r.") % {"format": summary.get("format")}
        )
    return summary


def verify(source: Path) -> dict:
    """Check the backup before touching anything: its summary, the dump's hash, and every
    file's size and hash. Returns the summary."""
    source = Path(source)
    summary = verify_summary(source)
    if _sha256_of(source / DUMP) != summary["database"]["sha256"]:
        raise BackupError(
            _("%(name)s does not match its SHA-256: the backup is damaged.") % {"name": DUMP}
        )
    count = 0
    for entry in read_manifest(source):
        path = _local_path(source / FILES, entry["name"])
        if not path.is_file() or path.stat().st_size != entry["size"]:
            raise BackupError(
                _("%(name)s: missing or of the wrong size in the backup.") % {"name": entry["name"]}
            )
        if _sha256_of(path) != entry["sha256"]:
            raise BackupError(
                _("%(name)s: SHA-256 does not match the manifest.") % {"name": entry["name"]}
            )
        count += 1
    if count != summary["files"]["count"]:
        raise BackupError(
            _("Files in the manifest: %(count)d; in the summary: %(summary)d.")
            % {"count": count, "summary": summary["files"]["count"]}
        )
    return summary


def _database_is_empty() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        return cursor.fetchone()[0] == 0


def restore(
    source: Path,
    *,
    storage: Storage | None = None,
    jobs: int = 1,
    progress: Callable[[str], None] = lambda line: None,
) -> RestoreReport:
    """Into a fresh, empty database (the configured one) and storage: the dump, then the
    files, each checked against the manifest; then what the restored rows name but the
    backup lacks."""
    storage = storage or default_storage
    source = Path(source)
    verify(source)
    progress(_("Backup verified: every hash matches."))
    env = _postgres_environment()
    if not _database_is_empty():
        raise BackupError(
            _(
                "The database %(name)s is not empty: restore into a new one (createdb), "
                "never over a running installation."
            )
            % {"name": env["PGDATABASE"]}
        )
    connections["default"].close()  # pg_restore works alone; reconnect afterwards
    # One transaction: a failed restore leaves the database empty, ready for another try.
    # Parallel jobs are faster on a large dump but give up that guarantee.
    parallel = ["--single-transaction"] if jobs <= 1 else [f"--jobs={jobs}"]
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *parallel]
    _run([*command, f"--dbname={env['PGDATABASE']}", str(source / DUMP)], env)
    progress(_("Database restored."))

    report = RestoreReport()
    names = set()
    for entry in read_manifest(source):
        name = entry["name"]
        names.add(name)
        if _restore_file(storage, source / FILES, entry):
            report.files += 1
            report.bytes += entry["size"]
        else:
            report.already_there += 1
    progress(
        _("Files restored: %(count)d (%(bytes)d bytes)")
        % {"count": report.files, "bytes": report.bytes}
    )
    report.missing_references = sorted(referenced_names() - names)
    return report


def _restore_file(storage: Storage, files_root: Path, entry: dict) -> bool:
    """Write one file under its own name; False when an identical one is there already (a
    restore run again after an interruption)."""
    name = entry["name"]
    if storage.exists(name):
        digest = hashlib.sha256()
        with storage.open(name, "rb") as present:
            for chunk in iter(lambda: present.read(CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(
                _("%(name)s exists in the storage with other content: not an empty storage.")
                % {"name": name}
            )
        return False
    with _local_path(files_root, name).open("rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:
        raise BackupError(
            _("The storage stored %(name)s as %(saved)s: restore into an empty one.")
            % {"name": name, "saved": saved}
        )
    return True


def referenced_names() -> set[str]:
    """Every file name a row of the (restored) database names: one query per file field."""
    names: set[str] = set()
    for model, model_field in file_fields():
        values = (
            model._default_manager.exclude(**{model_field.attname: ""})
            .exclude(**{f"{model_field.attname}__isnull": True})
            .values_list(model_field.attname, flat=True)
        )
        names.update(values.iterator(chunk_size=5000))
    return names
