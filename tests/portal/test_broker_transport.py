"""The broker transport's guard (portal/config/broker.py): a channel of a closed connection
reports a connection error, which Celery handles by reconnecting, never the AttributeError
that made the worker exit. The whole fault, with a real worker and a killed redis-server,
is tests/faults/test_broker_killed.py."""

import pytest
import redis
from django.conf import settings
from kombu import Connection

from portal.config.broker import Transport
from portal.config.celery import app as celery_app

pytestmark = pytest.mark.services


def test_redis_broker_urls_use_the_guarded_transport():
    if not settings.CELERY_BROKER_URL:
        pytest.fail("CELERY_BROKER_URL is not set: run `make test`.")
    assert settings.CELERY_BROKER_TRANSPORT == "portal.config.broker:Transport"
    with celery_app.connection_for_write() as connection:
        assert connection.transport_cls == "portal.config.broker:Transport"
        assert isinstance(connection.transport, Transport)


def test_a_collected_connection_s_channel_raises_a_connection_error():
    with Connection(settings.CELERY_BROKER_URL, transport=Transport) as connection:
        channel = connection.default_channel
        channel._disconnect_pools()  # as closing it half-way does
        connection.collect()  # what Celery's consumer does first when the broker is lost
        with pytest.raises(redis.ConnectionError):
            channel._connparams()  # kombu's own transport: AttributeError
    # One of the errors on which Celery's consumer reconnects.
    assert issubclass(redis.ConnectionError, Transport.connection_errors)
