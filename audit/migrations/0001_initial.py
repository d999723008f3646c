# The AuditLog model moved here from curation: the table is renamed, the rows stay.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("curation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE curation_auditlog RENAME TO audit_auditlog",
                    "ALTER TABLE audit_auditlog RENAME TO curation_auditlog",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="AuditLog",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("actor_email", models.CharField(blank=True, max_length=254)),
                        ("action", models.CharField(db_index=True, max_length=80)),
                        ("target_type", models.CharField(db_index=True, max_length=80)),
                        ("target_id", models.CharField(blank=True, db_index=True, max_length=64)),
                        ("target_repr", models.CharField(blank=True, max_length=200)),
                        ("before", models.JSONField(blank=True, null=True)),
                        ("after", models.JSONField(blank=True, null=True)),
                        ("ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="audit_entries",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "log audit",
                        "verbose_name_plural": "log audit",
                        "ordering": ["-at", "-id"],
                        "indexes": [
                            models.Index(fields=["target_type", "target_id", "-at"], name="curation_audit_target")
                        ],
                    },
                ),
            ],
        ),
    ]
