"""Transfer (转办, issue 18): the status ``transferred``, the register of agencies a case
outside the regulator's remit goes to, and the one transfer of a case with the agency's
reference and outcome. Re-triage needs no schema of its own."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_self_inspection'),
        ('foundation', '0002_worker_heartbeat'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='complaint',
            name='status',
            field=models.CharField(choices=[('submitted', 'Submitted'), ('accepted', 'Accepted'), ('rejected', 'Rejected'), ('assigned', 'Assigned'), ('in_progress', 'In progress'), ('resolved', 'Resolved'), ('followed_up', 'Followed up'), ('closed', 'Closed'), ('reopened', 'Reopened'), ('merged', 'Merged into another case'), ('transferred', 'Transferred to another agency')], db_index=True, default='submitted', max_length=16, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='Agency',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=128, unique=True, verbose_name='name')),
                ('contact', models.CharField(help_text='Phone number and address the citizen is given (a public office line).', max_length=200, verbose_name='contact')),
                ('remit', models.TextField(blank=True, help_text='What the agency handles.', verbose_name='remit')),
                ('active', models.BooleanField(default=True, help_text='Untick instead of deleting: no new case can be transferred to it.', verbose_name='active')),
                ('district', models.ForeignKey(blank=True, help_text='Leave blank for an agency that serves the whole city.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='foundation.district', verbose_name='district')),
            ],
            options={
                'verbose_name': 'agency',
                'verbose_name_plural': 'agencies',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Transfer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='reason')),
                ('reference', models.CharField(blank=True, max_length=100, verbose_name="agency's reference")),
                ('transferred_at', models.DateTimeField(auto_now_add=True, verbose_name='transferred at')),
                ('outcome', models.TextField(blank=True, verbose_name="agency's outcome")),
                ('outcome_recorded_at', models.DateTimeField(blank=True, null=True, verbose_name='outcome recorded at')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers', to='cases.agency', verbose_name='agency')),
                ('complaint', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='transfer', to='cases.complaint', verbose_name='case')),
                ('outcome_recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('transferred_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'transfer',
                'verbose_name_plural': 'transfers',
            },
        ),
    ]
