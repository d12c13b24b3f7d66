"""The task policy: queued only after commit, and a broker that is down fails nothing."""

import logging

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerDown

from search.tasks import index_complaints


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_at_commit_is_logged_and_the_commit_stands(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(index_complaints, "delay", refuse)
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"), transaction.atomic():
        index_complaints.delay_on_commit([1, 2])
    # Django names the failed robust callback by its __qualname__ (a partial has none).
    assert any("publish" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing(monkeypatch):
    queued = []
    monkeypatch.setattr(index_complaints, "delay", lambda *args: queued.append(args))
    with pytest.raises(RuntimeError), transaction.atomic():
        index_complaints.delay_on_commit([1])
        raise RuntimeError("the writer failed")
    with transaction.atomic():
        index_complaints.delay_on_commit([2])
    assert queued == [([2],)]
