"""gunicorn settings for the portal's web processes (docs/deploy.md): copy to
/etc/portal/gunicorn.conf.py and start with `gunicorn -c /etc/portal/gunicorn.conf.py
portal.config.wsgi`.

Several worker processes each count their own requests; Prometheus' client adds them up
from files in PROMETHEUS_MULTIPROC_DIR (emptied before each start by the unit), and a dead
worker's live gauges must be dropped when it exits.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The load benchmark ran 2 workers x 4 threads on 2 cores: 2 processes per core, 4 threads
# each (requests wait on PostgreSQL and Elasticsearch as much as they compute).
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# nginx buffers uploads (proxy_request_buffering on), so a request reaches a worker whole;
# 60 s is far above the slowest measured request (a 10 MB photo: p99 1.2 s).
timeout = 60
graceful_timeout = 30
# Recycle workers now and then: a slow leak in any library cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# The request id nginx sends is in every application log line; gunicorn's access log adds
# nothing nginx's does not have.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
