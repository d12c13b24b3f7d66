"""Sweeps of the register, run by Celery beat.

Each task delegates to its service function, which re-checks every row under a lock, so a
task delivered twice (``acks_late`` after a worker crash) does nothing the second time. A
database that is briefly unreachable is retried with back-off.
"""

from celery import shared_task

from enterprises import (
    committees,
    contracts,
    evaluators,
    handovers,
    improvement_requests,
    licensing,
    surveys,
    work_reports,
)
from foundation.tasks import PolicyTask


@shared_task(base=PolicyTask)
def expire_licences_task() -> int:
    return licensing.expire_licences()


@shared_task(base=PolicyTask)
def warn_expiring_licences_task() -> int:
    return licensing.warn_expiring_licences()


@shared_task(base=PolicyTask)
def expire_contracts_task() -> int:
    return contracts.expire_contracts()


@shared_task(base=PolicyTask)
def sweep_evaluator_engagements_task() -> int:
    """Hourly: engagements begin (access granted) and end (withdrawn) within the hour."""
    return evaluators.sweep_engagements()


@shared_task(base=PolicyTask)
def end_expired_committee_terms_task() -> int:
    """Hourly, so a term's end takes effect within the hour after midnight."""
    return committees.end_expired_terms()


@shared_task(base=PolicyTask)
def flag_overdue_owner_matters_task() -> int:
    """Daily: work reports not submitted in time and improvement requests left unanswered,
    flagged once each to the company and the district's officials."""
    return work_reports.flag_overdue_reports() + improvement_requests.flag_overdue_requests()


@shared_task(base=PolicyTask)
def close_due_surveys_task() -> int:
    """Hourly: a survey past its last day closes (results frozen, credit recorded)."""
    return surveys.close_due_surveys()


@shared_task(base=PolicyTask)
def flag_overdue_handovers_task() -> int:
    """Daily: handovers past their due date are flagged to the district's officials once."""
    return handovers.flag_overdue_handovers()
