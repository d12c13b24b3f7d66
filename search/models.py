"""The search outbox: what changed in the database and is not yet in Elasticsearch.

A row is written in the same transaction as the change it describes, so nothing can be
committed without also being remembered for indexing. Indexing deletes the row; the beat
sweep indexes whatever rows remain (the task was lost, Redis or Elasticsearch was down).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexOutbox(models.Model):
    doc_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "object_id"], name="outbox_unique_object")
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id}"


def monthly_report_path(report: "MonthlyReport", filename: str) -> str:
    scope = report.district.code if report.district_id else "city"
    return f"reports/{report.month:%Y-%m}/{scope}-{filename}"


class MonthlyReport(models.Model):
    """A district's (or the city's) monthly report (月度报告) as a PDF, rendered by
    ``search.reports`` on the first of the month and whenever an official asks again."""

    district = models.ForeignKey(
        "foundation.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district (empty: the whole city)"),
    )
    month = models.DateField(
        _("month reported"), help_text=_("The first day of the month reported.")
    )
    file = models.FileField(_("report"), upload_to=monthly_report_path)
    generated_at = models.DateTimeField(_("generated at"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-month", "district_id"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.UniqueConstraint(fields=["district", "month"], name="monthly_report_once"),
            # The city-wide report (no district) once per month too: NULLs are distinct above.
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(district__isnull=True),
                name="monthly_report_city_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.district or ''}".strip()
