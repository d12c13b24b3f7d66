"""A fake SMS gateway for several processes: every message is a file in ``$FAULTS_SMS_DIR``.

The test process and the worker processes it starts see the same directory, so a test can
count what the citizen received whoever sent it. While a file named ``hold`` exists there,
``send`` stops before sending and says where it stands in a file named ``blocked`` (its
process and Celery task id), so a test can kill a worker in the middle of a send.
"""

import os
import time
import uuid
from pathlib import Path

HOLD = "hold"
BLOCKED = "blocked"
SUFFIX = ".sms"


def sms_dir() -> Path:
    return Path(os.environ["FAULTS_SMS_DIR"])


class FileSmsBackend:
    def send(self, phone: str, text: str) -> None:
        directory = sms_dir()
        if (directory / HOLD).exists():
            from celery import current_task

            task_id = current_task.request.id if current_task else ""
            (directory / BLOCKED).write_text(f"{os.getpid()} {task_id or ''}")
            while (directory / HOLD).exists():
                time.sleep(0.05)
        name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex}{SUFFIX}"
        (directory / name).write_text(f"{phone}\n{text}", encoding="utf-8")


def sent_messages(directory: Path) -> list[tuple[str, str]]:
    """(phone, text) of every message sent so far, in the order they were sent."""
    messages = []
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        phone, _, text = path.read_text(encoding="utf-8").partition("\n")
        messages.append((phone, text))
    return messages
