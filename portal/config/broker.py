"""The Redis broker transport, with one guard: a closed connection's channel cannot connect.

kombu 5.7.0 and Celery 5.7.0 (the newest releases): when the broker goes away while the worker
holds unacknowledged messages (a task waiting for its retry, with ``acks_late`` every running
task), Celery's consumer first ``collect()``s the broken connection, which detaches the
transport (``transport.client = None``), then closes it. Closing the channel a second time
tries to give the held messages back to Redis, and building a connection pool from the
detached transport raised ``AttributeError`` (``None.hostname``). That is not a connection
error, so the consumer did not reconnect and the worker exited ("Unrecoverable error"). The
first close had failed half-way because the broker was unreachable, which is why the same
messages were still held.

Here that attempt raises a connection error instead, which Celery ignores while it closes the
connection and then reconnects. Nothing is lost by giving up the restore: Redis was
unreachable anyway, and the held messages stay in Redis's unacknowledged index (if it kept
them) until the visibility timeout hands them out again; the beat sweeps do their work sooner.
"""

import redis
from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        transport = self.connection
        if transport is None or transport.client is None:
            raise redis.ConnectionError("the broker connection of this channel is closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
