"""``manage.py copy_media_to_object_store [--source DIR]``: move a server's local files into
the object store before it is switched on, keeping every file's name (the records refer to it).

Each file is uploaded unless the store already has it, then read back and compared by size and
SHA-256 with the local copy. A second run uploads nothing and checks everything again. An
object that exists with other content is never overwritten: it is reported as a mismatch, and
the command fails (exit status 1) listing every mismatch, so nobody deletes the local copy of a
file the store does not hold intact.
"""

import hashlib
import sys
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from foundation.storage import is_object_store

CHUNK = 1024 * 1024


def local_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def stored_digest(storage, name: str) -> tuple[int, str]:
    """Size and hash of the object as the store returns it (read back, not its metadata)."""
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def copy_tree(source: Path, storage, on_file=None) -> dict:
    """Copy and verify every file under ``source``; returns the names copied, already there
    (and identical) and mismatched."""
    report: dict[str, list[str]] = {"copied": [], "present": [], "mismatched": []}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        expected = local_digest(path)
        if storage.exists(name):
            outcome = "present"
        else:
            with path.open("rb") as handle:
                saved = storage.save(name, File(handle, name=name))
            if saved != name:  # another name would leave the records pointing at nothing
                storage.delete(saved)
                report["mismatched"].append(f"{name}: stored as {saved}")
                outcome = None
            else:
                outcome = "copied"
        if outcome:
            found = stored_digest(storage, name)
            if found == expected:
                report[outcome].append(name)
            else:
                report["mismatched"].append(
                    f"{name}: local {expected[0]} B sha256 {expected[1]}, "
                    f"stored {found[0]} B sha256 {found[1]}"
                )
        if on_file is not None:
            on_file(1)
    return report


class Command(BaseCommand):
    help = "Copy local media files into the object store, verifying each (size and SHA-256)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--source", type=Path, default=None, help="The local folder (default: MEDIA_ROOT)."
        )

    def handle(self, *args, source: Path | None = None, **options) -> None:
        source = Path(source or settings.MEDIA_ROOT)
        if not is_object_store(default_storage):
            raise CommandError("OBJECT_STORE_URL is not set: there is no object store to copy to.")
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder.")
        total = sum(1 for p in source.rglob("*") if p.is_file())
        stream = options.get("stderr") or sys.stderr
        quiet = options["verbosity"] == 0
        with tqdm(total=total, unit=" files", file=stream, disable=quiet) as bar:
            report = copy_tree(source, default_storage, on_file=bar.update)
        self.stdout.write(
            f"{len(report['copied'])} copied, {len(report['present'])} already in the store, "
            f"{len(report['mismatched'])} mismatched (of {total} files in {source})."
        )
        if report["mismatched"]:
            for line in report["mismatched"]:
                self.stderr.write(f"MISMATCH {line}")
            raise CommandError(f"{len(report['mismatched'])} files do not match the store.")
