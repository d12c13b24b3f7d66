"""The state-machine helper: the mechanics every status change shares, written once.

Why: every machine carried its own copy of "lock, check, move, log", and copies drift apart
(one checks the table before touching a field, another after; one forgets the lock). Each
machine module keeps what is its own — the status enum, the allowed-transition table, the error
class its views and tests catch, the wording of its refusals, its permission checks and guards —
and leaves the mechanics to this one helper.

A transition runs in one transaction: the row is locked (``select_for_update``), a request for
the state already reached returns quietly, the actor and the table are checked (a refusal raises
the machine's error before anything is written, so nothing half-happens), the status and the
other changed fields are saved, the audit entry is written in the same transaction
(``foundation.audit.record`` unless the machine writes its own timeline), and side effects are
queued to run once the transaction commits.

A verb with no guard of its own is one call to ``transition``. A verb with guards (a reason to
give, scores to add up, a number to draw) calls ``lock``, ``check`` and ``move`` inside its own
``transaction.atomic()``, with its guards in between; a refusal there rolls everything back.
"""

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from django.db import models, transaction

from foundation import audit

# writer(instance, action, *, actor, from_status, to_status, **data) -> the entry written
Writer = Callable[..., Any]


class StateMachine:
    """One machine: its model, allowed transitions, error class and refusal wording.

    ``refusal`` is a lazily translated message formatted, when raised, with ``current`` (the
    row's status label; ``status`` is the same, for wording that calls it so) and ``target``.
    ``select_related`` and ``lock_of`` shape the locking query (``lock_of=("self",)`` when a
    related row must not be locked, or sits on the nullable side of a join).
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        transitions: Mapping[str, Collection[str]],
        error: type[Exception],
        refusal: str,
        writer: Writer = audit.record,
        select_related: tuple[str, ...] = (),
        lock_of: tuple[str, ...] = (),
        field: str = "status",
    ) -> None:
        self.model = model
        self.transitions = transitions
        self.error = error
        self.refusal_message = refusal
        self.writer = writer
        self.select_related = select_related
        self.lock_of = lock_of
        self.field = field

    def lock(self, instance: models.Model) -> models.Model:
        """The row of ``instance``, locked until the end of the caller's transaction."""
        rows = self.model._default_manager.select_for_update(of=self.lock_of)
        if self.select_related:
            rows = rows.select_related(*self.select_related)
        return rows.get(pk=instance.pk)

    def refusal(self, locked: models.Model, to: str) -> Exception:
        """The machine's error saying that ``locked`` cannot move to ``to``."""
        current = getattr(locked, f"get_{self.field}_display")()
        labels = dict(self.model._meta.get_field(self.field).flatchoices)
        values = {"current": current, "status": current, "target": labels.get(to, to)}
        return self.error(self.refusal_message % values)

    def check(
        self,
        locked: models.Model,
        to: str,
        *,
        permitted: bool = True,
        denied: str = "",
        sources: Collection[str] | None = None,
    ) -> None:
        """Raise the machine's error unless ``locked`` may move to ``to`` now: ``permitted`` is
        the caller's permission result (refused with ``denied``), then the table, narrowed to
        ``sources`` when a verb moves only from some of the states the table allows."""
        if not permitted:
            raise self.error(denied)
        current = getattr(locked, self.field)
        if to not in self.transitions[current] or (sources is not None and current not in sources):
            raise self.refusal(locked, to)

    def move(
        self,
        locked: models.Model,
        to: str,
        *,
        actor,
        action: str,
        data: dict | None = None,
        sources: Collection[str] | None = None,
        writer: Writer | None = None,
        on_commit: Iterable[Callable[[], Any]] = (),
        **changes,
    ) -> Any:
        """The one place a status is assigned: check the table, set the status and ``changes``
        on the row the caller locked, save it, write the audit entry (returned) with the states
        from and to, and queue ``on_commit`` to run after the commit (never on a rollback)."""
        self.check(locked, to, sources=sources)
        from_status = getattr(locked, self.field)
        setattr(locked, self.field, to)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        entry = (writer or self.writer)(
            locked, action, actor=actor, from_status=from_status, to_status=to, **(data or {})
        )
        for callback in on_commit:
            # robust: a broker that is down must not turn a committed change into an error.
            transaction.on_commit(callback, robust=True)
        return entry

    def transition(
        self,
        instance: models.Model,
        to: str,
        *,
        actor,
        action: str,
        authorise: Callable[[models.Model, Any], None] | None = None,
        sources: Collection[str] | None = None,
        data: dict | None = None,
        writer: Writer | None = None,
        on_commit: Iterable[Callable[[], Any]] = (),
        **changes,
    ) -> models.Model:
        """A whole transition, for a verb with no guard of its own: lock the row, run
        ``authorise(locked, actor)`` (the caller's permission check, raising its own error),
        return quietly when the row already is ``to``, else move it. ``instance`` is refreshed;
        the locked row is returned."""
        with transaction.atomic():
            locked = self.lock(instance)
            if authorise is not None:
                authorise(locked, actor)
            if getattr(locked, self.field) != to:
                self.move(
                    locked,
                    to,
                    actor=actor,
                    action=action,
                    data=data,
                    sources=sources,
                    writer=writer,
                    on_commit=on_commit,
                    **changes,
                )
        instance.refresh_from_db()
        return locked

    def sweep(
        self,
        due: models.QuerySet,
        *,
        to: str,
        action: str,
        data: Callable[[models.Model], dict],
        lock_first: Callable[[Any], Any] | None = None,
        then: Callable[[models.Model, Any], None] | None = None,
    ) -> int:
        """Move each row of ``due`` (a plain filter) to ``to`` as the system, one transaction
        per row, and return how many moved (a nightly expiry sweep).

        Each row is locked and re-checked against ``due`` first: someone may have moved it
        since the list was read, and a second run (a task delivered twice) moves nothing.
        ``lock_first(pk)`` locks what the machine's verbs lock before the row, in the same
        order, so a sweep and a verb queue behind each other instead of deadlocking; what it
        returns is passed to ``then(locked, first)``, run after the move.
        """
        moved = 0
        for pk in due.values_list("pk", flat=True):
            with transaction.atomic():
                first = lock_first(pk) if lock_first is not None else None
                locked = due.select_for_update().filter(pk=pk).first()
                if locked is None:
                    continue
                self.move(locked, to, actor=None, action=action, data=data(locked))
                if then is not None:
                    then(locked, first)
            moved += 1
        return moved
