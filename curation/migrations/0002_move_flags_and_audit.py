# StoreFeatureFlags went to stores and AuditLog to audit; their tables were renamed there.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0001_initial"),
        ("stores", "0002_storefeatureflags"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="StoreFeatureFlags"),
                migrations.DeleteModel(name="AuditLog"),
            ],
        ),
    ]
