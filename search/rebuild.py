"""Rebuilding the complaint index without downtime and without losing a change (重建索引).

1. A new versioned index is created behind the rebuild alias, with refresh off for the load.
   From then on ``indexing.index_complaints`` writes every change to it as well.
2. Every row is streamed in primary-key order (keyset pages); on PostgreSQL the database writes
   the bulk lines itself (``search.sql_documents``), elsewhere Python builds the documents; a
   reader thread fetches the next batches while two bulk
   requests are in flight. Writes carry the row's version, so a batch read just before a change
   cannot overwrite the change that ``index_complaints`` wrote meanwhile.
3. Refresh is restored, and one ``update_aliases`` call moves the live alias to the new index
   and drops the rebuild alias; searches answer from the old index until that instant.
4. The old indices are deleted. A failure before the swap deletes the new index instead.
"""

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from elasticsearch import Elasticsearch, helpers

from cases.models import Complaint
from search import engine, sql_documents
from search.documents import ROW_FIELDS, complaint_document, complaint_index_body

logger = logging.getLogger(__name__)
# A bulk request of a thousand documents, the refresh and the alias swap can outlast the
# five-second timeout that suits searches.
REQUEST_TIMEOUT = 120
# Bulk requests in flight at once: the node indexes one while the next is being serialised.
SENDERS = 2
_DONE = object()


class RebuildInProgress(RuntimeError):
    """Another rebuild holds the rebuild alias (or a crashed one left it behind)."""


@dataclass(frozen=True)
class RebuildReport:
    index: str
    documents: int
    seconds: float
    docs_per_second: float
    removed: tuple[str, ...]


def rebuild_complaint_index(
    *,
    batch_size: int = 1000,
    progress: Callable[[int], object] | None = None,
    force: bool = False,
) -> RebuildReport:
    """Load every complaint into a new index and swap the live alias over to it.

    ``progress(n)`` is called after each bulk request with the documents it wrote. ``force``
    clears a rebuild alias left by a crashed run; without it a running rebuild is refused.
    """
    started = time.monotonic()
    client = engine.get_client().options(request_timeout=REQUEST_TIMEOUT)
    name = _claim_new_index(client, force)
    try:
        written = _load(client, name, batch_size, progress)
        refresh_interval = complaint_index_body()["settings"]["refresh_interval"]
        client.indices.put_settings(index=name, settings={"refresh_interval": refresh_interval})
        client.indices.refresh(index=name)
        old = _swap(client, name)
    except BaseException:
        # Unless the swap went through after all (its answer was lost): then it is live.
        if name not in engine.indices_behind(client, engine.complaint_alias()):
            client.indices.delete(index=name, ignore_unavailable=True)
        raise
    removed = _delete_indices(client, old)
    seconds = time.monotonic() - started
    return RebuildReport(name, written, seconds, written / seconds if seconds else 0.0, removed)


def _claim_new_index(client: Elasticsearch, force: bool) -> str:
    rebuilding = engine.rebuild_alias()
    stale = engine.indices_behind(client, rebuilding)
    if stale and not force:
        raise RebuildInProgress(
            _("A rebuild of the search index is already running (%(indices)s).")
            % {"indices": ", ".join(stale)}
        )
    if stale:
        client.indices.delete(index=",".join(stale), ignore_unavailable=True)
    name = engine.new_complaint_index_name()
    body = complaint_index_body()
    body["settings"] = {**body["settings"], "refresh_interval": "-1"}
    client.indices.create(index=name, aliases={rebuilding: {}}, **body)
    # Two rebuilds that started together both passed the check above: the alias now points to
    # both indices, and whoever sees a rival backs off (writers need the alias on one index).
    if engine.indices_behind(client, rebuilding) != [name]:
        client.indices.delete(index=name, ignore_unavailable=True)
        raise RebuildInProgress(_("Another rebuild of the search index started at the same time."))
    return name


def _load(
    client: Elasticsearch, name: str, batch_size: int, progress: Callable[[int], object] | None
) -> int:
    batches: queue.Queue = queue.Queue(maxsize=SENDERS)
    stop = threading.Event()
    reader = threading.Thread(
        target=_read_batches, args=(name, batch_size, batches, stop), daemon=True
    )
    reader.start()
    written = 0
    try:
        # Leaving the block waits for the requests in flight: none may land after a failed
        # load has deleted the index (it would auto-create it again, without the mapping).
        with ThreadPoolExecutor(SENDERS, thread_name_prefix="search-rebuild") as senders:
            in_flight: deque[Future] = deque()
            while (batch := batches.get()) is not _DONE:
                if isinstance(batch, BaseException):
                    raise batch
                in_flight.append(senders.submit(_send, client, batch))
                if len(in_flight) == SENDERS:
                    written += _finish(in_flight.popleft(), progress)
            while in_flight:
                written += _finish(in_flight.popleft(), progress)
    finally:
        stop.set()
        reader.join()
    return written


def _finish(request: Future, progress: Callable[[int], object] | None) -> int:
    written = request.result()
    if progress:
        progress(written)
    return written


def _read_batches(name: str, batch_size: int, batches: queue.Queue, stop: threading.Event) -> None:
    """The reader thread: bulk actions for every row, one list per batch, then ``_DONE``."""
    try:
        last_id = 0
        while not stop.is_set() and sql_documents.available():
            # PostgreSQL writes the bulk lines itself (search.sql_documents).
            lines = sql_documents.bulk_lines(name, last_id, batch_size, timezone.now().isoformat())
            if not lines:
                break
            _put(
                batches, PrebuiltBulk(len(lines), "\n".join(line for _, line in lines) + "\n"), stop
            )
            last_id = lines[-1][0]
        while not stop.is_set() and not sql_documents.available():
            rows = list(
                Complaint.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .values(*ROW_FIELDS)[:batch_size]
            )
            if not rows:
                break
            indexed_at = timezone.now().isoformat()
            _put(batches, [_load_action(name, row, indexed_at) for row in rows], stop)
            last_id = rows[-1]["id"]
        _put(batches, _DONE, stop)
    except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which re-raises
        _put(batches, exc, stop)
    finally:
        # Django opened a connection for this thread; nothing else will ever close it.
        connection.close()


def _put(batches: queue.Queue, item: object, stop: threading.Event) -> None:
    # A bounded wait, so a reader blocked on a full queue notices that the load was abandoned.
    while not stop.is_set():
        try:
            batches.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


def _load_action(name: str, row: dict, indexed_at: str) -> dict:
    document = complaint_document(row, indexed_at)
    return {
        "_index": name,
        "_id": str(row["id"]),
        "_source": document,
        "version": document["version"],
        "version_type": "external_gte",
    }


@dataclass(frozen=True)
class PrebuiltBulk:
    """A bulk request body written by PostgreSQL: ``count`` action and document pairs."""

    count: int
    body: str


def _send(client: Elasticsearch, actions: "list[dict] | PrebuiltBulk") -> int:
    if isinstance(actions, PrebuiltBulk):
        response = client.bulk(operations=actions.body.encode())
        errors = [item for item in response["items"] if "error" in next(iter(item.values()))]
        _raise_failures(errors)
        return actions.count
    _ok, errors = helpers.bulk(client, actions, chunk_size=len(actions), raise_on_error=False)
    _raise_failures(errors)
    return len(actions)


def _raise_failures(errors: list[dict]) -> None:
    # 409: a newer version is already there, written by index_complaints during the load.
    failures = [e for e in errors if next(iter(e.values())).get("status") != 409]
    if failures:
        raise helpers.BulkIndexError(f"{len(failures)} document(s) failed to index.", failures)


def _swap(client: Elasticsearch, name: str) -> list[str]:
    """Move the live alias to ``name`` in one atomic call; returns the indices it left."""
    alias = engine.complaint_alias()
    old = [index for index in engine.indices_behind(client, alias) if index != name]
    actions = [{"add": {"index": name, "alias": alias, "is_write_index": True}}]
    actions += [{"remove": {"index": index, "alias": alias}} for index in old]
    # must_exist: had the index been deleted (a forced rebuild elsewhere) and auto-created
    # again by a late bulk request, it would lack the alias, and the whole swap is refused.
    actions.append({"remove": {"index": name, "alias": engine.rebuild_alias(), "must_exist": True}})
    client.indices.update_aliases(actions=actions)
    return old


def _delete_indices(client: Elasticsearch, indices: list[str]) -> tuple[str, ...]:
    removed = []
    for index in indices:
        try:
            client.indices.delete(index=index)
        except Exception:  # noqa: BLE001 - the swap is done; a leftover index is only disk
            logger.exception("search: could not delete the old index %s", index)
        else:
            removed.append(index)
    return tuple(removed)
