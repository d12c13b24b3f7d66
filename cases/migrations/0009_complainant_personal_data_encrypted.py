"""Encrypt the complainants' name, phone and e-mail at rest, add the resident ID number and the
anonymisation time. Existing rows are re-saved as ciphertext in batches; going back writes
the plaintext again (the ID numbers go with their column)."""

from django.db import migrations, models
from django.db.models import Value

import cases.models.personal_data

FIELDS = ("contact_name", "contact_phone", "contact_email")
BATCH = 1000


def encrypt_existing(apps, schema_editor):
    # A plaintext value does not decrypt and is read as it is; an already encrypted one
    # (a second run) is read decrypted: either way the save writes a fresh token.
    Complaint = apps.get_model("cases", "Complaint")
    rows = Complaint.objects.only("pk", *FIELDS).order_by("pk")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            Complaint.objects.bulk_update(batch, FIELDS)
            batch = []
    if batch:
        Complaint.objects.bulk_update(batch, FIELDS)


def decrypt_existing(apps, schema_editor):
    Complaint = apps.get_model("cases", "Complaint")
    rows = Complaint.objects.only("pk", *FIELDS).order_by("pk")
    for row in rows.iterator(chunk_size=BATCH):
        # A Value expression bypasses the field's encryption: the plaintext is written as is.
        plain = {
            name: Value(getattr(row, name) or "", output_field=models.TextField())
            for name in FIELDS
        }
        Complaint.objects.filter(pk=row.pk).update(**plain)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_partner_api_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="personal data removed at"
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="contact_id_number",
            field=cases.models.personal_data.EncryptedCharField(
                blank=True, max_length=18, null=True, verbose_name="resident ID number"
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="contact_email",
            field=cases.models.personal_data.EncryptedEmailField(
                blank=True, max_length=254, null=True, verbose_name="contact e-mail"
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="contact_name",
            field=cases.models.personal_data.EncryptedCharField(
                blank=True, max_length=64, null=True, verbose_name="contact name"
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="contact_phone",
            field=cases.models.personal_data.EncryptedCharField(
                max_length=20, null=True, verbose_name="contact phone"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=True),
    ]
