"""Celery tasks of the penalty procedure, run by beat: the decision's time limit and the end
of publicity periods. Both sweeps re-read each row under its lock and act on flags, so a task
delivered twice (``acks_late``) or two runs overlapping act once."""

from dataclasses import asdict

from celery import shared_task

from cases import penalty_deadlines, penalty_publicity
from foundation.tasks import PolicyTask


@shared_task(base=PolicyTask)
def sweep_decision_limits_task() -> dict[str, int]:
    """Warn and escalate penalties near or past their 90-day limit; returns the counts."""
    return asdict(penalty_deadlines.sweep_decision_limits())


@shared_task(base=PolicyTask)
def end_publicity_task() -> int:
    """Take results whose publicity period ended off the public site; returns how many."""
    return penalty_publicity.end_publicity()
