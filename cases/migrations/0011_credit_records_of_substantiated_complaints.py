import datetime

from django.conf import settings
from django.db import migrations
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext


# Until now the credit recompute looked for substantiated complaints without a credit record
# and wrote them (enterprises read cases). Now cases writes the record when it resolves a
# case, so the complaints the recompute had not reached yet get theirs here: the same points,
# dates and explanation it would have written.

SUBSTANTIATED_STATUSES = ("resolved", "followed_up", "closed", "reopened")
EXPLANATION = (
    "Complaint %(number)s against the company was substantiated (resolved on %(date)s)."
)


def write_missing_records(apps, schema_editor):
    Complaint = apps.get_model("cases", "Complaint")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CreditPolicy = apps.get_model("enterprises", "CreditPolicy")
    CreditRecord = apps.get_model("enterprises", "CreditRecord")
    db = schema_editor.connection.alias
    policy = CreditPolicy.objects.using(db).order_by("pk").first() or CreditPolicy()
    existing = set(
        CreditRecord.objects.using(db)
        .filter(source_key__startswith="complaint:")
        .values_list("company_id", "source_key")
    )
    first_resolution = CaseEvent.objects.using(db).filter(
        complaint=OuterRef("pk"), to_status="resolved"
    ).order_by("timestamp")
    rows = (
        Complaint.objects.using(db)
        .filter(company__isnull=False)
        .exclude(status="rejected")
        .annotate(resolved_at=Subquery(first_resolution.values("timestamp")[:1]))
        .filter(Q(status__in=SUBSTANTIATED_STATUSES) | Q(resolved_at__isnull=False))
        .order_by("pk")
        .values_list("pk", "company_id", "tracking_number", "resolved_at", "updated_at")
    )
    records = []
    with translation.override(settings.LANGUAGE_CODE):
        template = gettext(EXPLANATION)
        for pk, company_id, number, resolved_at, updated_at in rows.iterator():
            source_key = f"complaint:{pk}"
            if (company_id, source_key) in existing:
                continue
            occurred_on = timezone.localdate(resolved_at or updated_at)
            records.append(
                CreditRecord(
                    company_id=company_id,
                    kind="complaint",
                    points=policy.complaint_points,
                    explanation=(template % {"number": number, "date": occurred_on.isoformat()})[
                        :255
                    ],
                    source_label=number[:64],
                    source_key=source_key,
                    occurred_on=occurred_on,
                    valid_until=occurred_on + datetime.timedelta(days=policy.validity_days),
                )
            )
    CreditRecord.objects.using(db).bulk_create(records, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_districts_from_foundation"),
        ("enterprises", "0005_staff_profiles_from_portal"),
    ]

    operations = [
        migrations.RunPython(write_missing_records, migrations.RunPython.noop, elidable=True),
    ]
