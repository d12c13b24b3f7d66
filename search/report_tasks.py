"""Celery task of the monthly reports: on the first of each month, last month's report for
every district and for the whole city. Rendering again replaces a report, so a retried or
repeated run leaves one report per district and month."""

from celery import shared_task

from foundation.models import District
from foundation.tasks import PolicyTask
from search.reports import generate_monthly_report, previous_month


@shared_task(base=PolicyTask)
def generate_monthly_reports_task() -> int:
    month = previous_month()
    districts = [None, *District.objects.order_by("code")]
    for district in districts:
        generate_monthly_report(district, month)
    return len(districts)
