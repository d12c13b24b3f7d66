"""A request id on every log line of a request, and of the Celery tasks the request queues.

The id comes from the ``X-Request-ID`` header when the front proxy (nginx's ``$request_id``)
or a partner sent a sane one, otherwise it is made here; the response carries it back, so a
citizen's "error 500 at 10:02" and the proxy's access log lead to the same lines. It lives in
a context variable: threads and asyncio tasks each see their own. Queued tasks get it as a
message header (``before_task_publish``) and the worker puts it back in the context for the
task's run (``task_prerun`` / ``task_postrun``); tasks run in-process (eager) inherit it.

Nothing here touches the database or the cache: ``LOGGING`` loads the filter at start-up.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from celery import current_task
from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
# Letters, digits and a few separators, at most 64: a header is logged and echoed back, so a
# hostile one must not forge log lines, inject JSON or grow without bound.
_VALID = re.compile(r"^[A-Za-z0-9._:\-]{8,64}$")
NO_REQUEST = "-"

_current: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def current() -> str:
    return _current.get()


def valid_or_new(candidate: str | None) -> str:
    if candidate and _VALID.match(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in the chain (after the metrics timer), so every later log line has the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = valid_or_new(request.headers.get(HEADER))
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request or task), and the task's
    name and id inside a task; the JSON formatter writes them as fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _current.get()
        if request_id == NO_REQUEST:
            # Django logs a 4xx/5xx response ("django.request") after the middleware chain
            # has returned, with the request attached: its id is still on it.
            request_id = getattr(getattr(record, "request", None), "request_id", NO_REQUEST)
        record.request_id = request_id
        task = current_task
        if task and task.request.id and not hasattr(record, "task_id"):
            record.task_id = task.request.id
            record.task_name = task.name
        return True


# Celery: the id travels with the message -------------------------------------------------


@before_task_publish.connect(dispatch_uid="portal.request_id.publish")
def _stamp_message(headers: dict | None = None, **_: object) -> None:
    request_id = _current.get()
    if headers is not None and request_id != NO_REQUEST:
        headers.setdefault(TASK_HEADER, request_id)


_task_tokens: dict[str, object] = {}


@task_prerun.connect(dispatch_uid="portal.request_id.prerun")
def _enter_task(task_id: str = "", task=None, **_: object) -> None:
    request = task.request if task is not None else None
    # A worker's message puts custom headers on the request itself; ``apply(headers=…)``
    # (in-process) keeps them in ``request.headers``.
    request_id = getattr(request, TASK_HEADER, None) or (
        (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    )
    if request_id and _VALID.match(str(request_id)):
        _task_tokens[task_id] = _current.set(str(request_id))


@task_postrun.connect(dispatch_uid="portal.request_id.postrun")
def _leave_task(task_id: str = "", **_: object) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # set in another context (a pool's thread): just forget the id
            _current.set(NO_REQUEST)
