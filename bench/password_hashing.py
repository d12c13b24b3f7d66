"""What one sign-in's password check costs, per hasher: process CPU and wall time of
``check_password`` against a stored hash, median of ``--rounds`` checks.

Usage: ``.venv/bin/python bench/password_hashing.py --rounds 20``

The portal stores Argon2id (Django's recommended hasher, first in ``PASSWORD_HASHERS``) and
upgrades a PBKDF2 hash on the next sign-in; the PBKDF2 row is what a stored hash cost before.
Argon2's cost is memory as much as time: its parallel lanes use the second core, so its wall
time is below its CPU time.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import (  # noqa: E402
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    get_hasher,
)

PASSWORD = "load-bench-Password-2026"


def timed(encoded: str, rounds: int) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(rounds):
        c, w = time.process_time(), time.perf_counter()
        assert check_password(PASSWORD, encoded)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    default = get_hasher("default")
    argon2 = Argon2PasswordHasher()
    rows = [
        (f"Argon2id as configured ({default.algorithm}: t={argon2.time_cost}, "
         f"{argon2.memory_cost // 1024} MiB, {argon2.parallelism} lanes)", default.encode(
             PASSWORD, default.salt())),
        (f"PBKDF2-SHA256, {PBKDF2PasswordHasher.iterations:,} iterations",
         PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())),
    ]  # fmt: skip
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')} {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; median of {args.rounds} checks")  # fmt: skip
    print(f"{'hasher':<62}{'CPU ms':>9}{'wall ms':>9}")
    for name, encoded in rows:
        cpu, wall = timed(encoded, args.rounds)
        print(f"{name:<62}{cpu:>9.1f}{wall:>9.1f}")


if __name__ == "__main__":
    main()
