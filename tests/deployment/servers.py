"""Two app servers (gunicorn, production settings) behind nginx on loopback, for tests and
``bench/load_test.py``: they share PostgreSQL, Redis, Elasticsearch and the object store.

nginx listens on three ports: one balancing over both servers, and one pinned to each (so a
test can send a request to the server it chooses).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise RuntimeError("nginx is not installed: run `make test` (scripts/services.sh).")
    return found


NGINX_CONF = """
worker_processes 1;
{user}
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
daemon off;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    client_max_body_size 64m;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_read_timeout 60s;
    upstream both {{ {both} keepalive 16; }}
    upstream first {{ server 127.0.0.1:{a}; }}
    upstream second {{ server 127.0.0.1:{b}; }}
    server {{
        listen 127.0.0.1:{lb};
        location / {{
            proxy_pass http://both;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # A proxy_set_header here replaces every inherited one: repeat them.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
    server {{ listen 127.0.0.1:{pa}; location / {{ proxy_pass http://first; }} }}
    server {{ listen 127.0.0.1:{pb}; location / {{ proxy_pass http://second; }} }}
}}
"""


@dataclass
class Deployment:
    """URLs: ``balanced`` (nginx over every server), ``first`` and ``second`` (pinned)."""

    workdir: Path
    env: dict
    servers: int = 2
    workers: int = 1
    processes: list = field(default_factory=list)
    balanced: str = ""
    first: str = ""
    second: str = ""
    backends: list = field(default_factory=list)

    def start(self) -> "Deployment":
        self.workdir.mkdir(parents=True, exist_ok=True)
        ports = [free_port() for _ in range(self.servers)]
        self.backends = [f"127.0.0.1:{port}" for port in ports]
        for index, port in enumerate(ports):
            self._gunicorn(index, port)
        lb, pa, pb = free_port(), free_port(), free_port()
        conf = self.workdir / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                d=self.workdir,
                user="user root;" if os.geteuid() == 0 else "",
                both=" ".join(f"server {b};" for b in self.backends),
                a=ports[0],
                b=ports[-1],
                lb=lb,
                pa=pa,
                pb=pb,
            )
        )
        log = (self.workdir / "nginx.log").open("w")
        self.processes.append(
            subprocess.Popen(
                [nginx_binary(), "-p", str(self.workdir), "-c", str(conf), "-e", "stderr"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        self.balanced, self.first, self.second = (f"http://127.0.0.1:{p}" for p in (lb, pa, pb))
        self._wait([self.first, self.second, self.balanced])
        return self

    def _gunicorn(self, index: int, port: int) -> None:
        log = (self.workdir / f"gunicorn-{index}.log").open("w")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "2",  # the test's requests are done: no need to wait for idle keep-alives
        ]
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)

    def _wait(self, urls: list[str], timeout: float = 150) -> None:
        deadline = time.monotonic() + timeout
        for url in urls:
            while True:
                try:
                    if requests.get(f"{url}/", timeout=20).status_code < 500:  # the app answers
                        break
                except requests.RequestException:  # not listening yet, or still booting
                    pass
                dead = [p for p in self.processes if p.poll() is not None]
                if dead or time.monotonic() > deadline:
                    self.stop()
                    logs = "".join(
                        f"--- {p.name}\n{p.read_text()[-2000:]}"
                        for p in sorted(self.workdir.glob("*.log"))
                    )
                    raise RuntimeError(f"the servers did not start:\n{logs}")
                time.sleep(0.2)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def production_env(**extra: str) -> dict:
    """The environment of a production server, on the services of this run."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "two-servers-" + "k" * 40,
        "SALT_KEY": "two-servers-salt",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        **extra,
    }
