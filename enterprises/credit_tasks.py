"""Celery tasks of the credit score: they take ids, re-fetch, and are safe to run twice
(records are keyed by their source, the cached score is simply rewritten)."""

import logging

from celery import shared_task

from enterprises.credit_score import recompute_credit
from enterprises.models import Company
from foundation.tasks import TRANSIENT_DATABASE_ERRORS, PolicyTask

logger = logging.getLogger(__name__)


@shared_task(base=PolicyTask, bind=True)
def recompute_company_credit(self, company_id: int) -> int | None:
    """Recompute one company's credit; returns the score, None when the company is gone."""
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return None
    try:
        return recompute_credit(company).score
    except TRANSIENT_DATABASE_ERRORS as exc:  # a lost connection or a lock timeout
        return self.retry_later(exc, what=f"credit: recompute of company {company_id}")


@shared_task(base=PolicyTask)
def recompute_all_credit() -> int:
    """Nightly: recompute every company, so records missed by a request are caught and
    records that expired overnight stop counting. Returns how many were recomputed."""
    done = 0
    for company_id in Company.objects.order_by("pk").values_list("pk", flat=True):
        company = Company.objects.filter(pk=company_id).first()
        if company is None:
            continue
        try:
            recompute_credit(company)
        except Exception:
            # One company's failure must not stop the others; tomorrow's run tries it again.
            logger.exception("credit: recompute of company %s failed", company_id)
            continue
        done += 1
    return done


def queue_credit_recompute(company_id: int) -> None:
    """Recompute the company's credit once the current transaction commits (not at all if
    it rolls back); a broker that is down fails nothing, the nightly run catches up."""
    recompute_company_credit.delay_on_commit(company_id)
