"""Uploaded and generated files on a private bucket of an S3-compatible object store.

Several app servers must see the same files, so production keeps them in an object store
(``OBJECT_STORE_URL``, see the settings); the demo keeps them on local disk. Either way every
file goes through Django's storage API (``default_storage``, a field's ``.storage``), never
through a path on disk: ``FieldFile.path`` does not exist on a bucket.

How files are served (measured by ``bench/file_serving.py``, see the README): the views stream
them through Django after the record's permission check (``foundation.files.serve``), rather
than redirecting to a short-lived signed URL. Streaming costs the app server a little time
per download (a few milliseconds for a photo on the same network), but it keeps the store on
the internal network (a signed URL would have to reach it from every citizen's browser), its
address and keys out of every page and redirect, our own content type and download headers
on every answer, and a link that cannot be passed on once the check is done. ``url()`` still
signs (60 seconds), for tools such as the Wagtail admin, and is never put in a page of ours.

A row with files that is deleted takes its files with it once the deletion is committed
(``connect_file_deletion``): the bucket keeps no orphan the records no longer name.

A store that does not answer raises ``StorageUnavailable`` (an ``OSError``), so a form can
tell the user to try again instead of failing with a 500.
"""

import functools
import logging

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_delete
from storages.backends.s3 import S3Storage

# Fail fast when the store is down: a citizen waits seconds, not minutes, for the message.
CLIENT_CONFIG = Config(
    connect_timeout=3,
    read_timeout=20,
    retries={"max_attempts": 2, "mode": "standard"},
    signature_version="s3v4",
    s3={"addressing_style": "path"},
    # Checksums only where the API requires them: S3-compatible servers (s3proxy, older MinIO)
    # refuse the newer default trailing checksums with 501 Not Implemented.
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
)


class StorageUnavailable(OSError):
    """The object store could not be reached or failed (not: the file does not exist)."""


def _unavailable(error: Exception) -> bool:
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500
    return isinstance(error, BotoCoreError)


def _missing(error: Exception) -> bool:
    if not isinstance(error, ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 or error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey")


def _translated(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as error:
            if _unavailable(error):
                raise StorageUnavailable(f"object store unavailable: {error}") from error
            if _missing(error):  # what the local disk says: callers catch FileNotFoundError
                raise FileNotFoundError(f"{args[1] if len(args) > 1 else ''}") from error
            raise

    return wrapper


class PrivateObjectStorage(S3Storage):
    """A private bucket: no ACL that could make an object public, unique names like the local
    disk (never overwrite another record's file), path-style addressing (any S3-compatible
    server), signed URLs that expire within a minute."""

    default_acl = None
    file_overwrite = False
    querystring_auth = True
    querystring_expire = 60
    max_memory_size = 2_621_440  # larger downloads spill to a temporary file
    client_config = CLIENT_CONFIG
    custom_domain = None  # never a public address for the bucket

    save = _translated(S3Storage.save)
    _open = _translated(S3Storage._open)
    delete = _translated(S3Storage.delete)
    exists = _translated(S3Storage.exists)
    size = _translated(S3Storage.size)
    listdir = _translated(S3Storage.listdir)
    get_modified_time = _translated(S3Storage.get_modified_time)


def is_object_store(storage) -> bool:
    return isinstance(storage, S3Storage)


# Files go with their records ---------------------------------------------------------------

OUR_APPS = ("foundation", "enterprises", "cases", "search", "portal")
logger = logging.getLogger(__name__)


def _delete_files_after_commit(sender, instance, **kwargs) -> None:
    """A row deleted (a cascade, an admin removal): its files are deleted once the deletion is
    committed, so a rolled-back deletion keeps them. A store that is down leaves the object for
    the operators (logged), never an error for the person who deleted the row."""
    names = [
        (field.storage, getattr(instance, field.attname).name)
        for field in sender._meta.concrete_fields
        if isinstance(field, models.FileField) and getattr(instance, field.attname)
    ]

    def delete() -> None:
        for storage, name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("could not delete %s of a deleted %s", name, sender._meta.label)

    if names:
        transaction.on_commit(delete)


def connect_file_deletion() -> None:
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS and any(
            isinstance(f, models.FileField) for f in model._meta.concrete_fields
        ):
            post_delete.connect(
                _delete_files_after_commit,
                sender=model,
                dispatch_uid=f"foundation.storage.files_of.{model._meta.label}",
            )
