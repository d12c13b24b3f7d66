"""A request id on every log line of a request and of the Celery tasks it queues, returned
in the response header; a hostile header is replaced, never echoed."""

import logging

import pytest
from celery import shared_task
from django.http import HttpResponse
from django.test import RequestFactory

from portal.operations import request_ids

logger = logging.getLogger("tests.request_ids")


@shared_task(name="tests.request_ids.log_in_task")
def log_in_task(text: str) -> None:
    logger.info("in the task: %s", text)


def view_queueing_a_task(request):
    logger.info("in the view")
    log_in_task.delay("queued by the view")
    return HttpResponse("ok")


def records_of(caplog, name: str = "tests.request_ids") -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == name]


@pytest.fixture
def caplog_with_ids(caplog):
    """caplog's handler gets the filter the LOGGING handlers have."""
    caplog.handler.addFilter(request_ids.RequestIdFilter())
    caplog.set_level(logging.INFO)
    return caplog


def test_the_id_given_is_on_the_views_and_the_tasks_lines_and_returned(caplog_with_ids):
    middleware = request_ids.RequestIdMiddleware(view_queueing_a_task)
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="nginx-4f1c2a9be7d3")
    response = middleware(request)
    assert response["X-Request-ID"] == "nginx-4f1c2a9be7d3"
    lines = records_of(caplog_with_ids)
    assert [r.getMessage() for r in lines] == ["in the view", "in the task: queued by the view"]
    assert {r.request_id for r in lines} == {"nginx-4f1c2a9be7d3"}
    task_line = lines[1]
    assert task_line.task_name == "tests.request_ids.log_in_task"
    # After the request the context is clean again.
    assert request_ids.current() == request_ids.NO_REQUEST


@pytest.mark.parametrize(
    "hostile", ["", "short", "x" * 65, 'a"}, {"level": "CRITICAL', "abc def ghij", "id\nforged"]
)
def test_a_missing_or_hostile_id_is_replaced(hostile, caplog_with_ids):
    middleware = request_ids.RequestIdMiddleware(view_queueing_a_task)
    response = middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID=hostile))
    made = response["X-Request-ID"]
    assert made != hostile and len(made) == 32
    assert {r.request_id for r in records_of(caplog_with_ids)} == {made}


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz/live")["X-Request-ID"]
    second = client.get("/healthz/live")["X-Request-ID"]
    assert first != second


def test_the_id_goes_into_the_message_headers_of_a_queued_task():
    headers: dict = {}
    token = request_ids._current.set("req-0123456789")
    try:
        request_ids._stamp_message(headers=headers)
    finally:
        request_ids._current.reset(token)
    assert headers == {"request_id": "req-0123456789"}
    outside: dict = {}
    request_ids._stamp_message(headers=outside)  # a task queued by beat: no request
    assert outside == {}


def test_a_worker_puts_the_messages_id_on_the_tasks_lines(caplog_with_ids):
    # What a worker does with a message carrying the header (outside any request here).
    log_in_task.apply(args=["from the message"], headers={"request_id": "req-from-web-01"})
    (line,) = records_of(caplog_with_ids)
    assert line.request_id == "req-from-web-01"
    assert request_ids.current() == request_ids.NO_REQUEST  # reset after the task


def test_json_lines_carry_the_id_as_a_field(settings):
    import json
    import logging.config

    formatter = logging.config.DictConfigurator(settings.LOGGING).configure_formatter(
        settings.LOGGING["formatters"]["json"]
    )
    record = logger.makeRecord("tests.request_ids", logging.INFO, __file__, 1, "hello", (), None)
    token = request_ids._current.set("req-json-000001")
    try:
        request_ids.RequestIdFilter().filter(record)
    finally:
        request_ids._current.reset(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-json-000001"
    assert line["message"] == "hello" and line["level"] == "INFO"


def test_djangos_line_about_an_error_response_carries_the_id_of_its_request(caplog_with_ids):
    # django.request logs a 4xx/5xx after the middleware chain returned, the request attached.
    request = RequestFactory().get("/")
    request.request_id = "req-after-chain-1"
    logging.getLogger("django.request").warning("Forbidden: /", extra={"request": request})
    (line,) = records_of(caplog_with_ids, "django.request")
    assert line.request_id == "req-after-chain-1"
