"""Due process of administrative penalties (issue 21): prior notice, statement, hearing, the
90-day limit, publicity periods and withdrawal; the rules per penalty kind as data.

Default ``PenaltyRule`` rows (a city edits them under Settings → Time limits → Penalty rules):
- Hearing right (Administrative Penalty Law 2021, art. 63): licence suspension and revocation
  always (降低资质等级、吊销许可证件 / 责令停产停业); a fine from 50,000 yuan on a company
  (较大数额罚款). The law leaves "a large amount" to each province: 50,000 yuan for legal
  persons is the figure several provincial hearing rules use (e.g. Guangdong's
  《广东省行政处罚听证程序实施办法》); a city under another province's rule sets its own. A
  warning never gives the right.
- Publicity periods (公示期): within the bounds of the NDRC's
  《失信行为纠正后的信用信息修复管理办法（试行）》(2023): at least three months, at most
  three years — warning 90 days, fine 365 days, suspension and revocation 1,095 days.
Existing undecided penalties get their 90-day limit from the day they were proposed
(立案, art. 60); results already published get their period from their publication.
"""

import datetime
from decimal import Decimal

import cases.models.penalties
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DEFAULT_RULES = [
    # kind, hearing always, hearing from fine (yuan), publicity days
    ("warning", False, None, 90),
    ("fine", False, Decimal("50000"), 365),
    ("suspension", True, None, 1095),
    ("revocation", True, None, 1095),
]
UNDECIDED = ["proposed"]


def forwards(apps, schema_editor):
    PenaltyRule = apps.get_model("cases", "PenaltyRule")
    Penalty = apps.get_model("cases", "Penalty")
    EnforcementResult = apps.get_model("cases", "EnforcementResult")
    days = {}
    for kind, always, amount, publicity in DEFAULT_RULES:
        PenaltyRule.objects.get_or_create(
            kind=kind,
            defaults={
                "hearing_always": always,
                "hearing_from_amount": amount,
                "publicity_days": publicity,
            },
        )
        days[kind] = publicity
    for penalty in Penalty.objects.filter(status__in=UNDECIDED, decision_due_on__isnull=True):
        penalty.decision_due_on = penalty.proposed_at.date() + datetime.timedelta(days=90)
        penalty.save(update_fields=["decision_due_on"])
    for result in EnforcementResult.objects.filter(public_until__isnull=True):
        result.public_until = result.published_at.date() + datetime.timedelta(
            days=days.get(result.kind, 365)
        )
        result.save(update_fields=["public_until"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_complaint_channels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PenaltyRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("warning", "Warning"),
                            ("fine", "Fine"),
                            ("suspension", "Licence suspension"),
                            ("revocation", "Licence revocation"),
                        ],
                        max_length=12,
                        unique=True,
                        verbose_name="penalty",
                    ),
                ),
                (
                    "hearing_always",
                    models.BooleanField(
                        default=False,
                        help_text="Ticked for licence suspension and revocation (art. 63).",
                        verbose_name="always gives the right to a hearing",
                    ),
                ),
                (
                    "hearing_from_amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="A fine of at least this amount on a company gives the right to a hearing (较大数额罚款). Leave blank when the amount never does.",
                        max_digits=12,
                        null=True,
                        verbose_name="hearing right from this fine (yuan)",
                    ),
                ),
                (
                    "publicity_days",
                    models.PositiveSmallIntegerField(
                        help_text="Days a published result stays on the public site.",
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="publicity period (days)",
                    ),
                ),
            ],
            options={
                "verbose_name": "penalty rule",
                "verbose_name_plural": "penalty rules",
                "ordering": ["kind"],
            },
        ),
        migrations.AddField(
            model_name="enforcementresult",
            name="public_until",
            field=models.DateField(
                blank=True, db_index=True, null=True, verbose_name="public until"
            ),
        ),
        migrations.AddField(
            model_name="enforcementresult",
            name="removal_reason",
            field=models.TextField(blank=True, verbose_name="reason removed"),
        ),
        migrations.AddField(
            model_name="enforcementresult",
            name="removed_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="removed from the public site at"
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="decision_due_on",
            field=models.DateField(blank=True, null=True, verbose_name="decision due by (90 days)"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="notice_evidence",
            field=models.TextField(blank=True, verbose_name="evidence"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="hearing_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hearing at"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="hearing_notified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hearing notified at"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="hearing_officer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="hearing held by",
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="hearing_place",
            field=models.CharField(blank=True, max_length=200, verbose_name="hearing place"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="hearing_record",
            field=models.TextField(blank=True, verbose_name="hearing record"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="hearing_recorded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hearing recorded at"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="hearing_request_due_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="hearing may be requested until"
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="hearing_requested_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hearing requested at"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="hearing_right",
            field=models.BooleanField(default=False, verbose_name="right to a hearing"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="limit_extended_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="time limit extended by",
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="limit_extension_reason",
            field=models.TextField(blank=True, verbose_name="reason the time limit was extended"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="limit_overdue_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="penalty",
            name="limit_warned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="penalty",
            name="notice_document",
            field=models.FileField(
                blank=True,
                upload_to=cases.models.penalties.decision_document_path,
                verbose_name="prior notice",
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="notice_number",
            field=models.CharField(
                blank=True,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="prior notice number",
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="notice_served_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="prior notice served at"
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="noticed_fine_amount",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=12,
                null=True,
                verbose_name="fine in the prior notice (yuan)",
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="noticed_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("warning", "Warning"),
                    ("fine", "Fine"),
                    ("suspension", "Licence suspension"),
                    ("revocation", "Licence revocation"),
                ],
                max_length=12,
                verbose_name="penalty in the prior notice",
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="review_body",
            field=models.CharField(
                blank=True,
                choices=[
                    ("authority", "The authority itself"),
                    ("reconsideration", "Administrative reconsideration"),
                    ("litigation", "Administrative litigation"),
                ],
                max_length=16,
                verbose_name="decided by",
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="review_outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("changed", "Changed"),
                    ("revoked", "Revoked"),
                    ("annulled", "Annulled (confirmed void)"),
                ],
                max_length=12,
                verbose_name="review outcome",
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="review_reason",
            field=models.TextField(blank=True, verbose_name="reason for the withdrawal"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="statement",
            field=models.TextField(blank=True, verbose_name="statement and defence"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="statement_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="statement recorded at"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="statement_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="statement recorded by",
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="statement_due_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="statement and defence until"
            ),
        ),
        migrations.AddField(
            model_name="penalty",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn at"),
        ),
        migrations.AddField(
            model_name="penalty",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="withdrawn by",
            ),
        ),
        migrations.AlterField(
            model_name="penalty",
            name="status",
            field=models.CharField(
                choices=[
                    ("proposed", "Proposed"),
                    ("notified", "Prior notice served"),
                    ("hearing_requested", "Hearing requested"),
                    ("hearing_scheduled", "Hearing scheduled"),
                    ("heard", "Hearing held"),
                    ("approved", "Approved"),
                    ("rejected", "Not approved"),
                    ("served", "Served"),
                    ("executed", "Executed"),
                    ("published", "Published"),
                    ("withdrawn", "Withdrawn after review"),
                ],
                db_index=True,
                default="proposed",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
