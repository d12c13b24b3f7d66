"""A real ``celery worker`` process of the portal, on a queue of the test's own, and a real
``celery beat`` publishing to that queue.

Unlike the session-wide worker of ``tests/conftest.py``, a test can give it its own
environment (a broker behind a fault proxy, the file SMS gateway, a short visibility
timeout) and kill it with SIGKILL in the middle of a task. The queue of its own keeps any
other worker of the session from taking the test's tasks.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from portal.config.celery import app as celery_app
from tests.conftest import ROOT

START_SECONDS = 60


class Worker:
    def __init__(self, *, queue: str, env: dict[str, str], log_dir: Path) -> None:
        self.queue = queue
        self.env = {**os.environ, **env}
        self.name = f"faults-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
        self.log = log_dir / f"{self.name.split('@')[0]}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    "-Q",
                    self.queue,
                    "-n",
                    self.name,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while not celery_app.control.ping(destination=[self.name], timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"The Celery worker did not start:\n{self.output()[-3000:]}")
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, exactly like a lost machine."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def succeeded(self, task_id: str) -> int:
        """How many times this worker reported the task (by id) done."""
        return self.output().count(f"[{task_id}] succeeded")

    def succeeded_count(self, task_name: str) -> int:
        """How many tasks of this name the worker reported done."""
        return sum(
            1
            for line in self.output().splitlines()
            if f"Task {task_name}[" in line and "succeeded" in line
        )


class Beat:
    """``celery beat`` with the portal's sweeps every two seconds (``tests.faults.beat_app``),
    publishing to ``queue``."""

    def __init__(self, *, queue: str, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env, "FAULTS_QUEUE": queue}
        self.log = log_dir / f"beat-{uuid.uuid4().hex[:8]}.log"
        self.schedule = log_dir / f"{self.log.stem}-schedule"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Beat":
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "tests.faults.beat_app",
                    "beat",
                    "--loglevel=INFO",
                    "-s",
                    str(self.schedule),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while "Sending due task" not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"Celery beat did not start:\n{self.output()[-3000:]}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
