"""Small rule tables read once per process while nobody edits them.

The time limits, the calendar's corrections and the tiers' rules are a handful of rows that
every filing and every due date reads. A ``TableMemo`` keeps one table's rows in this process
for one generation of a counter in the shared cache; saving or deleting a row bumps the
counter (at once, and again after the commit, so no process keeps rows read before the
change was visible). A use costs one cache round trip instead of a query; with the cache
unavailable, the rows are read from the database every time. Edits go through the model
(the admin's screens): a bulk ``update()`` would not be seen until the next save.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
_memos: list[TableMemo] = []


class TableMemo(Generic[T]):
    def __init__(self, model, load: Callable[[], T], *, key: str = "") -> None:
        # ``key`` tells apart two memos of one table.
        self.key = f"foundation.table-memo.{model._meta.label_lower}.{key}"
        self.load = load
        self._lock = threading.Lock()
        self._held: tuple[int, T] | None = None
        uid = f"foundation.table_memo.{self.key}"
        post_save.connect(self.changed, sender=model, dispatch_uid=uid + ".saved")
        post_delete.connect(self.changed, sender=model, dispatch_uid=uid + ".deleted")
        _memos.append(self)

    def rows(self) -> T:
        generation = cache.get(self.key)
        if generation is None:
            cache.add(self.key, time.time_ns(), timeout=None)
            generation = cache.get(self.key)
            if generation is None:  # the cache is unavailable: no memory either
                return self.load()
        held = self._held
        if held is not None and held[0] == generation:
            return held[1]
        value = self.load()
        with self._lock:
            self._held = (generation, value)
        return value

    def changed(self, **_: object) -> None:
        """A signal receiver: the next use in any process reads the table again."""
        self._bump()
        transaction.on_commit(self._bump)

    def _bump(self) -> None:
        self._held = None
        cache.set(self.key, time.time_ns(), timeout=None)


def forget_all() -> None:
    """Empty every memo of this process (tests start from nothing)."""
    for memo in _memos:
        memo._held = None
