"""Celery tasks of the credit score: they take ids, re-fetch, and are safe to run twice
(records are keyed by their source, the cached score is simply rewritten)."""

import logging

from celery import shared_task
from django.db import OperationalError, transaction

from enterprises.models import Company

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=5)
def recompute_company_credit(self, company_id: int) -> int | None:
    """Recompute one company's credit; returns the score, None when the company is gone."""
    from enterprises.credit import recompute_credit

    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return None
    try:
        return recompute_credit(company).score
    except OperationalError as exc:  # a lost connection or a lock timeout: try again later
        if self.request.is_eager:
            logger.warning("credit: recompute of company %s left to the nightly run", company_id)
            return None
        raise self.retry(exc=exc, countdown=min(2**self.request.retries * 5, 300)) from exc


@shared_task(acks_late=True)
def recompute_all_credit() -> int:
    """Nightly: recompute every company, so records missed by a request are caught and
    records that expired overnight stop counting. Returns how many were recomputed."""
    from enterprises.credit import recompute_credit

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
    it rolls back). robust: a broker that is down must not fail the committed request; the
    nightly run catches up."""
    transaction.on_commit(lambda: recompute_company_credit.delay(company_id), robust=True)
