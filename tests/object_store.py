"""The object store of a test run, looked at directly (boto3), not through the app's storage.

`make test` starts a real S3-compatible server (s3proxy, scripts/services.sh) and exports
``OBJECT_STORE_URL`` and friends; the whole suite then keeps its files there (tests/conftest.py).
"""

import datetime
import os

import boto3
import botocore.auth
import botocore.signers
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from time_machine import escape_hatch

from foundation.storage import CLIENT_CONFIG, is_object_store


def configured() -> bool:
    return bool(getattr(settings, "OBJECT_STORE_URL", ""))


def require() -> None:
    """Object-store tests fail loudly without the store, like the other services' tests."""
    if not configured():
        pytest.fail("OBJECT_STORE_URL is not set: run `make test`.")


def client():
    options = settings.STORAGES["default"]["OPTIONS"]
    return boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
        config=CLIENT_CONFIG,
    )


def bucket() -> str:
    return settings.STORAGES["default"]["OPTIONS"]["bucket_name"]


def keys(prefix: str) -> list[str]:
    """Every object key under ``prefix`` (a folder of the bucket)."""
    found = []
    pages = (
        client()
        .get_paginator("list_objects_v2")
        .paginate(Bucket=bucket(), Prefix=prefix.rstrip("/") + "/")
    )
    for page in pages:
        # A filesystem backend may list its folders too ("a/"): they are not files.
        found += [item["Key"] for item in page.get("Contents", []) if item["Key"][-1] != "/"]
    return found


def remove_prefix(prefix: str) -> None:
    s3 = client()
    for key in keys(prefix):  # one by one: DeleteObjects needs checksums s3proxy refuses
        s3.delete_object(Bucket=bucket(), Key=key)


def stored(name: str) -> bool:
    """True if the file ``name`` of the default storage is an object in the bucket."""
    storage = default_storage
    if not is_object_store(storage):
        return storage.exists(name)
    key = f"{storage.location}/{name}" if storage.location else name
    return key in keys(os.path.dirname(key))


class StoredFile:
    """An object of the test's prefix, read like a ``Path``."""

    def __init__(self, key: str):
        self.key = key
        self.name = os.path.basename(key)

    def read_bytes(self) -> bytes:
        return client().get_object(Bucket=bucket(), Key=self.key)["Body"].read()

    def __repr__(self) -> str:
        return f"StoredFile({self.key!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, StoredFile) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)


def stored_files(media_root) -> list:
    """The files this test stored: objects under its prefix, or files under ``media_root``
    for a test of the local disk."""
    storage = default_storage
    if is_object_store(storage):
        return [StoredFile(key) for key in keys(storage.location)]
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def _real_utc_now(remove_tzinfo: bool = True) -> datetime.datetime:
    clock = escape_hatch.datetime.datetime if escape_hatch.is_travelling() else datetime.datetime
    now = clock.now(datetime.UTC)
    return now.replace(tzinfo=None) if remove_tzinfo else now


def sign_with_the_real_clock() -> None:
    """Requests to the store are signed with the real time even while a test travels in time
    (time-machine): the server refuses a signature from another day."""
    botocore.auth.get_current_datetime = _real_utc_now
    botocore.signers.get_current_datetime = _real_utc_now
